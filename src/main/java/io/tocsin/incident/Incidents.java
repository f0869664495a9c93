package io.tocsin.incident;

import static io.tocsin.incident.IncidentRecords.utc;

import io.tocsin.directory.UserService;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.AlertLookup;
import io.tocsin.ingest.ChangeEvent;
import io.tocsin.ingest.ChangeEvents;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InLists;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.ListQuery;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import io.tocsin.platform.Severity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/** Incidents as people read and handle them: lists, details, status, notes and status updates. */
@Service
public class Incidents {

  /** How far before an incident opened its services' changes are shown. */
  public static final Duration CHANGES_BEFORE = Duration.ofHours(1);

  private static final int MAX_TEXT = 10_000;

  private final JdbcClient jdbc;
  private final IncidentRecords records;
  private final IncidentIntake intake;
  private final ServiceCatalog services;
  private final UserService users;
  private final ChangeEvents changes;
  private final AlertLookup alertLookup;
  private final Clock clock;
  private final IdGenerator ids;
  private final ApplicationEventPublisher events;

  Incidents(
      JdbcClient jdbc,
      IncidentRecords records,
      IncidentIntake intake,
      ServiceCatalog services,
      UserService users,
      ChangeEvents changes,
      AlertLookup alertLookup,
      Clock clock,
      IdGenerator ids,
      ApplicationEventPublisher events) {
    this.jdbc = jdbc;
    this.records = records;
    this.intake = intake;
    this.services = services;
    this.users = users;
    this.changes = changes;
    this.alertLookup = alertLookup;
    this.clock = clock;
    this.ids = ids;
    this.events = events;
  }

  /** What a list keeps; {@code null} keeps everything. Times bound when incidents opened. */
  public record Filter(
      @Nullable Set<IncidentStatus> statuses,
      @Nullable UUID serviceId,
      @Nullable Set<Severity> severities,
      @Nullable UUID assigneeId,
      @Nullable Instant openedSince,
      @Nullable Instant openedBefore) {}

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

  public Incident get(UUID id) {
    return records.get(id);
  }

  /** The incidents among {@code ids} that exist, by id. */
  public Map<UUID, Incident> getAll(Collection<UUID> ids) {
    return getAll(ids, "");
  }

  /**
   * {@link #getAll}, locked until the caller's transaction ends: paging reads an incident this way
   * so that a merge committing at the same moment is seen, and the merged incident not paged.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public Map<UUID, Incident> lockAll(Collection<UUID> ids) {
    return getAll(ids.stream().sorted().toList(), " ORDER BY id FOR UPDATE");
  }

  private Map<UUID, Incident> getAll(Collection<UUID> ids, String lock) {
    Map<UUID, Incident> found = new HashMap<>();
    for (List<UUID> chunk : InLists.of(new LinkedHashSet<>(ids))) {
      jdbc.sql("SELECT " + IncidentRecords.COLUMNS + " FROM incident WHERE id IN (:ids)" + lock)
          .param("ids", chunk)
          .query(IncidentRecords::incident)
          .list()
          .forEach(incident -> found.put(incident.id(), incident));
    }
    return found;
  }

  /**
   * The number of the incident each of these alerts is attached to; unattached ones are left out.
   */
  public Map<UUID, Long> numbersOfAlerts(Collection<UUID> alertIds) {
    Map<UUID, Long> found = new HashMap<>();
    for (List<UUID> chunk : InLists.of(new LinkedHashSet<>(alertIds))) {
      jdbc.sql(
              """
              SELECT a.alert_id, i.number FROM incident_alert a
              JOIN incident i ON i.id = a.incident_id
              WHERE a.alert_id IN (:ids)
              """)
          .param("ids", chunk)
          .query(
              rs -> {
                found.put(rs.getObject("alert_id", UUID.class), rs.getLong("number"));
              });
    }
    return found;
  }

  /** What another module adds to an incident's timeline, such as who was paged. */
  public record Entry(UUID incidentId, String kind, Actor actor, String message) {}

  /** Appends entries to their incidents' timelines, as of now, in the caller's transaction. */
  @Transactional(propagation = Propagation.MANDATORY)
  public void record(List<Entry> entries) {
    records.appendAll(entries, clock.instant());
  }

  /** An incident by its number, as in "#42". */
  public Incident byNumber(long number) {
    return jdbc.sql("SELECT " + IncidentRecords.COLUMNS + " FROM incident WHERE number = :n")
        .param("n", number)
        .query(IncidentRecords::incident)
        .optional()
        .orElseThrow(() -> new NotFoundException("There is no incident #" + number + "."));
  }

  /** An incident by its id, its number, or its number after a "#". */
  public Incident find(String ref) {
    String text = ref.trim();
    if (text.startsWith("#")) {
      text = text.substring(1);
    }
    if (!text.isEmpty() && text.length() < 19 && text.chars().allMatch(Character::isDigit)) {
      return byNumber(Long.parseLong(text));
    }
    try {
      return get(UUID.fromString(text));
    } catch (IllegalArgumentException e) {
      throw new NotFoundException(
          "There is no incident '" + ref + "': name one by its id or its number.");
    }
  }

