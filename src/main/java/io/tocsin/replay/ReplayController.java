package io.tocsin.replay;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.config.ConfigDocument;
import io.tocsin.platform.InvalidInputException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/replay}: what a configuration would have done with a window's alerts; and the
 * import's dry run with a replay of what the document would have done.
 */
@RestController
class ReplayController {

  static final String PATH = "/api/v1/replay";

  /** How long a request waits for its replay before answering 202 with the job to follow. */
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final Replays replays;
  private final ReplayJobs jobs;
  private final ReplayConfigurations configurations;
  private final ConfigurationReplays configurationReplays;
  private final Clock clock;

  ReplayController(
      Replays replays,
      ReplayJobs jobs,
      ReplayConfigurations configurations,
      ConfigurationReplays configurationReplays,
      Clock clock) {
    this.replays = replays;
    this.jobs = jobs;
    this.configurations = configurations;
    this.configurationReplays = configurationReplays;
    this.clock = clock;
  }

  @Operation(
      summary = "Replay a window's alerts under the configuration, and under a candidate",
      description =
          "Runs the alerts Tocsin took from `from` until `to` (or in the `last` ISO duration, such"
              + " as P7D, until now; at most 31 days) through silences, inhibition, dependencies"
              + " and grouping, as correlation would have, then through escalation policies,"
              + " schedules and notification rules, on a virtual clock: nothing is written"
              + " and nothing is sent. The body, if any, is a candidate in the configuration-as-code"
              + " format (YAML or JSON) laid over the configuration as it is now: a service entry"
              + " changes the settings it gives (dependsOn, groupBy, flapWindowMinutes,"
              + " autoResolve, groupDelaySeconds, escalationPolicy) of the service it names, an"
              + " entry of schedules or escalationPolicies replaces the one of its name or adds"
              + " one, and a list of inhibitionRules or silences replaces them all. Integrations,"
              + " teams and templates are refused with 422. Answers what happened, what the configuration as now and the"
              + " candidate would have done, and the incidents that differ. It runs in the"
              + " background: the answer is 200 with the report when it ends within 5 seconds,"
              + " otherwise 202 with the job to follow at its Location (GET, or DELETE to cancel).")
  @PostMapping(PATH)
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<ReplayJobs.View> replayWindow(
      @RequestParam(required = false) @Nullable String from,
      @RequestParam(required = false) @Nullable String to,
      @RequestParam(required = false) @Nullable String last,
      @RequestBody(required = false) @Nullable String body) {
    Instant end = to == null ? clock.instant() : instant("to", to);
    Instant start;
    if (last != null) {
      if (from != null) {
        throw new InvalidInputException("last", "give either last or from, not both");
      }
      start = end.minus(duration("last", last));
    } else if (from != null) {
      start = instant("from", from);
    } else {
      throw new InvalidInputException("from", "is required, or last (such as P7D)");
    }
    Replays.check(start, end);
    ConfigDocument candidate = body == null || body.isBlank() ? null : ConfigDocument.parse(body);
    ReplayConfiguration now = configurations.current();
    ReplayConfiguration changed = candidate == null ? null : configurations.with(now, candidate);
    long alerts = replays.alertsIn(start, end);
    ReplayJobs.View job =
        jobs.submit(
            changed == null ? alerts : 2 * alerts,
            progress -> configurationReplays.report(start, end, now, changed, progress),
            WAIT);
    return job.finishedAt() == null
        ? ResponseEntity.accepted().location(URI.create(PATH + "/" + job.id())).body(job)
        : ResponseEntity.ok(job);
  }

  @Operation(summary = "A replay: its progress, and its report once done")
  @GetMapping(PATH + "/{id}")
  @PreAuthorize("hasRole('ADMIN')")
  ReplayJobs.View job(@PathVariable UUID id) {
    return configurationReplays.job(id);
  }

  @Operation(summary = "The replays of this node in the last hour")
  @GetMapping(PATH)
  @PreAuthorize("hasRole('ADMIN')")
  List<ReplayJobs.View> jobs() {
    return jobs.list();
  }

  @Operation(summary = "Cancel a replay that has not finished")
  @DeleteMapping(PATH + "/{id}")
  @PreAuthorize("hasRole('ADMIN')")
  ReplayJobs.View cancel(@PathVariable UUID id) {
    return jobs.cancel(id).orElseThrow(ReplayJobs::unknown);
  }

  // Described with the import it goes with: one path and method is one operation in OpenAPI.
  @Operation(hidden = true)
  @PostMapping(path = "/api/v1/config/import", params = "replay")
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<ConfigurationReplays.ImportReplay> importWithReplay(
      @RequestParam(defaultValue = "true") boolean dryRun,
      @RequestParam String replay,
      @RequestBody String body) {
    if (!dryRun) {
      throw new InvalidInputException(
          "dryRun", "a replay goes with a dry run: see what an import pages before applying it");
    }
    ConfigurationReplays.ImportReplay answer =
        configurationReplays.importing(body, duration("replay", replay), WAIT);
    return answer.replay().finished()
        ? ResponseEntity.ok(answer)
        : ResponseEntity.accepted()
            .location(URI.create(PATH + "/" + answer.replay().id()))
            .body(answer);
  }

  private static Instant instant(String field, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(field, "is not an instant such as 2026-12-01T00:00:00Z");
    }
  }

  static Duration duration(String field, String text) {
    try {
      Duration duration = Duration.parse(text);
      if (duration.isNegative() || duration.isZero()) {
        throw new InvalidInputException(field, "must be a positive duration");
      }
      return duration;
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(field, "is not an ISO duration such as P7D or PT12H");
    }
  }
}
