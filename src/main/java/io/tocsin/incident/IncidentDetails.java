package io.tocsin.incident;

import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.AlertLookup;
import io.tocsin.ingest.ChangeEvent;
import io.tocsin.ingest.ChangeEvents;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.ListQuery;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import io.tocsin.platform.Severity;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * What an incident's page shows beside the incident itself: its timeline, notes and status updates,
 * its alerts with what their senders said, the services they came from and the changes made to
 * those services just before it opened.
 */
@Service
public class IncidentDetails {

  /** How far before an incident opened its services' changes are shown. */
  public static final Duration CHANGES_BEFORE = Duration.ofHours(1);

  private final JdbcClient jdbc;
  private final IncidentRecords records;
  private final ServiceCatalog services;
  private final ChangeEvents changes;
  private final AlertLookup alertLookup;

  IncidentDetails(
      JdbcClient jdbc,
      IncidentRecords records,
      ServiceCatalog services,
      ChangeEvents changes,
      AlertLookup alertLookup) {
    this.jdbc = jdbc;
    this.records = records;
    this.services = services;
    this.changes = changes;
    this.alertLookup = alertLookup;
  }

  /** An alert attached to an incident, with what the sender said about it. */
  public record AttachedAlert(
      UUID alertId,
      UUID serviceId,
      String serviceName,
      String fingerprint,
      String summary,
      Severity severity,
      AlertRole role,
      String status,
      Instant attachedAt,
      @Nullable Instant resolvedAt,
      AlertLookup.@Nullable AlertDetails details) {

    AttachedAlert with(String serviceName, AlertLookup.@Nullable AlertDetails details) {
      return new AttachedAlert(
          alertId,
          serviceId,
          serviceName,
          fingerprint,
          summary,
          severity,
          role,
          status,
          attachedAt,
          resolvedAt,
          details);
    }
  }

  /** A service with alerts on an incident. */
  public record AffectedService(
      UUID serviceId, String name, int alertCount, int firingCount, Instant firstAlertAt) {}

  public Page<TimelineEntry> timeline(UUID id, @Nullable UUID after, int limit) {
    records.get(id);
    return Page.of(
        ListQuery.from(
                "SELECT id, incident_id, at, kind, actor_kind, actor_id, actor_name, message,"
                    + " alert_count, last_at FROM incident_timeline")
            .where("incident_id = ?", id)
            .oldestFirst(jdbc, after, limit, IncidentRecords::timelineEntry),
        limit,
        TimelineEntry::id);
  }

  /**
   * The incident's {@code count} newest timeline entries, newest first, however long its timeline
   * has grown.
   */
  public List<TimelineEntry> latest(UUID id, int count) {
    return jdbc.sql(
            "SELECT id, incident_id, at, kind, actor_kind, actor_id, actor_name, message,"
                + " alert_count, last_at FROM incident_timeline"
                + " WHERE incident_id = :id ORDER BY id DESC LIMIT :count")
        .param("id", id)
        .param("count", count)
        .query(IncidentRecords::timelineEntry)
        .list();
  }

  /**
   * A stamp for each of these incidents that changes whenever its page would: everything that
   * happens to an incident writes a timeline entry or grows an entry's burst of alerts, wherever it
   * happened. Incidents without entries are left out.
   */
  public Map<UUID, String> timelineStamps(Collection<UUID> ids) {
    Map<UUID, String> stamps = new HashMap<>();
    if (ids.isEmpty()) {
      return stamps;
    }
    jdbc.sql(
            "SELECT incident_id, COUNT(*) AS entries, SUM(COALESCE(alert_count, 0)) AS alerts,"
                + " MAX(COALESCE(last_at, at)) AS latest FROM incident_timeline"
                + " WHERE incident_id IN (:ids) GROUP BY incident_id")
        .param("ids", ids)
        .query(
            rs -> {
              stamps.put(
                  rs.getObject("incident_id", UUID.class),
                  rs.getLong("entries")
                      + "/"
                      + rs.getLong("alerts")
                      + "/"
                      + rs.getObject("latest", OffsetDateTime.class).toInstant());
            });
    return stamps;
  }

  public List<TimelineEntry> notes(UUID id) {
    return jdbc.sql(
            "SELECT id, incident_id, at, kind, actor_kind, actor_id, actor_name, message,"
                + " alert_count, last_at FROM incident_timeline"
                + " WHERE incident_id = :id AND kind = 'note' ORDER BY id")
        .param("id", id)
        .query(IncidentRecords::timelineEntry)
        .list();
  }