  /** Incidents newest first. */
  public Page<Incident> list(Filter filter, @Nullable UUID after, int limit) {
    ListQuery query =
        ListQuery.from("SELECT " + IncidentRecords.COLUMNS + " FROM incident")
            .where("service_id = ?", filter.serviceId())
            .where("assignee_id = ?", filter.assigneeId())
            .where(
                "opened_at >= ?", filter.openedSince() == null ? null : utc(filter.openedSince()))
            .where(
                "opened_at < ?", filter.openedBefore() == null ? null : utc(filter.openedBefore()));
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
    return Page.of(
        query.newestFirst(jdbc, after, limit, IncidentRecords::incident), limit, Incident::id);
  }

  /** Changes to make at once; {@code null} leaves a field as it is. */
  public record Changes(
      @Nullable IncidentStatus status,
      @Nullable UUID assigneeId,
      boolean unassign,
      @Nullable Severity severity,
      @Nullable String title) {}

  /** Applies every change or none: a refused status change leaves the title as it was. */
  @Transactional
  public Incident update(UUID id, Changes changes, Actor actor) {
    Incident incident = records.lock(id);
    if (changes.title() != null) {
      incident = setTitle(id, changes.title(), actor);
    }
    if (changes.severity() != null) {
      incident = setSeverity(id, changes.severity(), actor);
    }
    if (changes.assigneeId() != null || changes.unassign()) {
      incident = assign(id, changes.assigneeId(), actor);
    }
    if (changes.status() != null) {
      incident = records.changeStatus(incident, changes.status(), actor, clock.instant(), "");
    }
    return incident;
  }

  @Transactional
  public Incident changeStatus(UUID id, IncidentStatus to, Actor actor) {
    Incident incident = records.lock(id);
    return records.changeStatus(incident, to, actor, clock.instant(), "");
  }

