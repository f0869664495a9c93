package io.tocsin.replay;

import io.tocsin.config.ConfigDocument;
import io.tocsin.config.ConfigImport;
import io.tocsin.incident.IncidentQueries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/**
 * What a configuration document would have done with the recent alerts: its import's dry run, and a
 * replay under the configuration as that import would make it, side by side with the configuration
 * as it is. The API's import and the console's configuration page both ask here.
 */
@Service
public class ConfigurationReplays {

  private final Replays replays;
  private final ReplayJobs jobs;
  private final ConfigImport importer;
  private final ReplayConfigurations configurations;
  private final IncidentQueries incidents;
  private final Clock clock;

  ConfigurationReplays(
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

  /**
   * The dry run of an import and what the imported document would have paged.
   *
   * @param notReplayed the import's changes that the replay does not try (schedules, policies,
   *     integrations): it pages as now for those
   */
  public record ImportReplay(
      ConfigImport.Result dryRun, List<String> notReplayed, ReplayJobs.View replay) {}

  /**
   * Dry-runs the import of {@code document}, and replays the {@code window} until now under the
   * configuration it would make; answers once the replay is done or after {@code wait}.
   */
  public ImportReplay importing(String document, Duration window, Duration wait) {
    Instant end = clock.instant();
    Instant start = end.minus(window);
    Replays.check(start, end);
    ConfigDocument parsed = ConfigDocument.parse(document);
    ConfigImport.Result changes = importer.apply(parsed, true);
    List<String> notReplayed =
        changes.changes().stream()
            .filter(change -> !ReplayConfigurations.replays(change))
            .map(ConfigurationReplays::describe)
            .toList();
    ReplayConfiguration now = configurations.current();
    ReplayConfiguration imported = configurations.whole(now, parsed);
    ReplayJobs.View job =
        jobs.submit(
            2 * replays.alertsIn(start, end),
            changes.changes().stream().map(ConfigurationReplays::describe).toList(),
            notReplayed,
            progress -> report(start, end, now, imported, progress),
            wait);
    return new ImportReplay(changes, notReplayed, job);
  }

  /** A replay job of this node, while it is kept. */
  public ReplayJobs.View job(UUID id) {
    return jobs.find(id).orElseThrow(ReplayJobs::unknown);
  }

  /** Replays the window as configured and, if given, under the changed configuration. */
  ReplayReport report(
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
        ReplayReport.outcome(current, now, end, incidents::ofAlerts),
        proposed == null || changed == null
            ? null
            : ReplayReport.outcome(proposed, changed, end, incidents::ofAlerts),
        proposed == null || changed == null
            ? null
            : ReplayReport.changes(current, proposed, changed, end, incidents::ofAlerts));
  }

  private static String describe(ConfigImport.Change change) {
    return change.action()
        + " "
        + change.kind()
        + " "
        + change.name()
        + (change.fields().isEmpty() ? "" : " " + change.fields());
  }
}
