package io.tocsin.incident;

import static io.tocsin.incident.IncidentRecords.utc;

import io.tocsin.directory.TeamScope;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.AlertLookup;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InLists;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.ListQuery;
import io.tocsin.platform.Page;
import io.tocsin.platform.ReadDatabase;
import io.tocsin.platform.Severity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Incidents in numbers and lists: the console's and the API's lists, the weekly report, MTTA and
 * MTTR, the open incidents by severity. Read-only; counted in the database where a storm of
 * thousands would not fit in memory.
 */
@Service
public class IncidentQueries {

  private final JdbcClient jdbc;
  // Reports go to the read replica when there is one: they are the heavy reads and a moment's lag
  // changes nothing in them. Lists and counts stay on the primary: people act from them, and the
  // live console shows what an event just announced.
  private final ReadDatabase reports;
  private final IncidentDetails details;
  private final ServiceCatalog services;
  private final AlertLookup alerts;
  private final TeamScope scope;

  IncidentQueries(
      JdbcClient jdbc,
      ReadDatabase reads,
      IncidentDetails details,
      ServiceCatalog services,
      AlertLookup alerts,
      TeamScope scope) {
    this.scope = scope;
    this.jdbc = jdbc;
    this.reports = reads;
    this.details = details;
    this.services = services;
    this.alerts = alerts;
  }

  /** What a list keeps; {@code null} keeps everything. Times bound when incidents opened. */
  public record Filter(
      @Nullable Set<IncidentStatus> statuses,
      @Nullable UUID serviceId,
      @Nullable Set<Severity> severities,
      @Nullable UUID assigneeId,
      @Nullable Instant openedSince,
      @Nullable Instant openedBefore) {}

  /** Incidents newest first. */
  public Page<Incident> list(Filter filter, @Nullable UUID after, int limit) {
    return list(filter, null, after, limit);
  }

  /** Incidents newest first; {@code text} searches as {@link #mostUrgentFirst} does. */
  public Page<Incident> list(
      Filter filter, @Nullable String text, @Nullable UUID after, int limit) {
    ListQuery query =
        filtered(
            ListQuery.from("SELECT " + IncidentRecords.COLUMNS + " FROM incident"), filter, text);
    return Page.of(
        query.newestFirst(jdbc, after, limit, IncidentRecords::incident), limit, Incident::id);
  }

  /** The list's filters and its text search, as both orders apply them. */
  private ListQuery filtered(ListQuery query, Filter filter, @Nullable String text) {
    query
        .where("service_id = ?", filter.serviceId())
        .where("assignee_id = ?", filter.assigneeId())
        .where("opened_at >= ?", filter.openedSince() == null ? null : utc(filter.openedSince()))
        .where("opened_at < ?", filter.openedBefore() == null ? null : utc(filter.openedBefore()));
    query
        .whereIn(
            "status",
            filter.statuses() == null
                ? null
                : filter.statuses().stream().map(IncidentStatus::text).toList())
        .whereIn(
            "severity",
            filter.severities() == null
                ? null
                : filter.severities().stream().map(EnumText::canonical).toList());
    if (text != null && !text.isBlank()) {
      search(query, text.trim());
    }
    return scope.narrow(query, "service_id");
  }

  /** Alerts whose labels a search looks at: the newest this many that carry the text. */
  static final int SEARCHED_ALERTS = 2_000;

  // What is on fire first: nobody has taken it, then the most severe, then the newest, which is
  // the one a responder was just paged for; an older one of the same rank has been seen already.
  // The ranks are computed in the database so that the cursor can point between them.
  private static final String BY_URGENCY =
      """
      SELECT * FROM (
        SELECT %s,
               CASE status WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1
                           WHEN 'in_progress' THEN 2 ELSE 3 END AS status_rank,
               CASE severity WHEN 'critical' THEN 0 WHEN 'error' THEN 1
                             WHEN 'warning' THEN 2 ELSE 3 END AS severity_rank
        FROM incident) ranked
      """
          .formatted(IncidentRecords.COLUMNS);

  private static final String AFTER_URGENCY =
      "(status_rank > ? OR (status_rank = ? AND (severity_rank > ?"
          + " OR (severity_rank = ? AND id < ?))))";

  private static final String SEARCH =
      """
      (LOWER(title) LIKE ? ESCAPE '\\'
       OR id IN (SELECT incident_id FROM incident_alert WHERE LOWER(summary) LIKE ? ESCAPE '\\')
       %s %s)""";