  @Transactional
  public Incident assign(UUID id, @Nullable UUID assigneeId, Actor actor) {
    Incident incident = records.lock(id);
    String name = "nobody";
    if (assigneeId != null) {
      name =
          users
              .find(assigneeId)
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "assigneeId", "user " + assigneeId + " does not exist"))
              .email();
    }
    if (Objects.equals(incident.assigneeId(), assigneeId)) {
      return incident;
    }
    Instant now = clock.instant();
    jdbc.sql("UPDATE incident SET assignee_id = :assignee, updated_at = :now WHERE id = :id")
        .param("assignee", assigneeId)
        .param("now", utc(now))
        .param("id", id)
        .update();
    records.append(id, now, "assigned", actor, "Assigned to " + name);
    return records.get(id);
  }

  /** Sets the severity by hand: it no longer follows the alerts. */
  @Transactional
  public Incident setSeverity(UUID id, Severity severity, Actor actor) {
    Incident incident = records.lock(id);
    Instant now = clock.instant();
    jdbc.sql(
            "UPDATE incident SET severity = :severity, severity_by_hand = TRUE, updated_at = :now"
                + " WHERE id = :id")
        .param("severity", EnumText.canonical(severity))
        .param("now", utc(now))
        .param("id", id)
        .update();
    records.severityMoved(id, incident.severity(), severity);
    if (severity != incident.severity()) {
      records.append(
          id,
          now,
          "severity_changed",
          actor,
          "Severity "
              + EnumText.canonical(incident.severity())
              + " → "
              + EnumText.canonical(severity));
    }
    return records.get(id);
  }

  @Transactional
  public Incident setTitle(UUID id, String title, Actor actor) {
    String text = title.trim();
    if (text.isEmpty() || text.length() > 500) {
      throw new InvalidInputException("title", "must have 1 to 500 characters");
    }
    Incident incident = records.lock(id);
    if (text.equals(incident.title())) {
      return incident;
    }
    Instant now = clock.instant();
    jdbc.sql("UPDATE incident SET title = :title, updated_at = :now WHERE id = :id")
        .param("title", text)
        .param("now", utc(now))
        .param("id", id)
        .update();
    records.append(
        id, now, "title_changed", actor, "Title changed from \"" + incident.title() + "\"");
    return records.get(id);
  }

  @Transactional
  public TimelineEntry addNote(UUID id, String body, Actor actor) {
    String text = validText("body", body);
    records.lock(id);
    return records.append(id, clock.instant(), "note", actor, text);
  }

  @Transactional
  public StatusUpdate addStatusUpdate(
      UUID id, StatusUpdate.Phase phase, String message, Actor actor) {
    String text = validText("message", message);
    records.lock(id);
    Instant now = clock.instant();
    UUID updateId = ids.generateId();
    jdbc.sql(
            """
            INSERT INTO incident_status_update
              (id, incident_id, phase, message, author_id, author_name, created_at)
            VALUES (:id, :incident, :phase, :message, :authorId, :authorName, :now)
            """)
        .param("id", updateId)
        .param("incident", id)
        .param("phase", EnumText.canonical(phase))
        .param("message", text)
        .param("authorId", actor.id())
        .param("authorName", actor.name())
        .param("now", utc(now))
        .update();
    records.append(
        id,
        now,
        "status_update",
        actor,
        "Status update (" + EnumText.canonical(phase) + "): " + text);
    StatusUpdate update = new StatusUpdate(updateId, id, phase, text, actor, now);
    Incident incident = records.get(id);
    events.publishEvent(new StatusUpdatePosted(update, incident.number(), incident.title()));
    return update;
  }

  /**
   * Merges other incidents into {@code targetId}: their alerts move over and they resolve, naming
   * the target. Serialised with correlation, which merges too.
   */
  @Transactional
  public Incident merge(UUID targetId, List<UUID> sourceIds, Actor actor) {
    if (sourceIds.isEmpty()) {
      throw new InvalidInputException("incidents", "must name at least one incident to merge");
    }
    intake.lock();
    Incident target = records.lock(targetId);
    if (!target.isOpen()) {
      throw new ConflictException(
          "Incident " + target.reference() + " is resolved; merge into an open incident.",
          java.util.Map.of("currentStatus", target.status().text()));
    }
    for (UUID sourceId : new LinkedHashSet<>(sourceIds)) {
      if (!exists(sourceId)) {
        throw new InvalidInputException("incidents", "there is no incident " + sourceId);
      }
      if (sourceId.equals(targetId)) {
        throw new InvalidInputException("incidents", "an incident cannot merge into itself");
      }
      Incident source = records.lock(sourceId);
      if (!source.isOpen()) {
        throw new ConflictException(
            "Incident " + source.reference() + " is already resolved and cannot be merged.",
            java.util.Map.of("currentStatus", source.status().text()));
      }
      target = intake.merge(records.lock(targetId), source, false, actor, "");
    }
    return target;
  }

  /**
   * Splits a service's alerts out of an open incident into an incident of their own, which pages at
   * once. Serialised with correlation, which would otherwise attach that service's next alert to
   * the incident it was split from.
   */
  @Transactional
  public Incident split(UUID incidentId, UUID serviceId, Actor actor) {
    intake.lock();
    Incident source = records.lock(incidentId);
    if (!source.isOpen()) {
      throw new ConflictException(
          "Incident " + source.reference() + " is resolved; there is nothing to split.",
          java.util.Map.of("currentStatus", source.status().text()));
    }
    if (serviceId.equals(source.serviceId())) {
      throw new InvalidInputException(
          "serviceId", "is the incident's own service; split out one of its other services");
    }
    boolean affected =
        jdbc.sql(
                    "SELECT COUNT(*) FROM incident_service"
                        + " WHERE incident_id = :id AND service_id = :service")
                .param("id", incidentId)
                .param("service", serviceId)
                .query(Integer.class)
                .single()
            > 0;
    if (!affected) {
      throw new InvalidInputException(
          "serviceId", "service " + serviceId + " has no alerts on " + source.reference());
    }
    if (intake.openSplitOn(serviceId).isPresent()) {
      throw new ConflictException(
          "Service " + services.nameOf(serviceId) + " already has an open incident split out.");
    }
    return intake.split(source, serviceId, actor);
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
    return jdbc.sql(sql)
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
        .list();
  }

  private static @Nullable Long seconds(java.sql.ResultSet rs, String column)
      throws java.sql.SQLException {
    java.math.BigDecimal value = rs.getBigDecimal(column);
    return value == null ? null : value.setScale(0, java.math.RoundingMode.HALF_UP).longValue();
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
    jdbc.sql(
            "SELECT severity, COUNT(*) AS n FROM incident"
                + " WHERE status IN ('open', 'acknowledged', 'in_progress') GROUP BY severity")
        .query(
            rs -> {
              counts.put(
                  EnumText.parse(Severity.class, "severity", rs.getString("severity")),
                  rs.getLong("n"));
            });
    return counts;
  }

  /** MTTA, MTTR and counts of the incidents opened in [since, until), of one service or all. */
  public IncidentStats stats(Instant since, Instant until, @Nullable UUID serviceId) {
    if (!since.isBefore(until)) {
      throw new InvalidInputException("since", "must be before until");
    }
    List<Incident> opened =
        ListQuery.from("SELECT " + IncidentRecords.COLUMNS + " FROM incident")
            .where("opened_at >= ?", utc(since))
            .where("opened_at < ?", utc(until))
            .where("service_id = ?", serviceId)
            .oldestFirst(jdbc, null, Integer.MAX_VALUE - 1, IncidentRecords::incident);
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
                    serviceName(service),
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
      List<Incident> incidents, java.util.function.Function<Incident, Duration> time) {
    return IncidentStats.Durations.of(
        incidents.stream().map(time).filter(Objects::nonNull).toList());
  }

  private boolean exists(UUID id) {
    return jdbc.sql("SELECT COUNT(*) FROM incident WHERE id = :id")
            .param("id", id)
            .query(Long.class)
            .single()
        > 0;
  }

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

  private static String validText(String field, String text) {
    String trimmed = text == null ? "" : text.trim();
    if (trimmed.isEmpty() || trimmed.length() > MAX_TEXT) {
      throw new InvalidInputException(field, "must have 1 to " + MAX_TEXT + " characters");
    }
    return trimmed;
  }
}
