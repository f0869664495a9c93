package io.tocsin.replay;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.config.ConfigDocument;
import io.tocsin.config.ConfigImport;
import io.tocsin.incident.IncidentQueries;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
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
  private final ConfigImport importer;
  private final ReplayConfigurations configurations;
  private final IncidentQueries incidents;
  private final Clock clock;

  ReplayController(
      Replays replays,
      ReplayJobs jobs,
      ConfigImport importer,
      ReplayConfigurations configurations,
      IncidentQueries incidents,
      Clock clock) {
    this.replays = replays;
    this.jobs = jobs;
    this.importer = importer;
    this.configurations = configurations;
    this.incidents = incidents;
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
              + " autoResolve) of the service it names, and a list of inhibitionRules or silences"
              + " replaces them all. Answers what happened, what the configuration as now and the"
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
            progress -> report(start, end, now, changed, progress),
            WAIT);
    return job.finishedAt() == null
        ? ResponseEntity.accepted().location(URI.create(PATH + "/" + job.id())).body(job)
        : ResponseEntity.ok(job);
  }

  @Operation(summary = "A replay: its progress, and its report once done")
  @GetMapping(PATH + "/{id}")
  @PreAuthorize("hasRole('ADMIN')")
  ReplayJobs.View job(@PathVariable UUID id) {
    return jobs.find(id).orElseThrow(ReplayController::unknown);
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
    return jobs.cancel(id).orElseThrow(ReplayController::unknown);
  }

  /**
   * The dry run of an import and what the imported document would have paged.
   *
   * @param notReplayed the import's changes that the replay does not try (schedules, policies,
   *     integrations): it pages as now for those
   */
  record ImportReplay(
      ConfigImport.Result dryRun, List<String> notReplayed, ReplayJobs.View replay) {}

  // Described with the import it goes with: one path and method is one operation in OpenAPI.
  @Operation(hidden = true)
  @PostMapping(path = "/api/v1/config/import", params = "replay")
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<ImportReplay> importWithReplay(
      @RequestParam(defaultValue = "true") boolean dryRun,
      @RequestParam String replay,
      @RequestBody String body) {
    if (!dryRun) {
      throw new InvalidInputException(
          "dryRun", "a replay goes with a dry run: see what an import pages before applying it");
    }
    Instant end = clock.instant();
    Instant start = end.minus(duration("replay", replay));
    Replays.check(start, end);
    ConfigDocument document = ConfigDocument.parse(body);
    ConfigImport.Result changes = importer.apply(document, true);
    List<String> notReplayed =
        changes.changes().stream()
            .filter(change -> !ReplayConfigurations.replays(change))
            .map(change -> change.action() + " " + change.kind() + " " + change.name())
            .toList();
    ReplayConfiguration now = configurations.current();
    ReplayConfiguration imported = configurations.whole(now, document);
    ReplayJobs.View job =
        jobs.submit(
            2 * replays.alertsIn(start, end),
            progress -> report(start, end, now, imported, progress),
            WAIT);
    ImportReplay answer = new ImportReplay(changes, notReplayed, job);
    return job.finishedAt() == null
        ? ResponseEntity.accepted().location(URI.create(PATH + "/" + job.id())).body(answer)
        : ResponseEntity.ok(answer);
  }

  private ReplayReport report(
      Instant start,
      Instant end,
      ReplayConfiguration now,
      @Nullable ReplayConfiguration changed,
      ReplayJobs.Progress progress) {
    Replays.Outcome current = replays.run(start, end, now, progress);
    Replays.Outcome proposed = changed == null ? null : replays.run(start, end, changed, progress);
    return new ReplayReport(
        start,
        end,
        current.alerts(),
        ReplayReport.ActualIncidents.of(incidents.stats(start, end, null)),
        ReplayReport.outcome(current, now, end),
        proposed == null || changed == null ? null : ReplayReport.outcome(proposed, changed, end),
        proposed == null || changed == null
            ? null
            : ReplayReport.changes(current, proposed, changed, end));
  }

  private static NotFoundException unknown() {
    return new NotFoundException(
        "No replay of that id on this node: a replay is kept an hour, on the node that ran it.");
  }

  private static Instant instant(String field, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(field, "is not an instant such as 2026-12-01T00:00:00Z");
    }
  }

  private static Duration duration(String field, String text) {
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
