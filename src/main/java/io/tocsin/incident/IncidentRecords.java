package io.tocsin.incident;

import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InLists;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Severity;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.util.IdGenerator;

/**
 * The SQL that the correlation path and the API share: reading and locking incidents, the status
 * machine with its MTTA/MTTR times, the timeline, and the probable cause.
 */
@Component
class IncidentRecords {

  /** Alerts attached or resolved within this gap of the previous ones extend the same entry. */
  static final Duration BURST_GAP = Duration.ofMinutes(5);

  static final String COLUMNS =
      "id, number, title, service_id, group_key, status, severity, severity_by_hand, assignee_id,"
          + " probable_cause_service_id, recurrence_of, merged_into, alert_count, firing_count,"
          + " opened_at, acknowledged_at, resolved_at, resolved_by, updated_at, inferred, inference,"
          + " split_from, snoozed_until";

  private final JdbcClient jdbc;
  private final NamedParameterJdbcTemplate batch;
  private final IdGenerator ids;
  private final ApplicationEventPublisher events;
  private final IncidentMetrics metrics;

  IncidentRecords(
      JdbcClient jdbc,
      NamedParameterJdbcTemplate batch,
      IdGenerator ids,
      ApplicationEventPublisher events,
      IncidentMetrics metrics) {
    this.jdbc = jdbc;
    this.batch = batch;
    this.ids = ids;
    this.events = events;
    this.metrics = metrics;
  }

  Incident get(UUID id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM incident WHERE id = :id")
        .param("id", id)
        .query(IncidentRecords::incident)
        .optional()
        .orElseThrow(() -> new NotFoundException("There is no incident " + id + "."));
  }

  /** The incidents of {@code ids} that exist, by id. */
  Map<UUID, Incident> getAll(Collection<UUID> ids) {
    Map<UUID, Incident> found = new HashMap<>();
    for (List<UUID> chunk : InLists.of(ids)) {
      jdbc.sql("SELECT " + COLUMNS + " FROM incident WHERE id IN (:ids)")
          .param("ids", chunk)
          .query(IncidentRecords::incident)
          .list()
          .forEach(incident -> found.put(incident.id(), incident));
    }
    return found;
  }

  /** The incident, locked until the transaction ends. */
  Incident lock(UUID id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM incident WHERE id = :id FOR UPDATE")
        .param("id", id)
        .query(IncidentRecords::incident)
        .optional()
        .orElseThrow(() -> new NotFoundException("There is no incident " + id + "."));
  }

  /** Takes the row that serialises work on several incidents at once. */
  void lockAll() {
    jdbc.sql("SELECT id FROM incident_lock WHERE id = 1 FOR UPDATE").query(Integer.class).list();
  }

  /**
   * Moves a locked incident to {@code to}, or answers 409 naming its status and the allowed next
   * ones. The first move away from open sets the acknowledgement time: open → resolved directly
   * makes MTTA equal MTTR.
   */
  Incident changeStatus(
      Incident incident, IncidentStatus to, Actor actor, Instant now, String why) {
    if (!incident.status().canMoveTo(to)) {
      List<String> allowed = incident.status().next().stream().map(IncidentStatus::text).toList();
      String merged =
          incident.mergedInto() == null
              ? ""
              : " It was merged into incident " + reference(incident.mergedInto()) + ".";
      throw new ConflictException(
          "Incident "
              + incident.reference()
              + " is "
              + incident.status().text()
              + (allowed.isEmpty()
                  ? ", which is final."
                  : "; it can move to " + String.join(", ", allowed) + ".")
              + merged,
          Map.of("currentStatus", incident.status().text(), "allowedStatuses", allowed));
    }
    Instant acknowledged = incident.acknowledgedAt() == null ? now : incident.acknowledgedAt();
    Instant resolved = to == IncidentStatus.RESOLVED ? now : null;
    jdbc.sql(
            """
            UPDATE incident SET status = :status, acknowledged_at = :acknowledged,
                   resolved_at = :resolved, resolved_by = :resolvedBy,
                   open_key = CASE WHEN :status = 'resolved' THEN NULL ELSE open_key END,
                   snoozed_until = NULL, updated_at = :now
            WHERE id = :id
            """)
        .param("status", to.text())
        .param("acknowledged", utc(acknowledged))
        .param("resolved", resolved == null ? null : utc(resolved))
        .param("resolvedBy", resolved == null ? null : actor.name())
        .param("now", utc(now))
        .param("id", incident.id())
        .update();
    append(
        incident.id(),
        now,
        TimelineKind.reached(to),
        actor,
        why.isEmpty() ? label(to) : label(to) + ": " + why);
    if (incident.acknowledgedAt() == null) {
      metrics.acknowledgedAfter(Duration.between(incident.openedAt(), acknowledged));
    }
    if (resolved != null) {
      metrics.resolvedAfter(Duration.between(incident.openedAt(), resolved));
    }
    events.publishEvent(new IncidentStatusChanged(incident.id(), incident.status(), to, actor));
    return get(incident.id());
  }

