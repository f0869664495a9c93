package io.tocsin.replay;

import io.tocsin.config.ConfigDocument;
import io.tocsin.directory.AuditLog;
import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.directory.service.ServiceDeleted;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentQueries;
import io.tocsin.platform.ClusterJobs;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.NotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Dependencies that the incidents of the last 30 days suggest ({@link FollowingIncidents}), each
 * with its evidence and with the pages a replay of those 30 days says it would have saved. One node
 * looks every night; a person accepts a suggestion (the dependency is added, audited) or dismisses
 * it, and either way the next nights do not suggest it again. A suggestion whose evidence is gone
 * by the next night, or whose services got linked by hand, goes.
 */
@Service
public class DependencySuggestions {

  static final String JOB = "dependency-suggestions";

  /** How far back the look goes: within the longest window one replay covers. */
  static final Duration HISTORY = Duration.ofDays(30);

  /** Longer than any look should take; a node that holds it longer has died. */
  private static final Duration LEASE = Duration.ofHours(1);

  private static final Log log = LogFactory.getLog(DependencySuggestions.class);

  private static final String COLUMNS =
      """
      id, service_id, depends_on_id, status, cause_incidents, followed, median_lag_seconds,
      examples, pages_now, pages_with, incidents_now, incidents_with, window_from, window_to,
      computed_at, decided_at, decided_by""";

  /** Where a suggestion stands. */
  public enum Status {
    SUGGESTED,
    ACCEPTED,
    DISMISSED
  }

  /**
   * A suggested dependency: {@code service} depends on {@code dependsOn}.
   *
   * @param status suggested, accepted or dismissed
   */
  public record DependencySuggestion(
      UUID id,
      SuggestedService service,
      SuggestedService dependsOn,
      String status,
      SuggestionEvidence evidence,
      @Nullable SuggestionSavings replay,
      Instant computedAt,
      @Nullable Instant decidedAt,
      @Nullable String decidedBy) {}

  /** A service of a suggestion, by id and by name (its id once it is gone). */
  public record SuggestedService(UUID id, String name) {}

  /**
   * Why the dependency is suggested.
   *
   * @param causeIncidents the incidents the service depended on opened in the window
   * @param followed how many of them an incident of the dependent service followed
   * @param percent {@code followed} in percent of {@code causeIncidents}
   * @param medianLagSeconds the median time from a cause's incident to its follower's
   * @param examples the latest pairs, newest first
   */
  public record SuggestionEvidence(
      Instant from,
      Instant to,
      int causeIncidents,
      int followed,
      int percent,
      long medianLagSeconds,
      List<SuggestionExample> examples) {}

  /** One of the cause's incidents and the dependent's incident that opened after it. */
  public record SuggestionExample(
      SuggestionIncident cause, SuggestionIncident follower, long lagSeconds) {}

  /** An incident of the evidence. */
  public record SuggestionIncident(UUID id, long number, String title, Instant openedAt) {}

  /**
   * What a replay of the window says the dependency would have changed.
   *
   * @param pagesNow pages the configuration as it is would have sent
   * @param pagesWith pages with the dependency added
   * @param incidentsNow incidents (merged ones left out) the configuration as it is would have had
   * @param incidentsWith incidents with the dependency added
   */
  public record SuggestionSavings(
      int pagesNow, int pagesWith, int pagesSaved, int incidentsNow, int incidentsWith) {}

  private final JdbcClient jdbc;
  private final ClusterJobs jobs;
  private final DatabaseAvailability database;
  private final IncidentQueries incidents;
  private final ServiceCatalog services;
  private final Replays replays;
  private final ReplayConfigurations configurations;
  private final ReplayJobs replayJobs;
  private final AuditLog audit;
  private final ReplayProperties settings;
  private final JsonMapper json;
  private final IdGenerator ids;
  private final Clock clock;

  DependencySuggestions(
      JdbcClient jdbc,
      ClusterJobs jobs,
      DatabaseAvailability database,
      IncidentQueries incidents,
      ServiceCatalog services,
      Replays replays,
      ReplayConfigurations configurations,
      ReplayJobs replayJobs,
      AuditLog audit,
      ReplayProperties settings,
      JsonMapper json,
      IdGenerator ids,
      Clock clock) {
    this.jdbc = jdbc;
    this.jobs = jobs;
    this.database = database;
    this.incidents = incidents;
    this.services = services;
    this.replays = replays;
    this.configurations = configurations;
    this.replayJobs = replayJobs;
    this.audit = audit;
    this.settings = settings;
    this.json = json;
    this.ids = ids;
    this.clock = clock;
  }

