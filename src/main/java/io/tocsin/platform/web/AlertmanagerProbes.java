package io.tocsin.platform.web;

import java.nio.charset.StandardCharsets;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Alertmanager's probes, {@code /-/healthy} and {@code /-/ready}, so that whatever already checks
 * an Alertmanager (a Kubernetes probe, a load balancer, a script) checks Tocsin posing as one
 * unchanged. Healthy is liveness: the process answers, whatever the database does. Ready is the
 * readiness probe's answer, which the database decides; Alertmanager itself is always ready once it
 * listens, so the 503 follows Prometheus's {@code /-/ready}. Plain text and no authentication, like
 * theirs: the status code is all they tell.
 */
@RestController
final class AlertmanagerProbes {

  static final String HEALTHY = "/-/healthy";
  static final String READY = "/-/ready";

  private final HealthEndpoint health;

  AlertmanagerProbes(HealthEndpoint health) {
    this.health = health;
  }

  @GetMapping(HEALTHY)
  ResponseEntity<String> healthy() {
    return text(HttpStatus.OK, "OK");
  }

  @GetMapping(READY)
  ResponseEntity<String> ready() {
    return ReadinessGauge.isReady(health)
        ? text(HttpStatus.OK, "OK")
        : text(HttpStatus.SERVICE_UNAVAILABLE, "Service Unavailable");
  }

  private static ResponseEntity<String> text(HttpStatus status, String body) {
    return ResponseEntity.status(status)
        .contentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8))
        .body(body);
  }
}
