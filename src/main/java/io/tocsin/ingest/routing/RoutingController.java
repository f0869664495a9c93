package io.tocsin.ingest.routing;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.ingest.RouteRule;
import io.tocsin.ingest.Routing;
import io.tocsin.platform.InvalidInputException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** An integration's routing rules, and what they would do with an alert. */
@RestController
class RoutingController {

  private final Routing routing;
  private final Clock clock;

  RoutingController(Routing routing, Clock clock) {
    this.routing = routing;
    this.clock = clock;
  }

  /** The rules, and how many new alerts of the last hour no rule gave a service. */
  record RoutingBody(List<RouteRule> rules, long routedByDefaultLastHour) {}

  record Replace(@Nullable List<RouteRule> rules) {}

  /** An alert to try: its labels, and a PagerDuty-style severity word and custom details. */
  record TestAlert(
      @Nullable Map<String, String> labels,
      @Nullable String severity,
      @Nullable Object customDetails) {}

  @Operation(summary = "The integration's routing rules, in order")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/api/v1/integrations/{id}/routing")
  RoutingBody get(@PathVariable UUID id) {
    return body(id, routing.rules(id));
  }

  @Operation(
      summary = "Replace the integration's routing rules",
      description =
          "All or nothing: a bad rule is a 422 naming its field, e.g."
              + " routing[3].match[0].value, and nothing is saved. First match wins unless a rule"
              + " says continue; alerts no rule gives a service go to the integration's own.")
  @PreAuthorize("hasRole('ADMIN')")
  @PutMapping("/api/v1/integrations/{id}/routing")
  RoutingBody replace(@PathVariable UUID id, @RequestBody Replace request) {
    if (request.rules() == null) {
      throw new InvalidInputException("rules", "is required: a list of rules, [] for none");
    }
    return body(id, routing.replace(id, request.rules()));
  }

  @Operation(
      summary = "What the routing rules would do with an alert",
      description =
          "Touches nothing, like amtool config routes test: the rules that matched, the rule that"
              + " chose the service (or byDefault), the severity, the labels after the rules, and"
              + " the group key its incident would have.")
  @PreAuthorize("hasRole('VIEWER')")
  @PostMapping("/api/v1/integrations/{id}/routing/test")
  Routing.Decision test(@PathVariable UUID id, @RequestBody TestAlert alert) {
    if (alert.labels() == null || alert.labels().isEmpty()) {
      throw new InvalidInputException("labels", "must have at least one label");
    }
    return routing.test(id, alert.labels(), alert.severity(), alert.customDetails());
  }

  private RoutingBody body(UUID id, List<RouteRule> rules) {
    return new RoutingBody(
        rules, routing.routedByDefaultSince(id, clock.instant().minus(Duration.ofHours(1))));
  }
}
