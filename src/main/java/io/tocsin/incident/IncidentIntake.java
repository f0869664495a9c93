package io.tocsin.incident;

import static io.tocsin.incident.IncidentRecords.utc;

import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.Severity;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InLists;
import io.tocsin.platform.NotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/**
 * How correlation changes incidents: open one, attach alerts, merge, and follow what the alerts do
 * (resolve, acknowledge, change severity). Every method runs inside the caller's transaction, which
 * must first call {@link #lock()}: correlation decides "no incident exists yet, open one" under
 * that lock, so that two nodes never both decide it, and the unique open key turns any path that
 * skipped it into an error instead of a duplicate incident.
 */
@Service
@Transactional(propagation = Propagation.MANDATORY)
public class IncidentIntake {

  private final JdbcClient jdbc;
  private final NamedParameterJdbcTemplate batch;
  private final IncidentRecords records;
  private final IncidentMetrics metrics;
  private final ServiceCatalog services;
  private final ApplicationEventPublisher events;
  private final Clock clock;
  private final IdGenerator ids;

  IncidentIntake(
      JdbcClient jdbc,
      NamedParameterJdbcTemplate batch,
      IncidentRecords records,
      IncidentMetrics metrics,
      ServiceCatalog services,
      ApplicationEventPublisher events,
      Clock clock,
      IdGenerator ids) {
    this.jdbc = jdbc;
    this.batch = batch;
    this.records = records;
    this.metrics = metrics;
    this.services = services;
    this.events = events;
    this.clock = clock;
    this.ids = ids;
  }

  /** An alert to attach to an incident. */
  public record Attachment(
      UUID alertId,
      UUID serviceId,
      String fingerprint,
      String summary,
      Severity severity,
      AlertRole role,
      Instant at) {}

  /** Takes the lock that serialises correlation across nodes, until the transaction ends. */
  public void lock() {
    records.lockAll();
  }

  /** Which of these alerts are attached, and to which incident. */
  public Map<UUID, UUID> incidentsOf(Collection<UUID> alertIds) {
    Map<UUID, UUID> found = new HashMap<>();
    for (List<UUID> chunk : InLists.of(alertIds)) {
      jdbc.sql("SELECT alert_id, incident_id FROM incident_alert WHERE alert_id IN (:ids)")
          .param("ids", chunk)
          .query(
              rs -> {
                found.put(
                    rs.getObject("alert_id", UUID.class), rs.getObject("incident_id", UUID.class));
              });
    }
    return found;
  }

  /** The incident this alert is on, whatever its status. */
  public Optional<Incident> incidentOfAlert(UUID alertId) {
    return jdbc.sql(
            "SELECT "
                + IncidentRecords.COLUMNS
                + " FROM incident WHERE id = (SELECT incident_id FROM incident_alert"
                + " WHERE alert_id = :alert)")
        .param("alert", alertId)
        .query(IncidentRecords::incident)
        .optional();
  }

  /** The incident, locked, if it is still open. */
  public Optional<Incident> lockOpen(UUID id) {
    Incident incident = records.lock(id);
    return incident.isOpen() ? Optional.of(incident) : Optional.empty();
  }

  /** The open incident of this service and group key, locked. */
  public Optional<Incident> openIncident(UUID serviceId, String groupKey) {
    return jdbc.sql(
            "SELECT " + IncidentRecords.COLUMNS + " FROM incident WHERE open_key = :key FOR UPDATE")
        .param("key", openKey(serviceId, groupKey))
        .query(IncidentRecords::incident)
        .optional()
        .filter(Incident::isOpen);
  }

  /**
   * The open incidents of these services that still have a firing alert, locked, oldest first: an
   * incident whose alerts have all resolved is no longer evidence that the service is down.
   */
  public List<Incident> firingIncidentsOf(Collection<UUID> serviceIds) {
    return openIncidentsOf(serviceIds, Instant.EPOCH).stream()
        .filter(i -> i.firingCount() > 0)
        .toList();
  }

  /** The open incidents of these services opened at or after {@code since}, locked. */
  public List<Incident> openIncidentsSince(Collection<UUID> serviceIds, Instant since) {
    return openIncidentsOf(serviceIds, since);
  }