  private static String label(IncidentStatus status) {
    switch (status) {
      case ACKNOWLEDGED:
        return "Acknowledged";
      case IN_PROGRESS:
        return "Work in progress";
      case RESOLVED:
        return "Resolved";
      default:
        return "Opened";
    }
  }

  String reference(UUID id) {
    return jdbc.sql("SELECT number FROM incident WHERE id = :id")
        .param("id", id)
        .query(Long.class)
        .optional()
        .map(n -> "#" + n)
        .orElse(id.toString());
  }

  /** Appends an entry to the timeline. */
  TimelineEntry append(UUID incident, Instant at, TimelineKind kind, Actor actor, String message) {
    UUID id = ids.generateId();
    jdbc.sql(
            """
            INSERT INTO incident_timeline
              (id, incident_id, at, kind, actor_kind, actor_id, actor_name, message)
            VALUES (:id, :incident, :at, :kind, :actorKind, :actorId, :actorName, :message)
            """)
        .param("id", id)
        .param("incident", incident)
        .param("at", utc(at))
        .param("kind", kind.text())
        .param("actorKind", actor.kind().text())
        .param("actorId", actor.id())
        .param("actorName", actor.name())
        .param("message", message)
        .update();
    return new TimelineEntry(id, incident, at, kind, actor, message, null, null);
  }

  /** Appends entries to several timelines in one batch. */
  void appendAll(List<Incidents.Entry> entries, Instant at) {
    if (entries.isEmpty()) {
      return;
    }
    batch.batchUpdate(
        """
        INSERT INTO incident_timeline
          (id, incident_id, at, kind, actor_kind, actor_id, actor_name, message)
        VALUES (:id, :incident, :at, :kind, :actorKind, :actorId, :actorName, :message)
        """,
        entries.stream()
            .map(
                entry ->
                    new MapSqlParameterSource()
                        .addValue("id", ids.generateId())
                        .addValue("incident", entry.incidentId())
                        .addValue("at", utc(at))
                        .addValue("kind", entry.kind().text())
                        .addValue("actorKind", entry.actor().kind().text())
                        .addValue("actorId", entry.actor().id())
                        .addValue("actorName", entry.actor().name())
                        .addValue("message", entry.message()))
            .toArray(SqlParameterSource[]::new));
  }

  /**
   * Records {@code count} alerts attached or resolved: the latest entry grows when it is a burst of
   * the same kind that saw alerts within {@link #BURST_GAP}, so that a storm is one entry.
   */
  void burst(UUID incident, TimelineKind kind, String verb, int count, Instant at, Actor actor) {
    bursts(Map.of(incident, count), kind, verb, at, actor);
  }

  /**
   * {@link #burst} for several incidents at once: each incident's last entry is still read on its
   * own, but the entries that grow are written in one batch.
   */
  void bursts(Map<UUID, Integer> counts, TimelineKind kind, String verb, Instant at, Actor actor) {
    record Last(UUID id, String kind, int count, Instant lastAt) {}
    List<SqlParameterSource> grown = new ArrayList<>();
    counts.forEach(
        (incident, count) -> {
          Last last =
              jdbc.sql(
                      """
                      SELECT id, kind, alert_count, last_at FROM incident_timeline
                      WHERE incident_id = :incident ORDER BY id DESC FETCH FIRST 1 ROWS ONLY
                      """)
                  .param("incident", incident)
                  .query(
                      (rs, n) ->
                          new Last(
                              rs.getObject("id", UUID.class),
                              rs.getString("kind"),
                              rs.getInt("alert_count"),
                              rs.getObject("last_at", OffsetDateTime.class) == null
                                  ? Instant.MIN
                                  : rs.getObject("last_at", OffsetDateTime.class).toInstant()))
                  .optional()
                  .orElse(null);
          if (last != null
              && last.kind().equals(kind.text())
              && !last.lastAt().isBefore(at.minus(BURST_GAP))) {
            int total = last.count() + count;
            grown.add(
                new MapSqlParameterSource()
                    .addValue("count", total)
                    .addValue("at", utc(at))
                    .addValue("message", alerts(total) + " " + verb)
                    .addValue("incident", incident)
                    .addValue("id", last.id()));
            return;
          }
          UUID id = append(incident, at, kind, actor, alerts(count) + " " + verb).id();
          jdbc.sql(
                  "UPDATE incident_timeline SET alert_count = :count, last_at = :at"
                      + " WHERE incident_id = :incident AND id = :id")
              .param("count", count)
              .param("at", utc(at))
              .param("incident", incident)
              .param("id", id)
              .update();
        });
    if (!grown.isEmpty()) {
      batch.batchUpdate(
          "UPDATE incident_timeline SET alert_count = :count, last_at = :at, message = :message"
              + " WHERE incident_id = :incident AND id = :id",
          grown.toArray(SqlParameterSource[]::new));
    }
  }