  public List<StatusUpdate> statusUpdates(UUID id) {
    return jdbc.sql(
            "SELECT id, incident_id, phase, message, author_id, author_name, created_at"
                + " FROM incident_status_update WHERE incident_id = :id ORDER BY id")
        .param("id", id)
        .query(
            (rs, n) ->
                new StatusUpdate(
                    rs.getObject("id", UUID.class),
                    rs.getObject("incident_id", UUID.class),
                    EnumText.parse(StatusUpdate.Phase.class, "phase", rs.getString("phase")),
                    rs.getString("message"),
                    new Actor(
                        rs.getObject("author_id", UUID.class) == null
                            ? Actor.Kind.TOCSIN
                            : Actor.Kind.USER,
                        rs.getObject("author_id", UUID.class),
                        rs.getString("author_name")),
                    Objects.requireNonNull(IncidentRecords.instant(rs, "created_at"))))
        .list();
  }

  /** The incident's alerts in the order they were received (alert ids are time-ordered). */
  public Page<AttachedAlert> alerts(
      UUID id, @Nullable String status, @Nullable UUID after, int limit) {
    records.get(id);
    Page<AttachedAlert> page =
        Page.of(
            ListQuery.from(
                    "SELECT * FROM (SELECT alert_id AS id, incident_id, service_id, fingerprint,"
                        + " summary, severity, role, status, attached_at, resolved_at"
                        + " FROM incident_alert) attached")
                .where("incident_id = ?", id)
                .where("status = ?", status)
                .oldestFirst(
                    jdbc,
                    after,
                    limit,
                    (rs, n) ->
                        new AttachedAlert(
                            rs.getObject("id", UUID.class),
                            rs.getObject("service_id", UUID.class),
                            "",
                            rs.getString("fingerprint"),
                            rs.getString("summary"),
                            EnumText.parse(Severity.class, "severity", rs.getString("severity")),
                            EnumText.parse(AlertRole.class, "role", rs.getString("role")),
                            rs.getString("status"),
                            Objects.requireNonNull(IncidentRecords.instant(rs, "attached_at")),
                            IncidentRecords.instant(rs, "resolved_at"),
                            null)),
            limit,
            AttachedAlert::alertId);
    Map<UUID, AlertLookup.AlertDetails> details =
        alertLookup.details(page.items().stream().map(AttachedAlert::alertId).toList());
    Map<UUID, String> names = new HashMap<>();
    return page.map(
        a ->
            a.with(
                names.computeIfAbsent(a.serviceId(), this::serviceName), details.get(a.alertId())));
  }

  /** The services with alerts on the incident, the probable cause first, then by name. */
  public List<AffectedService> affectedServices(Incident incident) {
    List<AffectedService> affected = new ArrayList<>();
    jdbc.sql(
            "SELECT service_id, alert_count, firing_count, first_alert_at FROM incident_service"
                + " WHERE incident_id = :id")
        .param("id", incident.id())
        .query(
            rs -> {
              UUID service = rs.getObject("service_id", UUID.class);
              affected.add(
                  new AffectedService(
                      service,
                      serviceName(service),
                      rs.getInt("alert_count"),
                      rs.getInt("firing_count"),
                      Objects.requireNonNull(IncidentRecords.instant(rs, "first_alert_at"))));
            });
    affected.sort(
        Comparator.comparing(
                (AffectedService a) -> !a.serviceId().equals(incident.probableCauseServiceId()))
            .thenComparing(AffectedService::name));
    return affected;
  }

  /** A service's name, or its id when it has been deleted since. */
  public String serviceName(UUID id) {
    try {
      return services.get(id).name();
    } catch (NotFoundException e) {
      return id.toString();
    }
  }

  /**
   * The change events of the probable cause and the affected services in the hour before the
   * incident opened, newest first: the first suspects.
   */
  public List<ChangeEvent> recentChanges(Incident incident, int limit) {
    Set<UUID> suspects = new LinkedHashSet<>();
    suspects.add(incident.probableCauseServiceId());
    suspects.add(incident.serviceId());
    affectedServices(incident).forEach(a -> suspects.add(a.serviceId()));
    Instant until = incident.openedAt().plusSeconds(1);
    Instant since = incident.openedAt().minus(CHANGES_BEFORE);
    List<ChangeEvent> found = new ArrayList<>();
    for (UUID service : suspects) {
      found.addAll(changes.forService(service, since, until, limit));
    }
    found.sort(Comparator.comparing(ChangeEvent::happenedAt).reversed());
    return found.size() > limit ? List.copyOf(found.subList(0, limit)) : found;
  }

  /** The service an incident belongs to. */
  public CatalogService service(Incident incident) {
    return services.get(incident.serviceId());
  }
}