  private List<Incident> openIncidentsOf(Collection<UUID> serviceIds, Instant since) {
    if (serviceIds.isEmpty()) {
      return List.of();
    }
    // Checked again after the lock: a row locked while someone resolved it is read as it is now.
    return jdbc
        .sql(
            "SELECT "
                + IncidentRecords.COLUMNS
                + " FROM incident WHERE status <> 'resolved' AND service_id IN (:services)"
                + " AND opened_at >= :since ORDER BY opened_at, id FOR UPDATE")
        .param("services", List.copyOf(serviceIds))
        .param("since", utc(since))
        .query(IncidentRecords::incident)
        .list()
        .stream()
        .filter(Incident::isOpen)
        .toList();
  }

  /** The incident of this service and group key that resolved last, at or after {@code since}. */
  public Optional<Incident> resolvedSince(UUID serviceId, String groupKey, Instant since) {
    return jdbc.sql(
            "SELECT "
                + IncidentRecords.COLUMNS
                + " FROM incident WHERE service_id = :service AND group_key = :key"
                + " AND resolved_at >= :since AND merged_into IS NULL"
                + " ORDER BY resolved_at DESC FETCH FIRST 1 ROWS ONLY")
        .param("service", serviceId)
        .param("key", groupKey)
        .param("since", utc(since))
        .query(IncidentRecords::incident)
        .optional();
  }

  /**
   * Opens an incident with its first alert. {@code recurrenceOf} names the incident of the same
   * service and group key that resolved within the flap window.
   */
  public Incident open(
      String title, String groupKey, Attachment trigger, @Nullable Incident recurrenceOf) {
    Instant now = clock.instant();
    UUID id = ids.generateId();
    long number = jdbc.sql("SELECT nextval('incident_number')").query(Long.class).single();
    jdbc.sql(
            """
            INSERT INTO incident
              (id, number, title, service_id, group_key, open_key, status, severity,
               severity_by_hand, probable_cause_service_id, recurrence_of, alert_count,
               firing_count, opened_at, updated_at)
            VALUES (:id, :number, :title, :service, :groupKey, :openKey, 'open', :severity, FALSE,
                    :service, :recurrenceOf, 0, 0, :now, :now)
            """)
        .param("id", id)
        .param("number", number)
        .param("title", title)
        .param("service", trigger.serviceId())
        .param("groupKey", groupKey)
        .param("openKey", openKey(trigger.serviceId(), groupKey))
        .param("severity", EnumText.canonical(trigger.severity()))
        .param("recurrenceOf", recurrenceOf == null ? null : recurrenceOf.id())
        .param("now", utc(now))
        .update();
    records.append(
        id,
        now,
        "opened",
        Actor.TOCSIN,
        "Opened by "
            + trigger.summary()
            + (recurrenceOf == null
                ? ""
                : " (a recurrence of "
                    + recurrenceOf.reference()
                    + ", resolved "
                    + recurrenceOf.resolvedAt()
                    + ")"));
    Incident incident = records.get(id);
    attach(incident, List.of(trigger));
    metrics.opened(trigger.severity());
    metrics.changed();
    events.publishEvent(
        new IncidentOpened(id, number, trigger.serviceId(), trigger.severity(), title));
    return records.get(id);
  }