  /**
   * The console's lists: the open ones first, then the acknowledged, then those in progress, then
   * the resolved; within a status the most severe first, then the newest. {@code text} searches the
   * title, the alerts' summaries, the name of any service the incident touches and the alerts'
   * label values. The cursor carries the ranks as well as the id ("0.1.id"), so paging stays in
   * order; an incident whose status changes between two pages may be seen twice or not at all.
   */
  public Page<Incident> mostUrgentFirst(
      Filter filter, @Nullable String text, @Nullable String cursor, int limit) {
    ListQuery query = filtered(ListQuery.from(BY_URGENCY), filter, text);
    Position after = Position.parse(cursor);
    if (after != null) {
      query.whereAll(
          AFTER_URGENCY,
          List.of(after.status(), after.status(), after.severity(), after.severity(), after.id()));
    }
    List<Incident> rows =
        query.fetch(jdbc, "status_rank, severity_rank, id DESC", limit, IncidentRecords::incident);
    if (rows.size() <= limit) {
      return new Page<>(List.copyOf(rows), null);
    }
    Incident last = rows.get(limit - 1);
    return new Page<>(
        List.copyOf(rows.subList(0, limit)),
        last.status().ordinal() + "." + last.severity().ordinal() + "." + last.id());
  }

  private void search(ListQuery query, String text) {
    String like =
        "%"
            + text.toLowerCase(Locale.ROOT)
                .replace("\\", "\\\\")
                .replace("%", "\\%")
                .replace("_", "\\_")
            + "%";
    List<Object> values = new ArrayList<>(List.of(like, like));
    List<UUID> serviceIds =
        services.list(text, null, Page.MAX_LIMIT).items().stream().map(CatalogService::id).toList();
    String byService = "";
    if (!serviceIds.isEmpty()) {
      String marks = String.join(", ", Collections.nCopies(serviceIds.size(), "?"));
      byService =
          "OR service_id IN (%1$s) OR id IN (SELECT incident_id FROM incident_service WHERE service_id IN (%1$s))"
              .formatted(marks);
      values.addAll(serviceIds);
      values.addAll(serviceIds);
    }
    Set<UUID> alertIds = alerts.withLabelValueContaining(text, SEARCHED_ALERTS);
    String byLabel = "";
    if (!alertIds.isEmpty()) {
      byLabel =
          "OR id IN (SELECT incident_id FROM incident_alert WHERE alert_id IN (%s))"
              .formatted(String.join(", ", Collections.nCopies(alertIds.size(), "?")));
      values.addAll(alertIds);
    }
    query.whereAll(SEARCH.formatted(byService, byLabel), values);
  }

  /** Where a page of {@link #mostUrgentFirst} ended: the ranks of its last incident, and its id. */
  private record Position(int status, int severity, UUID id) {

    static @Nullable Position parse(@Nullable String cursor) {
      if (cursor == null || cursor.isBlank()) {
        return null;
      }
      String[] parts = cursor.trim().split("\\.", 3);
      try {
        if (parts.length == 3) {
          int status = Integer.parseInt(parts[0]);
          int severity = Integer.parseInt(parts[1]);
          if (status >= 0
              && status < IncidentStatus.values().length
              && severity >= 0
              && severity < Severity.values().length) {
            return new Position(status, severity, UUID.fromString(parts[2]));
          }
        }
      } catch (IllegalArgumentException e) {
        // falls through to the refusal below
      }
      throw new InvalidInputException("cursor", "is not a cursor returned by this list");
    }
  }

  // An incident counts for every service it touches: its own, and each service with alerts on it
  // (a symptom of a dependency's incident pages nobody of its own, but it is still down).
  private static final String OPEN_BY_SERVICE =
      """
      SELECT service_id, COUNT(DISTINCT incident_id) AS n FROM (
        SELECT id AS incident_id, service_id FROM incident WHERE status IN %1$s
        UNION
        SELECT s.incident_id, s.service_id FROM incident_service s
        JOIN incident i ON i.id = s.incident_id WHERE i.status IN %1$s) touched
      GROUP BY service_id
      """
          .formatted(IncidentStatus.UNRESOLVED_SQL);

  /** How many unresolved incidents touch each service, as their service or as a symptom. */
  public Map<UUID, Integer> openTouchingEachService() {
    Map<UUID, Integer> counts = new LinkedHashMap<>();
    jdbc.sql(OPEN_BY_SERVICE)
        .query(
            rs -> {
              counts.put(rs.getObject("service_id", UUID.class), rs.getInt("n"));
            });
    return counts;
  }

