package io.tocsin.platform.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * Exports the readiness probe's answer as {@code tocsin_ready}, so that Prometheus can alert on a
 * node that is up but refuses traffic. It asks the readiness group itself rather than repeating
 * what the group contains: whatever makes {@code /actuator/health/readiness} DOWN makes this 0.
 */
@Component
final class ReadinessGauge {

  ReadinessGauge(HealthEndpoint health, MeterRegistry meters) {
    Gauge.builder("tocsin.ready", health, h -> isReady(h) ? 1 : 0)
        .description("1 when this node's readiness probe is UP, 0 otherwise")
        .register(meters);
  }

  /** Whether the readiness group is UP: the one answer to "may this node take traffic". */
  static boolean isReady(HealthEndpoint health) {
    HealthDescriptor readiness = health.healthForPath("readiness");
    return readiness != null && Status.UP.equals(readiness.getStatus());
  }
}