  /** Attaches alerts to an open incident, locked by the caller through one of the lookups. */
  public void attach(Incident incident, List<Attachment> alerts) {
    if (alerts.isEmpty()) {
      return;
    }
    batch.batchUpdate(
        """
        INSERT INTO incident_alert
          (alert_id, incident_id, service_id, fingerprint, summary, severity, role, status,
           attached_at)
        VALUES (:alert, :incident, :service, :fingerprint, :summary, :severity, :role, 'firing',
                :at)
        """,
        alerts.stream()
            .map(
                alert ->
                    new MapSqlParameterSource()
                        .addValue("alert", alert.alertId())
                        .addValue("incident", incident.id())
                        .addValue("service", alert.serviceId())
                        .addValue("fingerprint", alert.fingerprint())
                        .addValue("summary", alert.summary())
                        .addValue("severity", EnumText.canonical(alert.severity()))
                        .addValue("role", EnumText.canonical(alert.role()))
                        .addValue("at", utc(alert.at())))
            .toArray(SqlParameterSource[]::new));
    Map<UUID, List<Attachment>> byService =
        alerts.stream()
            .collect(
                Collectors.groupingBy(
                    Attachment::serviceId, LinkedHashMap::new, Collectors.toList()));
    byService.forEach(
        (service, attached) ->
            addToService(
                incident.id(), service, attached.size(), attached.size(), attached.get(0).at()));
    Incident current = records.get(incident.id());
    Severity severity = current.severity();
    for (Attachment alert : alerts) {
      severity = IncidentRecords.higher(severity, alert.severity());
    }
    Instant now = clock.instant();
    jdbc.sql(
            """
            UPDATE incident SET alert_count = alert_count + :n, firing_count = firing_count + :n,
                   severity = :severity, updated_at = :now
            WHERE id = :id
            """)
        .param("n", alerts.size())
        .param(
            "severity",
            EnumText.canonical(current.severityByHand() ? current.severity() : severity))
        .param("now", utc(now))
        .param("id", incident.id())
        .update();
    if (!current.severityByHand()) {
      records.severityMoved(incident.id(), current.severity(), severity);
    }
    List<Attachment> joined = alerts.stream().filter(a -> a.role() != AlertRole.TRIGGER).toList();
    if (!joined.isEmpty()) {
      records.burst(incident.id(), "alerts_attached", "attached", joined.size(), now, Actor.TOCSIN);
    }
    if (byService.size() > 1 || !byService.containsKey(incident.serviceId())) {
      records.updateProbableCause(records.get(incident.id()), services.dependencyGraph());
    }
  }

  /**
   * Merges {@code source} into {@code target}: its alerts move over (as symptoms when {@code
   * asSymptoms}), and it is resolved, naming the target. Both must be locked by the caller.
   */
  public Incident merge(
      Incident target, Incident source, boolean asSymptoms, Actor actor, String why) {
    Instant now = clock.instant();
    jdbc.sql(
            """
            UPDATE incident_alert SET incident_id = :target,
                   role = CASE WHEN role IN ('trigger', 'grouped') THEN :moved ELSE role END
            WHERE incident_id = :source
            """)
        .param("target", target.id())
        .param("source", source.id())
        .param("moved", asSymptoms ? "symptom" : "grouped")
        .update();
    record Counts(UUID service, int alerts, int firing, Instant first) {}
    List<Counts> moved =
        jdbc.sql(
                "SELECT service_id, alert_count, firing_count, first_alert_at FROM incident_service"
                    + " WHERE incident_id = :source")
            .param("source", source.id())
            .query(
                (rs, n) ->
                    new Counts(
                        rs.getObject("service_id", UUID.class),
                        rs.getInt("alert_count"),
                        rs.getInt("firing_count"),
                        IncidentRecords.instant(rs, "first_alert_at")))
            .list();
    moved.forEach(c -> addToService(target.id(), c.service(), c.alerts(), c.firing(), c.first()));
    jdbc.sql("DELETE FROM incident_service WHERE incident_id = :source")
        .param("source", source.id())
        .update();
    Severity severity =
        target.severityByHand()
            ? target.severity()
            : IncidentRecords.higher(target.severity(), source.severity());
    jdbc.sql(
            """
            UPDATE incident SET alert_count = alert_count + :alerts,
                   firing_count = firing_count + :firing, severity = :severity, updated_at = :now
            WHERE id = :id
            """)
        .param("alerts", source.alertCount())
        .param("firing", source.firingCount())
        .param("severity", EnumText.canonical(severity))
        .param("now", utc(now))
        .param("id", target.id())
        .update();
    jdbc.sql(
            """
            UPDATE incident SET status = 'resolved', open_key = NULL, merged_into = :target,
                   firing_count = 0, resolved_at = :now, resolved_by = :by, updated_at = :now
            WHERE id = :id
            """)
        .param("target", target.id())
        .param("now", utc(now))
        .param("by", actor.name())
        .param("id", source.id())
        .update();
    String because = why.isEmpty() ? "" : ": " + why;
    records.append(
        source.id(), now, "merged_into", actor, "Merged into " + target.reference() + because);
    records.append(
        target.id(),
        now,
        "merged_from",
        actor,
        "Merged "
            + source.reference()
            + " ("
            + source.alertCount()
            + " alerts) into this incident"
            + because);
    records.updateProbableCause(records.get(target.id()), services.dependencyGraph());
    metrics.changed();
    events.publishEvent(
        new IncidentStatusChanged(source.id(), source.status(), IncidentStatus.RESOLVED, actor));
    return records.get(target.id());
  }