  /**
   * The unresolved incidents that touch a service, as its own or as a symptom, most urgent first:
   * at most {@code limit}.
   */
  public List<Incident> openTouching(UUID serviceId, int limit) {
    List<Incident> rows =
        ListQuery.from(BY_URGENCY)
            .whereAll("status IN " + IncidentStatus.UNRESOLVED_SQL, List.of())
            // EXISTS, so that each of the few unresolved incidents is looked up by its key rather
            // than every incident a service ever had being listed.
            .whereAll(
                "(service_id = ? OR EXISTS (SELECT 1 FROM incident_service s"
                    + " WHERE s.incident_id = ranked.id AND s.service_id = ?))",
                List.of(serviceId, serviceId))
            .fetch(jdbc, "status_rank, severity_rank, id DESC", limit, IncidentRecords::incident);
    return rows.subList(0, Math.min(limit, rows.size()));
  }

  /** The Monday 00:00 UTC that the epoch-second week numbers below count from (1970-01-05). */
  private static final long FIRST_MONDAY = 4 * 86_400;

  private static final long WEEK = 7 * 86_400;

  // Percentiles in the database, so that a quarter of ten thousand incidents is not loaded:
  // PERCENTILE_DISC ... WITHIN GROUP works on PostgreSQL and H2 2.x alike, and ignores NULLs.
  private static final String WEEKLY =
      """
      SELECT FLOOR((EXTRACT(EPOCH FROM opened_at) - %1$d) / %2$d) AS week,
             COUNT(*) AS opened,
             COUNT(*) FILTER (WHERE severity = 'critical') AS critical,
             COUNT(*) FILTER (WHERE severity = 'error') AS error,
             COUNT(*) FILTER (WHERE severity = 'warning') AS warning,
             COUNT(*) FILTER (WHERE severity = 'info') AS info,
             PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY %3$s) AS mtta_p50,
             PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY %3$s) AS mtta_p90,
             PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY %4$s) AS mttr_p50,
             PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY %4$s) AS mttr_p90
      FROM incident
      WHERE opened_at >= :since AND opened_at < :until AND merged_into IS NULL %5$s
      GROUP BY FLOOR((EXTRACT(EPOCH FROM opened_at) - %1$d) / %2$d)
      ORDER BY 1
      """;

  /**
   * The incidents opened in [since, until) week by week, of the given services or ({@code null})
   * all; weeks without incidents are left out.
   */
  public List<IncidentWeek> weekly(
      Instant since, Instant until, @Nullable Collection<UUID> serviceIds) {
    if (!since.isBefore(until)) {
      throw new InvalidInputException("since", "must be before until");
    }
    if (serviceIds != null && serviceIds.isEmpty()) {
      return List.of();
    }
    String sql =
        WEEKLY.formatted(
            FIRST_MONDAY,
            WEEK,
            "EXTRACT(EPOCH FROM acknowledged_at) - EXTRACT(EPOCH FROM opened_at)",
            "EXTRACT(EPOCH FROM resolved_at) - EXTRACT(EPOCH FROM opened_at)",
            serviceIds == null ? "" : "AND service_id IN (:services)");
    return reports.read(
        db ->
            db.sql(sql)
                .param("since", utc(since))
                .param("until", utc(until))
                .params(serviceIds == null ? Map.of() : Map.of("services", serviceIds))
                .query(
                    (rs, n) ->
                        new IncidentWeek(
                            Instant.ofEpochSecond(FIRST_MONDAY + rs.getLong("week") * WEEK),
                            rs.getInt("opened"),
                            rs.getInt("critical"),
                            rs.getInt("error"),
                            rs.getInt("warning"),
                            rs.getInt("info"),
                            seconds(rs, "mtta_p50"),
                            seconds(rs, "mtta_p90"),
                            seconds(rs, "mttr_p50"),
                            seconds(rs, "mttr_p90")))
                .list());
  }

  private static @Nullable Long seconds(ResultSet rs, String column) throws SQLException {
    BigDecimal value = rs.getBigDecimal(column);
    return value == null ? null : value.setScale(0, RoundingMode.HALF_UP).longValue();
  }

  /**
   * How many incidents are open (open, acknowledged or in progress) at each severity, every
   * severity present: counted in the database, so a storm of thousands is counted right.
   */
  public Map<Severity, Long> openBySeverity() {
    Map<Severity, Long> counts = new EnumMap<>(Severity.class);
    for (Severity severity : Severity.values()) {
      counts.put(severity, 0L);
    }
    openByStatusAndSeverity()
        .values()
        .forEach(
            bySeverity ->
                bySeverity.forEach((severity, n) -> counts.merge(severity, n, Long::sum)));
    return counts;
  }

