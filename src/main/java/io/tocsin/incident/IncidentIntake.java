package io.tocsin.incident;

import static io.tocsin.incident.IncidentRecords.utc;

import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InLists;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Severity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
public class IncidentIntake implements Intake {

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
  @Override
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
  @Override
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
  @Override
  public Optional<Incident> lockOpen(UUID id) {
    Incident incident = records.lock(id);
    return incident.isOpen() ? Optional.of(incident) : Optional.empty();
  }

  /** The open incident of this service and group key, locked. */
  @Override
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
  @Override
  public List<Incident> firingIncidentsOf(Collection<UUID> serviceIds) {
    return openIncidentsOf(serviceIds, Instant.EPOCH).stream()
        .filter(i -> i.firingCount() > 0)
        .toList();
  }

  /** The open incidents of these services opened at or after {@code since}, locked. */
  @Override
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
                + " FROM incident WHERE status IN "
                + IncidentStatus.UNRESOLVED_SQL
                + " AND service_id IN (:services)"
                + " AND opened_at >= :since ORDER BY opened_at, id FOR UPDATE")
        .param("services", List.copyOf(serviceIds))
        .param("since", utc(since))
        .query(IncidentRecords::incident)
        .list()
        .stream()
        .filter(Incident::isOpen)
        .toList();
  }

  /** The open incidents opened at or after {@code since}, not locked, oldest first. */
  @Override
  public List<Incident> openedSince(Instant since) {
    return jdbc.sql(
            "SELECT "
                + IncidentRecords.COLUMNS
                + " FROM incident WHERE opened_at >= :since AND status IN "
                + IncidentStatus.UNRESOLVED_SQL
                + " ORDER BY opened_at, id")
        .param("since", utc(since))
        .query(IncidentRecords::incident)
        .list();
  }

  /** Whether the service has an open incident, whenever it opened. */
  @Override
  public boolean hasOpenIncident(UUID serviceId) {
    return jdbc.sql(
                "SELECT COUNT(*) FROM incident WHERE service_id = :service AND status IN "
                    + IncidentStatus.UNRESOLVED_SQL)
            .param("service", serviceId)
            .query(Integer.class)
            .single()
        > 0;
  }

  /** The open incident a person split out for this service, locked, if there is one. */
  @Override
  public Optional<Incident> openSplitOn(UUID serviceId) {
    return lockedOpen(openKey(serviceId, SPLIT));
  }

  /** The incident of this service and group key that resolved last, at or after {@code since}. */
  @Override
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
  @Override
  public Incident open(
      String title, String groupKey, Attachment trigger, @Nullable Incident recurrenceOf) {
    Instant now = clock.instant();
    New created =
        insert(
            new Row(
                title,
                trigger.serviceId(),
                groupKey,
                trigger.severity(),
                recurrenceOf == null ? null : recurrenceOf.id(),
                false,
                null,
                null,
                0,
                0),
            now);
    UUID id = created.id();
    long number = created.number();
    records.append(
        id,
        now,
        TimelineKind.OPENED,
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
        new IncidentOpened(id, number, trigger.serviceId(), trigger.severity(), title, true));
    return records.get(id);
  }

  /**
   * Opens an incident on a service that sent no alert, inferred from the failure of services that
   * need it; the caller merges their incidents into it, then calls {@link #inferred}. {@code
   * rivals} says what else they share when the choice was ambiguous. It pages the service's policy
   * as any new incident does.
   */
  @Override
  public Incident openInferred(
      UUID serviceId, String title, Severity severity, @Nullable String rivals) {
    New created =
        insert(
            new Row(title, serviceId, INFERRED, severity, null, true, rivals, null, 0, 0),
            clock.instant());
    UUID id = created.id();
    long number = created.number();
    metrics.opened(severity);
    metrics.changed();
    events.publishEvent(new IncidentOpened(id, number, serviceId, severity, title, true));
    return records.get(id);
  }

  /**
   * Opens an incident a person declared, with no alert: its group key is its own, so no alert joins
   * it by grouping, and it pages at once. The caller holds {@link #lock()}.
   */
  public Incident declare(
      String title, UUID serviceId, Severity severity, Actor actor, String description) {
    Instant now = clock.instant();
    New created =
        insert(
            new Row(
                title,
                serviceId,
                DECLARED + ids.generateId(),
                severity,
                null,
                false,
                null,
                null,
                0,
                0),
            now);
    records.append(
        created.id(),
        now,
        TimelineKind.DECLARED,
        actor,
        "Declared by " + actor.name() + (description.isEmpty() ? "" : ": " + description));
    metrics.opened(severity);
    metrics.changed();
    events.publishEvent(
        new IncidentOpened(created.id(), created.number(), serviceId, severity, title, false));
    return records.get(created.id());
  }

  /** Records on the timeline why the incident was inferred, once its symptoms are on it. */
  @Override
  public void inferred(Incident incident) {
    Incident current = records.get(incident.id());
    records.append(
        current.id(),
        clock.instant(),
        TimelineKind.CAUSE_INFERRED,
        Actor.TOCSIN,
        "Cause inferred: " + current.inference());
  }

  /** An incident to insert: what tells the three ways of opening one apart. */
  private record Row(
      String title,
      UUID serviceId,
      String groupKey,
      Severity severity,
      @Nullable UUID recurrenceOf,
      boolean inferred,
      @Nullable String rivals,
      @Nullable UUID splitFrom,
      int alerts,
      int firing) {}

  /** The id and number of an incident just inserted. */
  private record New(UUID id, long number) {}

  private New insert(Row row, Instant now) {
    UUID id = ids.generateId();
    long number = jdbc.sql("SELECT nextval('incident_number')").query(Long.class).single();
    jdbc.sql(
            """
            INSERT INTO incident
              (id, number, title, service_id, group_key, open_key, status, severity,
               severity_by_hand, probable_cause_service_id, recurrence_of, alert_count,
               firing_count, opened_at, updated_at, inferred, inference_rivals, split_from)
            VALUES (:id, :number, :title, :service, :groupKey, :openKey, 'open', :severity, FALSE,
                    :service, :recurrenceOf, :alerts, :firing, :now, :now, :inferred, :rivals,
                    :splitFrom)
            """)
        .param("id", id)
        .param("number", number)
        .param("title", row.title())
        .param("service", row.serviceId())
        .param("groupKey", row.groupKey())
        .param("openKey", openKey(row.serviceId(), row.groupKey()))
        .param("severity", EnumText.canonical(row.severity()))
        .param("recurrenceOf", row.recurrenceOf())
        .param("alerts", row.alerts())
        .param("firing", row.firing())
        .param("now", utc(now))
        .param("inferred", row.inferred())
        .param("rivals", row.rivals())
        .param("splitFrom", row.splitFrom())
        .update();
    return new New(id, number);
  }

  private Optional<Incident> lockedOpen(String openKey) {
    return jdbc.sql(
            "SELECT " + IncidentRecords.COLUMNS + " FROM incident WHERE open_key = :key FOR UPDATE")
        .param("key", openKey)
        .query(IncidentRecords::incident)
        .optional()
        .filter(Incident::isOpen);
  }

  /** The open incident inferred on this service, locked, if there is one. */
  @Override
  public Optional<Incident> openInferredOn(UUID serviceId) {
    return lockedOpen(openKey(serviceId, INFERRED));
  }

  /**
   * The service's own alert arrived on an incident inferred on it: the alert joins the incident,
   * which stops being inferred and takes the alert's title and group key, so that the alerts of
   * that group join it as they would have joined an incident the alert had opened. Nobody is paged
   * again for it.
   */
  @Override
  public Incident confirmInferred(
      Incident inferred, String title, String groupKey, Attachment trigger) {
    Instant now = clock.instant();
    jdbc.sql(
            """
            UPDATE incident SET inferred = FALSE, title = :title, group_key = :groupKey,
                   open_key = :openKey, updated_at = :now
            WHERE id = :id
            """)
        .param("title", title)
        .param("groupKey", groupKey)
        .param("openKey", openKey(inferred.serviceId(), groupKey))
        .param("now", utc(now))
        .param("id", inferred.id())
        .update();
    records.append(
        inferred.id(),
        now,
        TimelineKind.CAUSE_CONFIRMED,
        Actor.TOCSIN,
        "Cause confirmed by its own alert: "
            + trigger.summary()
            + ". It was inferred "
            + Duration.between(inferred.openedAt(), now).toSeconds()
            + " s earlier; title was '"
            + inferred.title()
            + "'.");
    Incident confirmed = records.get(inferred.id());
    attach(confirmed, List.of(trigger));
    return records.get(inferred.id());
  }

  /** Attaches alerts to an open incident, locked by the caller through one of the lookups. */
  public void attach(Incident incident, List<Attachment> alerts) {
    attach(Map.of(incident, alerts));
  }

  /**
   * Attaches alerts to open incidents, each locked by the caller through one of the lookups. The
   * statements go out one kind at a time for all the incidents together, not incident by incident:
   * a correlation transaction attaches single alerts to several incidents at once, and at seven
   * statements an incident these were most of its round trips.
   */
  @Override
  public void attach(Map<Incident, List<Attachment>> alertsByIncident) {
    Map<Incident, List<Attachment>> work = new LinkedHashMap<>();
    alertsByIncident.forEach(
        (incident, alerts) -> {
          if (!alerts.isEmpty()) {
            work.put(incident, alerts);
          }
        });
    if (work.isEmpty()) {
      return;
    }
    List<SqlParameterSource> rows = new ArrayList<>();
    work.forEach(
        (incident, alerts) ->
            alerts.forEach(
                alert ->
                    rows.add(
                        new MapSqlParameterSource()
                            .addValue("alert", alert.alertId())
                            .addValue("incident", incident.id())
                            .addValue("service", alert.serviceId())
                            .addValue("fingerprint", alert.fingerprint())
                            .addValue("summary", alert.summary())
                            .addValue("severity", EnumText.canonical(alert.severity()))
                            .addValue("role", EnumText.canonical(alert.role()))
                            .addValue("at", utc(alert.at())))));
    batch.batchUpdate(
        """
        INSERT INTO incident_alert
          (alert_id, incident_id, service_id, fingerprint, summary, severity, role, status,
           attached_at)
        VALUES (:alert, :incident, :service, :fingerprint, :summary, :severity, :role, 'firing',
                :at)
        """,
        rows.toArray(SqlParameterSource[]::new));
    List<ServiceShare> shares = new ArrayList<>();
    Map<UUID, Set<UUID>> servicesByIncident = new HashMap<>();
    work.forEach(
        (incident, alerts) -> {
          Map<UUID, List<Attachment>> byService =
              alerts.stream()
                  .collect(
                      Collectors.groupingBy(
                          Attachment::serviceId, LinkedHashMap::new, Collectors.toList()));
          byService.forEach(
              (service, attached) ->
                  shares.add(
                      new ServiceShare(
                          incident.id(),
                          service,
                          attached.size(),
                          attached.size(),
                          attached.get(0).at())));
          servicesByIncident.put(incident.id(), byService.keySet());
        });
    Set<UUID> newService = addToServices(shares);
    Map<UUID, Incident> current = records.getAll(servicesByIncident.keySet());
    Instant now = clock.instant();
    List<SqlParameterSource> counts = new ArrayList<>();
    Map<UUID, Integer> joined = new LinkedHashMap<>();
    work.forEach(
        (incident, alerts) -> {
          Incident before = Objects.requireNonNull(current.get(incident.id()));
          if (newService.contains(incident.id()) && before.inferred()) {
            describeInference(before);
          }
          Severity severity = before.severity();
          for (Attachment alert : alerts) {
            severity = IncidentRecords.higher(severity, alert.severity());
          }
          counts.add(
              new MapSqlParameterSource()
                  .addValue("n", alerts.size())
                  .addValue(
                      "severity",
                      EnumText.canonical(before.severityByHand() ? before.severity() : severity))
                  .addValue("now", utc(now))
                  .addValue("id", incident.id()));
          if (!before.severityByHand()) {
            records.severityMoved(incident.id(), before.severity(), severity);
          }
          int notTriggers =
              (int) alerts.stream().filter(a -> a.role() != AlertRole.TRIGGER).count();
          if (notTriggers > 0) {
            joined.put(incident.id(), notTriggers);
          }
        });
    batch.batchUpdate(
        """
        UPDATE incident SET alert_count = alert_count + :n, firing_count = firing_count + :n,
               severity = :severity, updated_at = :now
        WHERE id = :id
        """,
        counts.toArray(SqlParameterSource[]::new));
    records.bursts(joined, TimelineKind.ALERTS_ATTACHED, "attached", now, Actor.TOCSIN);
    List<UUID> elsewhere =
        work.keySet().stream()
            .filter(
                incident -> {
                  Set<UUID> touched = Objects.requireNonNull(servicesByIncident.get(incident.id()));
                  return touched.size() > 1 || !touched.contains(incident.serviceId());
                })
            .map(Incident::id)
            .toList();
    if (!elsewhere.isEmpty()) {
      DependencyGraph graph = services.dependencyGraph();
      records.getAll(elsewhere).values().forEach(i -> records.updateProbableCause(i, graph));
    }
  }

  /**
   * Merges {@code source} into {@code target}: its alerts move over (as symptoms when {@code
   * asSymptoms}), and it is resolved, naming the target. Both must be locked by the caller.
   */
  @Override
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
    List<ServiceShare> moved =
        jdbc.sql(
                "SELECT service_id, alert_count, firing_count, first_alert_at FROM incident_service"
                    + " WHERE incident_id = :source")
            .param("source", source.id())
            .query(
                (rs, n) ->
                    new ServiceShare(
                        target.id(),
                        rs.getObject("service_id", UUID.class),
                        rs.getInt("alert_count"),
                        rs.getInt("firing_count"),
                        Objects.requireNonNull(IncidentRecords.instant(rs, "first_alert_at"))))
            .list();
    if (!moved.isEmpty()) {
      addToServices(moved);
    }
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
        source.id(),
        now,
        TimelineKind.MERGED_INTO,
        actor,
        "Merged into " + target.reference() + because);
    records.append(
        target.id(),
        now,
        TimelineKind.MERGED_FROM,
        actor,
        "Merged "
            + source.reference()
            + " ("
            + source.alertCount()
            + " alerts) into this incident"
            + because);
    if (target.inferred()) {
      describeInference(target);
    }
    records.updateProbableCause(records.get(target.id()), services.dependencyGraph());
    metrics.changed();
    events.publishEvent(
        new IncidentStatusChanged(source.id(), source.status(), IncidentStatus.RESOLVED, actor));
    return records.get(target.id());
  }

  /**
   * Takes a service's alerts out of {@code source} into a new incident of that service, which pages
   * at once: a person says they are not a symptom of the source's cause. The service's later alerts
   * join the new incident instead of the cause's while it is open. Both must be serialised by the
   * caller ({@link #lock()}, then the source locked).
   */
  public Incident split(Incident source, UUID serviceId, Actor actor) {
    record Moved(UUID alert, String summary, Severity severity, boolean firing, Instant at) {}
    List<Moved> moved =
        jdbc.sql(
                "SELECT alert_id, summary, severity, status, attached_at FROM incident_alert"
                    + " WHERE incident_id = :source AND service_id = :service"
                    + " ORDER BY attached_at, alert_id")
            .param("source", source.id())
            .param("service", serviceId)
            .query(
                (rs, n) ->
                    new Moved(
                        rs.getObject("alert_id", UUID.class),
                        rs.getString("summary"),
                        EnumText.parse(Severity.class, "severity", rs.getString("severity")),
                        rs.getString("status").equals("firing"),
                        rs.getObject("attached_at", OffsetDateTime.class).toInstant()))
            .list();
    Instant now = clock.instant();
    Severity severity =
        moved.stream().map(Moved::severity).reduce(Severity::higher).orElse(Severity.WARNING);
    int firing = (int) moved.stream().filter(Moved::firing).count();
    String name = services.nameOf(serviceId);
    String title = moved.isEmpty() ? name + ", split out" : moved.get(0).summary();
    New created =
        insert(
            new Row(
                title,
                serviceId,
                SPLIT,
                severity,
                null,
                false,
                null,
                source.id(),
                moved.size(),
                firing),
            now);
    UUID id = created.id();
    long number = created.number();
    jdbc.sql(
            "UPDATE incident_alert SET incident_id = :target,"
                + " role = CASE WHEN role = 'inhibited' THEN role ELSE 'grouped' END"
                + " WHERE incident_id = :source AND service_id = :service")
        .param("target", id)
        .param("source", source.id())
        .param("service", serviceId)
        .update();
    jdbc.sql(
            "UPDATE incident_service SET incident_id = :target"
                + " WHERE incident_id = :source AND service_id = :service")
        .param("target", id)
        .param("source", source.id())
        .param("service", serviceId)
        .update();
    jdbc.sql(
            """
            UPDATE incident SET alert_count = alert_count - :alerts,
                   firing_count = firing_count - :firing, updated_at = :now
            WHERE id = :id
            """)
        .param("alerts", moved.size())
        .param("firing", firing)
        .param("now", utc(now))
        .param("id", source.id())
        .update();
    Incident split = records.get(id);
    records.append(
        source.id(),
        now,
        TimelineKind.SPLIT_OUT,
        actor,
        "Split "
            + name
            + " out as "
            + split.reference()
            + " ("
            + moved.size()
            + (moved.size() == 1 ? " alert" : " alerts")
            + "): not a symptom of this incident");
    records.append(
        id,
        now,
        TimelineKind.SPLIT_FROM,
        actor,
        "Split out of "
            + source.reference()
            + " by "
            + actor.name()
            + ": "
            + name
            + "'s alerts are not a symptom of its cause. Its next alerts join this incident.");
    Incident rest = records.get(source.id());
    if (rest.inferred()) {
      describeInference(rest);
    }
    records.updateProbableCause(rest, services.dependencyGraph());
    metrics.opened(severity);
    metrics.changed();
    events.publishEvent(new IncidentOpened(id, number, serviceId, severity, title, false));
    return split;
  }

  /**
   * Marks these alerts resolved on their incidents; an incident left with no firing alert resolves
   * itself when its service says so, recorded as done by Tocsin.
   */
  @Override
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
          TimelineKind.ALERTS_RESOLVED,
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
  @Override
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
  @Override
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
        String now = EnumText.canonical(Objects.requireNonNull(severities.get(alert.alert())));
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
            TimelineKind.SEVERITY_CHANGED,
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

  /**
   * Writes the evidence of an inferred incident as it stands: how many of the services that need
   * its service are failing on it, since when, and which.
   */
  private void describeInference(Incident incident) {
    record Failing(UUID service, Instant first) {}
    List<Failing> failing =
        jdbc.sql(
                "SELECT service_id, first_alert_at FROM incident_service"
                    + " WHERE incident_id = :id AND service_id <> :cause"
                    + " ORDER BY first_alert_at, service_id")
            .param("id", incident.id())
            .param("cause", incident.serviceId())
            .query(
                (rs, n) ->
                    new Failing(
                        rs.getObject("service_id", UUID.class),
                        rs.getObject("first_alert_at", OffsetDateTime.class).toInstant()))
            .list();
    if (failing.isEmpty()) {
      return;
    }
    int dependents = services.dependencyGraph().dependents(incident.serviceId()).size();
    List<String> names = failing.stream().map(f -> services.nameOf(f.service())).toList();
    String rivals =
        jdbc.sql("SELECT inference_rivals FROM incident WHERE id = :id")
            .param("id", incident.id())
            .query(String.class)
            .optional()
            .orElse(null);
    String text =
        failing.size()
            + " of its "
            + dependents
            + (dependents == 1 ? " dependent" : " dependents")
            + " failing since "
            + CLOCK_TIME.format(failing.get(0).first())
            + " UTC ("
            + String.join(", ", names.subList(0, Math.min(NAMED, names.size())))
            + (names.size() > NAMED ? " and " + (names.size() - NAMED) + " more" : "")
            + "), and "
            + services.nameOf(incident.serviceId())
            + " sent no alert of its own."
            + (rivals == null ? "" : " " + rivals);
    jdbc.sql("UPDATE incident SET inference = :text WHERE id = :id")
        .param("text", text)
        .param("id", incident.id())
        .update();
  }

  /** An incident's alerts of one service, to be added to what the incident holds of it. */
  private record ServiceShare(UUID incident, UUID service, int alerts, int firing, Instant first) {

    SqlParameterSource parameters() {
      return new MapSqlParameterSource()
          .addValue("incident", incident)
          .addValue("service", service)
          .addValue("alerts", alerts)
          .addValue("firing", firing)
          .addValue("first", utc(first));
    }
  }

  /**
   * Adds each share to its incident's row for the service, making the row where there is none yet;
   * answers the incidents that gained a service.
   */
  private Set<UUID> addToServices(List<ServiceShare> shares) {
    int[] updated =
        batch.batchUpdate(
            """
            UPDATE incident_service SET alert_count = alert_count + :alerts,
                   firing_count = firing_count + :firing,
                   first_alert_at = LEAST(first_alert_at, :first)
            WHERE incident_id = :incident AND service_id = :service
            """,
            shares.stream().map(ServiceShare::parameters).toArray(SqlParameterSource[]::new));
    List<ServiceShare> missing = new ArrayList<>();
    for (int i = 0; i < shares.size(); i++) {
      if (updated[i] == 0) {
        missing.add(shares.get(i));
      }
    }
    if (!missing.isEmpty()) {
      batch.batchUpdate(
          """
          INSERT INTO incident_service
            (incident_id, service_id, alert_count, firing_count, first_alert_at)
          VALUES (:incident, :service, :alerts, :firing, :first)
          """,
          missing.stream().map(ServiceShare::parameters).toArray(SqlParameterSource[]::new));
    }
    return missing.stream().map(ServiceShare::incident).collect(Collectors.toSet());
  }

  /** Whether the service resolves its incidents itself; a deleted service keeps the default. */
  private boolean autoResolves(UUID serviceId) {
    try {
      return services.get(serviceId).autoResolve();
    } catch (NotFoundException e) {
      return true;
    }
  }

  private static final DateTimeFormatter CLOCK_TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  /** How many failing services the evidence names before it counts the rest. */
  private static final int NAMED = 10;

  /** The group key of an inferred incident: no alert's labels can produce it. */
  static final String INFERRED = "tocsin:inferred";

  /** The start of the group key of an incident a person declared; an id makes it its own. */
  static final String DECLARED = "tocsin:declared:";

  /** The group key of an incident a person split out of its cause's. */
  static final String SPLIT = "tocsin:split";

  static String openKey(UUID serviceId, String groupKey) {
    return serviceId + " " + groupKey;
  }
}