  /**
   * Marks these alerts resolved on their incidents; an incident left with no firing alert resolves
   * itself when its service says so, recorded as done by Tocsin.
   */
  public void resolved(Collection<UUID> alertIds, Instant at) {
    record Row(UUID alert, UUID incident, UUID service) {}
    List<Row> rows = new ArrayList<>();
    for (List<UUID> chunk : InLists.of(alertIds)) {
      rows.addAll(
          jdbc.sql(
                  "SELECT alert_id, incident_id, service_id FROM incident_alert"
                      + " WHERE alert_id IN (:ids) AND status = 'firing'")
              .param("ids", chunk)
              .query(
                  (rs, n) ->
                      new Row(
                          rs.getObject("alert_id", UUID.class),
                          rs.getObject("incident_id", UUID.class),
                          rs.getObject("service_id", UUID.class)))
              .list());
      jdbc.sql(
              "UPDATE incident_alert SET status = 'resolved', resolved_at = :at"
                  + " WHERE alert_id IN (:ids) AND status = 'firing'")
          .param("at", utc(at))
          .param("ids", chunk)
          .update();
    }
    Map<UUID, List<Row>> byIncident =
        rows.stream()
            .collect(Collectors.groupingBy(Row::incident, LinkedHashMap::new, Collectors.toList()));
    Instant now = clock.instant();
    DependencyGraph graph = null;
    for (Map.Entry<UUID, List<Row>> entry : byIncident.entrySet()) {
      records.lock(entry.getKey());
      entry.getValue().stream()
          .collect(Collectors.groupingBy(Row::service, Collectors.counting()))
          .forEach(
              (service, count) ->
                  jdbc.sql(
                          "UPDATE incident_service SET firing_count = firing_count - :n"
                              + " WHERE incident_id = :incident AND service_id = :service")
                      .param("n", count.intValue())
                      .param("incident", entry.getKey())
                      .param("service", service)
                      .update());
      jdbc.sql(
              "UPDATE incident SET firing_count = firing_count - :n, updated_at = :now"
                  + " WHERE id = :id")
          .param("n", entry.getValue().size())
          .param("now", utc(now))
          .param("id", entry.getKey())
          .update();
      records.burst(
          entry.getKey(),
          "alerts_resolved",
          "resolved",
          entry.getValue().size(),
          now,
          Actor.TOCSIN);
      Incident incident = records.get(entry.getKey());
      if (incident.firingCount() == 0 && incident.isOpen()) {
        if (autoResolves(incident.serviceId())) {
          records.changeStatus(
              incident, IncidentStatus.RESOLVED, Actor.TOCSIN, now, "every alert has resolved");
          metrics.changed();
        }
      } else if (incident.isOpen()) {
        graph = graph == null ? services.dependencyGraph() : graph;
        records.updateProbableCause(incident, graph);
      }
    }
  }

  /**
   * The sender acknowledged these alerts (PagerDuty's {@code acknowledge}): their open incidents
   * are acknowledged by the integration.
   */
  public void acknowledged(Collection<UUID> alertIds, Actor actor) {
    Set<UUID> incidents = Set.copyOf(incidentsOf(alertIds).values());
    Instant now = clock.instant();
    for (UUID id : incidents) {
      Incident incident = records.lock(id);
      if (incident.status() == IncidentStatus.OPEN) {
        records.changeStatus(incident, IncidentStatus.ACKNOWLEDGED, actor, now, "");
        metrics.changed();
      }
    }
  }