  /**
   * How many incidents are open at each status and severity present. Two tallies differ when an
   * incident opened, was taken or resolved, wherever that happened, which is how the console's live
   * lists learn of another node's work.
   */
  public Map<IncidentStatus, Map<Severity, Long>> openByStatusAndSeverity() {
    Map<IncidentStatus, Map<Severity, Long>> counts = new EnumMap<>(IncidentStatus.class);
    jdbc.sql(
            "SELECT status, severity, COUNT(*) AS n FROM incident"
                + " WHERE status IN ('open', 'acknowledged', 'in_progress') GROUP BY status, severity")
        .query(
            rs -> {
              counts
                  .computeIfAbsent(
                      EnumText.parse(IncidentStatus.class, "status", rs.getString("status")),
                      status -> new EnumMap<>(Severity.class))
                  .put(
                      EnumText.parse(Severity.class, "severity", rs.getString("severity")),
                      rs.getLong("n"));
            });
    return counts;
  }

  /** The incident each of these alerts belongs to, of those that belong to one. */
  public Map<UUID, Incident> ofAlerts(Collection<UUID> alertIds) {
    Map<UUID, UUID> incidentOf = new HashMap<>();
    for (List<UUID> chunk : InLists.of(alertIds)) {
      jdbc.sql("SELECT alert_id, incident_id FROM incident_alert WHERE alert_id IN (:ids)")
          .param("ids", chunk)
          .query(
              rs -> {
                incidentOf.put(
                    rs.getObject("alert_id", UUID.class), rs.getObject("incident_id", UUID.class));
              });
    }
    Map<UUID, Incident> incidents = new HashMap<>();
    for (List<UUID> chunk : InLists.of(new HashSet<>(incidentOf.values()))) {
      jdbc.sql("SELECT " + IncidentRecords.COLUMNS + " FROM incident WHERE id IN (:ids)")
          .param("ids", chunk)
          .query(IncidentRecords::incident)
          .list()
          .forEach(incident -> incidents.put(incident.id(), incident));
    }
    Map<UUID, Incident> byAlert = new HashMap<>();
    incidentOf.forEach(
        (alert, incident) -> {
          Incident found = incidents.get(incident);
          if (found != null) {
            byAlert.put(alert, found);
          }
        });
    return byAlert;
  }

  /**
   * The incidents opened in [since, until), of one service or all, merged ones included, in the
   * order they opened.
   */
  public List<Incident> opened(Instant since, Instant until, @Nullable UUID serviceId) {
    // Made inside the read: a query builder is used up by its run, and the read may run twice.
    return reports.read(
        db ->
            ListQuery.from("SELECT " + IncidentRecords.COLUMNS + " FROM incident")
                .where("opened_at >= ?", utc(since))
                .where("opened_at < ?", utc(until))
                .where("service_id = ?", serviceId)
                .oldestFirst(db, null, Integer.MAX_VALUE - 1, IncidentRecords::incident));
  }

  /** MTTA, MTTR and counts of the incidents opened in [since, until), of one service or all. */
  public IncidentStats stats(Instant since, Instant until, @Nullable UUID serviceId) {
    if (!since.isBefore(until)) {
      throw new InvalidInputException("since", "must be before until");
    }
    List<Incident> opened = opened(since, until, serviceId);
    List<Incident> counted = opened.stream().filter(i -> i.mergedInto() == null).toList();
    Map<UUID, List<Incident>> byService = new LinkedHashMap<>();
    Map<Severity, Integer> bySeverity = new EnumMap<>(Severity.class);
    for (Incident incident : counted) {
      byService.computeIfAbsent(incident.serviceId(), k -> new ArrayList<>()).add(incident);
      bySeverity.merge(incident.severity(), 1, Integer::sum);
    }
    List<IncidentStats.ServiceCount> services = new ArrayList<>();
    byService.forEach(
        (service, incidents) ->
            services.add(
                new IncidentStats.ServiceCount(
                    service,
                    details.serviceName(service),
                    incidents.size(),
                    durations(incidents, Incident::timeToAcknowledge),
                    durations(incidents, Incident::timeToResolve))));
    services.sort(
        Comparator.comparing((IncidentStats.ServiceCount c) -> -c.opened())
            .thenComparing(IncidentStats.ServiceCount::name));
    List<IncidentStats.SeverityCount> severities = new ArrayList<>();
    bySeverity.forEach(
        (severity, n) ->
            severities.add(new IncidentStats.SeverityCount(EnumText.canonical(severity), n)));
    return new IncidentStats(
        since,
        until,
        counted.size(),
        opened.size() - counted.size(),
        (int) counted.stream().filter(Incident::isOpen).count(),
        durations(counted, Incident::timeToAcknowledge),
        durations(counted, Incident::timeToResolve),
        services,
        severities);
  }

  private static IncidentStats.Durations durations(
      List<Incident> incidents, Function<Incident, Duration> time) {
    return IncidentStats.Durations.of(
        incidents.stream().map(time).filter(Objects::nonNull).toList());
  }
}