  static String alerts(int count) {
    if (count == 1) {
      return "1 alert";
    }
    // Not String.format's "%,d": it was 2 % of the server's samples under single alerts, written
    // again for every timeline entry that grows.
    StringBuilder text = new StringBuilder(Integer.toString(count));
    for (int comma = text.length() - 3; comma > 0; comma -= 3) {
      text.insert(comma, ',');
    }
    return text.append(" alerts").toString();
  }

  /**
   * Points the incident at the deepest of its services with a firing alert: the one that most of
   * the others need, directly or through others. Ties go to the incident's own service, then to the
   * service whose alerts came first.
   */
  void updateProbableCause(Incident incident, DependencyGraph graph) {
    if (incident.inferred()) {
      // Its service sent no alert: it is the cause by inference, whichever of its dependents
      // fires.
      return;
    }
    record Firing(UUID service, Instant first) {}
    List<Firing> firing =
        jdbc.sql(
                "SELECT service_id, first_alert_at FROM incident_service"
                    + " WHERE incident_id = :id AND firing_count > 0")
            .param("id", incident.id())
            .query(
                (rs, n) ->
                    new Firing(
                        rs.getObject("service_id", UUID.class),
                        rs.getObject("first_alert_at", OffsetDateTime.class).toInstant()))
            .list();
    if (firing.isEmpty()) {
      return;
    }
    Map<UUID, Integer> neededBy = new LinkedHashMap<>();
    for (Firing candidate : firing) {
      int count = 0;
      for (Firing other : firing) {
        if (graph.closure(other.service()).contains(candidate.service())) {
          count++;
        }
      }
      neededBy.put(candidate.service(), count);
    }
    UUID cause =
        firing.stream()
            .sorted(
                Comparator.comparing(
                        (Firing f) -> -Objects.requireNonNull(neededBy.get(f.service())))
                    .thenComparing(f -> !f.service().equals(incident.serviceId()))
                    .thenComparing(Firing::first))
            .findFirst()
            .orElseThrow()
            .service();
    if (!cause.equals(incident.probableCauseServiceId())) {
      jdbc.sql("UPDATE incident SET probable_cause_service_id = :cause WHERE id = :id")
          .param("cause", cause)
          .param("id", incident.id())
          .update();
    }
  }

  static Incident incident(ResultSet rs, int n) throws SQLException {
    return new Incident(
        rs.getObject("id", UUID.class),
        rs.getLong("number"),
        rs.getString("title"),
        rs.getObject("service_id", UUID.class),
        rs.getString("group_key"),
        EnumText.parse(IncidentStatus.class, "status", rs.getString("status")),
        EnumText.parse(Severity.class, "severity", rs.getString("severity")),
        rs.getBoolean("severity_by_hand"),
        rs.getObject("assignee_id", UUID.class),
        rs.getObject("probable_cause_service_id", UUID.class),
        rs.getObject("recurrence_of", UUID.class),
        rs.getObject("merged_into", UUID.class),
        rs.getInt("alert_count"),
        rs.getInt("firing_count"),
        Objects.requireNonNull(instant(rs, "opened_at")),
        instant(rs, "acknowledged_at"),
        instant(rs, "resolved_at"),
        rs.getString("resolved_by"),
        Objects.requireNonNull(instant(rs, "updated_at")),
        rs.getBoolean("inferred"),
        rs.getString("inference"),
        rs.getObject("split_from", UUID.class),
        instant(rs, "snoozed_until"));
  }

  static TimelineEntry timelineEntry(ResultSet rs, int n) throws SQLException {
    Object count = rs.getObject("alert_count");
    return new TimelineEntry(
        rs.getObject("id", UUID.class),
        rs.getObject("incident_id", UUID.class),
        Objects.requireNonNull(instant(rs, "at")),
        EnumText.parse(TimelineKind.class, "kind", rs.getString("kind")),
        new Actor(
            EnumText.parse(Actor.Kind.class, "actor", rs.getString("actor_kind")),
            rs.getObject("actor_id", UUID.class),
            rs.getString("actor_name")),
        rs.getString("message"),
        count == null ? null : ((Number) count).intValue(),
        instant(rs, "last_at"));
  }

  static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  /** The more urgent of two severities. */
  /** Publishes that an incident became more severe, if {@code to} is above {@code from}. */
  void severityMoved(UUID incident, Severity from, Severity to) {
    if (to != from && higher(from, to) == to) {
      events.publishEvent(new IncidentSeverityRaised(incident, from, to));
    }
  }

  static Severity higher(Severity a, Severity b) {
    return Severity.higher(a, b);
  }
}