  /**
   * Alerts sent again, with the severity each was sent with. A changed severity is written to the
   * alert, and its open incident follows unless a person set the incident's severity. Answers those
   * of the alerts that fire on an incident a person resolved: nothing pages for them any more, so
   * their next occurrence must open a new incident.
   */
  public Set<UUID> refreshed(Map<UUID, Severity> severities) {
    // One read per chunk serves both answers: every re-send of a storm passes through here.
    record Stored(UUID alert, UUID incident, String severity, boolean firingOnResolved) {}
    Map<UUID, UUID> incidents = new HashMap<>();
    Set<UUID> firingOnResolved = new HashSet<>();
    for (List<UUID> chunk : InLists.of(severities.keySet())) {
      List<Stored> stored =
          jdbc.sql(
                  """
                  SELECT a.alert_id, a.incident_id, a.severity,
                         a.status = 'firing' AND i.status = 'resolved' AS firing_on_resolved
                  FROM incident_alert a JOIN incident i ON i.id = a.incident_id
                  WHERE a.alert_id IN (:ids)
                  """)
              .param("ids", chunk)
              .query(
                  (rs, n) ->
                      new Stored(
                          rs.getObject("alert_id", UUID.class),
                          rs.getObject("incident_id", UUID.class),
                          rs.getString("severity"),
                          rs.getBoolean("firing_on_resolved")))
              .list();
      for (Stored alert : stored) {
        if (alert.firingOnResolved()) {
          firingOnResolved.add(alert.alert());
        }
        // Every re-send reports a severity: only the few that differ from the stored one cost a
        // write.
        String now = EnumText.canonical(severities.get(alert.alert()));
        if (!now.equals(alert.severity())) {
          jdbc.sql("UPDATE incident_alert SET severity = :severity WHERE alert_id = :alert")
              .param("severity", now)
              .param("alert", alert.alert())
              .update();
          incidents.put(alert.alert(), alert.incident());
        }
      }
    }
    for (UUID id : Set.copyOf(incidents.values())) {
      Incident incident = records.lock(id);
      if (!incident.isOpen() || incident.severityByHand()) {
        continue;
      }
      Severity highest =
          jdbc
              .sql("SELECT DISTINCT severity FROM incident_alert WHERE incident_id = :id")
              .param("id", id)
              .query(String.class)
              .list()
              .stream()
              .map(text -> EnumText.parse(Severity.class, "severity", text))
              .reduce(IncidentRecords::higher)
              .orElse(incident.severity());
      if (highest != incident.severity()) {
        Instant now = clock.instant();
        jdbc.sql("UPDATE incident SET severity = :severity, updated_at = :now WHERE id = :id")
            .param("severity", EnumText.canonical(highest))
            .param("now", utc(now))
            .param("id", id)
            .update();
        records.append(
            id,
            now,
            "severity_changed",
            Actor.TOCSIN,
            "Severity "
                + EnumText.canonical(incident.severity())
                + " → "
                + EnumText.canonical(highest)
                + ", following its alerts");
        records.severityMoved(id, incident.severity(), highest);
      }
    }
    return firingOnResolved;
  }

  private void addToService(UUID incident, UUID service, int alerts, int firing, Instant first) {
    int updated =
        jdbc.sql(
                """
                UPDATE incident_service SET alert_count = alert_count + :alerts,
                       firing_count = firing_count + :firing,
                       first_alert_at = LEAST(first_alert_at, :first)
                WHERE incident_id = :incident AND service_id = :service
                """)
            .param("alerts", alerts)
            .param("firing", firing)
            .param("first", utc(first))
            .param("incident", incident)
            .param("service", service)
            .update();
    if (updated == 0) {
      jdbc.sql(
              """
              INSERT INTO incident_service
                (incident_id, service_id, alert_count, firing_count, first_alert_at)
              VALUES (:incident, :service, :alerts, :firing, :first)
              """)
          .param("incident", incident)
          .param("service", service)
          .param("alerts", alerts)
          .param("firing", firing)
          .param("first", utc(first))
          .update();
    }
  }

  /** Whether the service resolves its incidents itself; a deleted service keeps the default. */
  private boolean autoResolves(UUID serviceId) {
    try {
      return services.get(serviceId).autoResolve();
    } catch (NotFoundException e) {
      return true;
    }
  }

  static String openKey(UUID serviceId, String groupKey) {
    return serviceId + " " + groupKey;
  }
}