  // The look runs on the replay thread, not on the scheduler's two, which live work shares.
  @Scheduled(initialDelayString = "PT5M", fixedDelayString = "PT15M")
  void scheduled() {
    if (!settings.suggestions() || !database.isReady()) {
      return;
    }
    replayJobs.background(
        () -> {
          try {
            lookIfDue();
          } catch (RuntimeException e) {
            // The database may have gone since the check; the lease lapses and a later pass
            // looks.
            log.warn("The look for dependencies to suggest failed: " + e.getMessage());
          }
        });
  }

  /** Looks when this node takes the job and the night's look is due; the suggestions then open. */
  Optional<List<DependencySuggestion>> lookIfDue() {
    return jobs.runIfDue(JOB, LEASE, this::nextNight, this::look);
  }

  private Instant nextNight(Instant after) {
    Instant at =
        after.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(settings.suggestionHour()));
    return at.isAfter(after) ? at : at.plus(Duration.ofDays(1));
  }

  /**
   * Looks at the incidents of the {@link #HISTORY} before {@code now}: suggests what they show,
   * replays each new or still open suggestion, and lets go of open suggestions they no longer show.
   * Answers the open suggestions.
   */
  List<DependencySuggestion> look(Instant now) {
    Instant from = now.minus(HISTORY);
    List<FollowingIncidents.Opening> openings = new ArrayList<>();
    for (Incident incident : incidents.opened(from, now, null)) {
      if (!incident.inferred()) {
        openings.add(
            new FollowingIncidents.Opening(
                incident.id(),
                incident.number(),
                incident.title(),
                incident.serviceId(),
                incident.openedAt()));
      }
    }
    DependencyGraph graph = services.dependencyGraph();
    List<FollowingIncidents.Following> found =
        FollowingIncidents.find(
            openings,
            (dependent, cause) ->
                graph.closure(dependent).contains(cause)
                    || graph.closure(cause).contains(dependent));
    Map<List<UUID>, Status> decided = new HashMap<>();
    jdbc.sql("SELECT service_id, depends_on_id, status FROM replay_dependency_suggestion")
        .query(
            rs -> {
              decided.put(
                  List.of(
                      rs.getObject("service_id", UUID.class),
                      rs.getObject("depends_on_id", UUID.class)),
                  EnumText.parse(Status.class, "status", rs.getString("status")));
            });
    ReplayConfiguration current = null;
    ReplayReport.ReplayOutcome asNow = null;
    Set<List<UUID>> shown = new HashSet<>();
    for (FollowingIncidents.Following following : found) {
      List<UUID> pair = List.of(following.service(), following.dependsOn());
      shown.add(pair);
      Status status = decided.get(pair);
      if (status != null && status != Status.SUGGESTED) {
        continue;
      }
      if (current == null) {
        current = configurations.current();
        Replays.Outcome replayed = replay(from, now, current);
        asNow =
            replayed == null
                ? null
                : ReplayReport.outcome(replayed, current, now, alerts -> Map.of());
      }
      @Nullable SuggestionSavings savings =
          asNow == null ? null : savings(from, now, current, asNow, following);
      save(following, savings, from, now);
    }
    decided.forEach(
        (pair, status) -> {
          if (status == Status.SUGGESTED && !shown.contains(pair)) {
            jdbc.sql(
                    "DELETE FROM replay_dependency_suggestion WHERE service_id = :s"
                        + " AND depends_on_id = :d AND status = 'suggested'")
                .param("s", pair.get(0))
                .param("d", pair.get(1))
                .update();
          }
        });
    log.info(
        "The look at "
            + openings.size()
            + " incidents of the last 30 days found "
            + found.size()
            + " services following another with no dependency between them");
    return list(Status.SUGGESTED);
  }

  private Replays.@Nullable Outcome replay(
      Instant from, Instant to, ReplayConfiguration configuration) {
    try {
      return replays.run(from, to, configuration, alerts -> {});
    } catch (RuntimeException e) {
      // The evidence stands without the replay's figures.
      log.warn("The replay for suggested dependencies failed: " + e.getMessage());
      return null;
    }
  }

  private @Nullable SuggestionSavings savings(
      Instant from,
      Instant to,
      ReplayConfiguration current,
      ReplayReport.ReplayOutcome before,
      FollowingIncidents.Following following) {
    CatalogService dependent = current.services().get(following.service());
    CatalogService cause = current.services().get(following.dependsOn());
    if (dependent == null || cause == null) {
      return null;
    }
    List<String> dependsOn = new ArrayList<>();
    dependent.dependencies().stream()
        .map(current.services()::get)
        .filter(service -> service != null)
        .forEach(service -> dependsOn.add(service.name()));
    dependsOn.add(cause.name());
    ConfigDocument candidate =
        new ConfigDocument(
            ConfigDocument.VERSION,
            null,
            List.of(
                new ConfigDocument.ServiceEntry(
                    dependent.name(),
                    null,
                    null,
                    null,
                    null,
                    dependsOn,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null)),
            null,
            null,
            null,
            null,
            null);
    Replays.Outcome with = replay(from, to, configurations.with(current, candidate));
    if (with == null) {
      return null;
    }
    ReplayReport.ReplayOutcome after = ReplayReport.outcome(with, current, to, alerts -> Map.of());
    return new SuggestionSavings(
        before.paging().pages(),
        after.paging().pages(),
        before.paging().pages() - after.paging().pages(),
        before.opened() - before.merged(),
        after.opened() - after.merged());
  }

  private void save(
      FollowingIncidents.Following following,
      @Nullable SuggestionSavings savings,
      Instant from,
      Instant to) {
    Map<String, Object> values = new HashMap<>();
    values.put("s", following.service());
    values.put("d", following.dependsOn());
    values.put("causes", following.causeIncidents());
    values.put("followed", following.pairs().size());
    values.put("lag", (int) following.medianLagSeconds());
    values.put("examples", json.writeValueAsString(examples(following)));
    values.put("pagesNow", savings == null ? null : savings.pagesNow());
    values.put("pagesWith", savings == null ? null : savings.pagesWith());
    values.put("incidentsNow", savings == null ? null : savings.incidentsNow());
    values.put("incidentsWith", savings == null ? null : savings.incidentsWith());
    values.put("from", utc(from));
    values.put("to", utc(to));
    values.put("now", utc(clock.instant()));
    int updated =
        jdbc.sql(
                """
                UPDATE replay_dependency_suggestion SET cause_incidents = :causes,
                  followed = :followed, median_lag_seconds = :lag, examples = :examples,
                  pages_now = :pagesNow, pages_with = :pagesWith, incidents_now = :incidentsNow,
                  incidents_with = :incidentsWith, window_from = :from, window_to = :to,
                  computed_at = :now
                WHERE service_id = :s AND depends_on_id = :d AND status = 'suggested'
                """)
            .params(values)
            .update();
    if (updated > 0) {
      return;
    }
    values.put("id", ids.generateId());
    try {
      jdbc.sql(
              """
              INSERT INTO replay_dependency_suggestion (id, service_id, depends_on_id, status,
                cause_incidents, followed, median_lag_seconds, examples, pages_now, pages_with,
                incidents_now, incidents_with, window_from, window_to, computed_at)
              VALUES (:id, :s, :d, 'suggested', :causes, :followed, :lag, :examples, :pagesNow,
                :pagesWith, :incidentsNow, :incidentsWith, :from, :to, :now)
              """)
          .params(values)
          .update();
    } catch (DuplicateKeyException e) {
      // Another node's look, asked for by hand, saved it first; or a person decided it meanwhile.
    }
  }

  private static List<SuggestionExample> examples(FollowingIncidents.Following following) {
    return following.examples().stream()
        .map(
            pair ->
                new SuggestionExample(
                    incident(pair.cause()), incident(pair.follower()), pair.lag().toSeconds()))
        .toList();
  }

  private static SuggestionIncident incident(FollowingIncidents.Opening opening) {
    return new SuggestionIncident(
        opening.incident(), opening.number(), opening.title(), opening.at());
  }

  /** The suggestions in this state, those with the most evidence first. */
  public List<DependencySuggestion> list(Status status) {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM replay_dependency_suggestion WHERE status = :status"
                + " ORDER BY followed DESC, computed_at DESC, id")
        .param("status", EnumText.canonical(status))
        .query(this::row)
        .list();
  }

  public DependencySuggestion get(UUID id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM replay_dependency_suggestion WHERE id = :id")
        .param("id", id)
        .query(this::row)
        .optional()
        .orElseThrow(() -> new NotFoundException("There is no dependency suggestion " + id + "."));
  }

  /** Adds the suggested dependency to the service (audited) and marks the suggestion accepted. */
  @Transactional
  public DependencySuggestion accept(UUID id) {
    DependencySuggestion suggestion = locked(id);
    if (suggestion.status().equals(EnumText.canonical(Status.ACCEPTED))) {
      return suggestion;
    }
    SuggestionEvidence evidence = suggestion.evidence();
    services.addDependency(
        suggestion.service().id(),
        suggestion.dependsOn().id(),
        "accepted the suggestion: "
            + evidence.followed()
            + " of its "
            + evidence.causeIncidents()
            + " incidents were followed by one of this service's within "
            + FollowingIncidents.WITHIN.toMinutes()
            + " minutes");
    decide(id, Status.ACCEPTED);
    return get(id);
  }

  /** Hides the suggestion: the next nights do not suggest it again. */
  @Transactional
  public DependencySuggestion dismiss(UUID id) {
    DependencySuggestion suggestion = locked(id);
    if (suggestion.status().equals(EnumText.canonical(Status.ACCEPTED))) {
      throw new ConflictException(
          "The suggestion was accepted: remove the dependency from the service instead.");
    }
    if (suggestion.status().equals(EnumText.canonical(Status.SUGGESTED))) {
      decide(id, Status.DISMISSED);
      audit.record(
          "dependency_suggestion.dismissed",
          "service " + suggestion.service().id(),
          "dismissed the suggestion that '"
              + suggestion.service().name()
              + "' depends on '"
              + suggestion.dependsOn().name()
              + "'");
    }
    return get(id);
  }

  private DependencySuggestion locked(UUID id) {
    jdbc.sql("SELECT id FROM replay_dependency_suggestion WHERE id = :id FOR UPDATE")
        .param("id", id)
        .query(UUID.class)
        .optional()
        .orElseThrow(() -> new NotFoundException("There is no dependency suggestion " + id + "."));
    return get(id);
  }

  private void decide(UUID id, Status status) {
    SignedInUser user = SignedInUser.current();
    jdbc.sql(
            "UPDATE replay_dependency_suggestion SET status = :status, decided_at = :now,"
                + " decided_by = :by WHERE id = :id")
        .param("status", EnumText.canonical(status))
        .param("now", utc(clock.instant()))
        .param("by", user == null ? "system" : user.email())
        .param("id", id)
        .update();
  }

  /** A deleted service is suggested nothing, and suggested as nobody's dependency. */
  @EventListener
  void on(ServiceDeleted deleted) {
    jdbc.sql(
            "DELETE FROM replay_dependency_suggestion WHERE service_id = :id OR depends_on_id = :id")
        .param("id", deleted.id())
        .update();
  }

  private DependencySuggestion row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    UUID service = rs.getObject("service_id", UUID.class);
    UUID dependsOn = rs.getObject("depends_on_id", UUID.class);
    int causes = rs.getInt("cause_incidents");
    int followed = rs.getInt("followed");
    Integer pagesNow = rs.getObject("pages_now", Integer.class);
    Integer pagesWith = rs.getObject("pages_with", Integer.class);
    Integer incidentsNow = rs.getObject("incidents_now", Integer.class);
    Integer incidentsWith = rs.getObject("incidents_with", Integer.class);
    OffsetDateTime decidedAt = rs.getObject("decided_at", OffsetDateTime.class);
    return new DependencySuggestion(
        rs.getObject("id", UUID.class),
        new SuggestedService(service, services.nameOf(service)),
        new SuggestedService(dependsOn, services.nameOf(dependsOn)),
        rs.getString("status").toLowerCase(Locale.ROOT),
        new SuggestionEvidence(
            rs.getObject("window_from", OffsetDateTime.class).toInstant(),
            rs.getObject("window_to", OffsetDateTime.class).toInstant(),
            causes,
            followed,
            causes == 0 ? 0 : followed * 100 / causes,
            rs.getInt("median_lag_seconds"),
            json.readValue(
                rs.getString("examples"), new TypeReference<List<SuggestionExample>>() {})),
        Stream.of(pagesNow, pagesWith, incidentsNow, incidentsWith).anyMatch(v -> v == null)
            ? null
            : new SuggestionSavings(
                pagesNow, pagesWith, pagesNow - pagesWith, incidentsNow, incidentsWith),
        rs.getObject("computed_at", OffsetDateTime.class).toInstant(),
        decidedAt == null ? null : decidedAt.toInstant(),
        rs.getString("decided_by"));
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
