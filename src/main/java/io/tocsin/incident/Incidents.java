package io.tocsin.incident;

import static io.tocsin.incident.IncidentRecords.utc;

import io.tocsin.directory.TeamScope;
import io.tocsin.directory.UserService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InLists;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Severity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/**
 * Incidents as people and other modules handle them: found by id or number, acknowledged, assigned,
 * retitled, noted, merged and split. Lists and reports are {@link IncidentQueries}; what an
 * incident's page shows is {@link IncidentDetails}.
 */
@Service
public class Incidents {

  private static final int MAX_TEXT = 10_000;
  private static final Duration MAX_SNOOZE = Duration.ofDays(7);

  private final JdbcClient jdbc;
  private final IncidentRecords records;
  private final IncidentIntake intake;
  private final ServiceCatalog services;
  private final UserService users;
  private final Clock clock;
  private final IdGenerator ids;
  private final ApplicationEventPublisher events;
  private final TeamScope scope;

  Incidents(
      JdbcClient jdbc,
      IncidentRecords records,
      IncidentIntake intake,
      ServiceCatalog services,
      UserService users,
      Clock clock,
      IdGenerator ids,
      ApplicationEventPublisher events,
      TeamScope scope) {
    this.scope = scope;
    this.jdbc = jdbc;
    this.records = records;
    this.intake = intake;
    this.services = services;
    this.users = users;
    this.clock = clock;
    this.ids = ids;
    this.events = events;
  }

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
  public record Entry(UUID incidentId, TimelineKind kind, Actor actor, String message) {}

  /** Appends entries to their incidents' timelines, as of now, in the caller's transaction. */
  @Transactional(propagation = Propagation.MANDATORY)
  public void record(List<Entry> entries) {
    records.appendAll(entries, clock.instant());
  }

  /**
   * An incident by its number, as in "#42", as people name one: another team's is not found for
   * someone who may not see it ({@link TeamScope#visible}).
   */
  public Incident byNumber(long number) {
    return jdbc.sql("SELECT " + IncidentRecords.COLUMNS + " FROM incident WHERE number = :n")
        .param("n", number)
        .query(IncidentRecords::incident)
        .optional()
        .filter(incident -> scope.visible(incident.serviceId()))
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
    UUID id;
    try {
      id = UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new NotFoundException(
          "There is no incident '" + ref + "': name one by its id or its number.");
    }
    Incident incident = get(id);
    if (!scope.visible(incident.serviceId())) {
      throw new NotFoundException("There is no incident " + id + ".");
    }
    return incident;
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
    Incident incident = lock(id, actor);
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
      incident = moveTo(incident, changes.status(), actor);
    }
    return incident;
  }

  @Transactional
  public Incident changeStatus(UUID id, IncidentStatus to, Actor actor) {
    return moveTo(lock(id, actor), to, actor);
  }

  /**
   * Moves a locked incident on. A person who acknowledges an incident nobody owns owns it from then
   * on: at 3 a.m. the one who answered is the one handling it, and the console shows so.
   */
  private Incident moveTo(Incident incident, IncidentStatus to, Actor actor) {
    Incident moved = records.changeStatus(incident, to, actor, clock.instant(), "");
    if (to == IncidentStatus.ACKNOWLEDGED
        && moved.assigneeId() == null
        && actor.kind() == Actor.Kind.USER
        && actor.id() != null
        && users.find(actor.id()).isPresent()) {
      return assign(moved.id(), actor.id(), actor, " (acknowledged it)");
    }
    return moved;
  }

  /**
   * Acknowledges an incident for {@code duration}: when it ends, the incident is open again and
   * pages from its policy's first level ({@link IncidentSnoozed} sets that timer). An open incident
   * is acknowledged by this, which assigns it as acknowledging does; an acknowledged one keeps its
   * acknowledgement. Snoozing again moves the end.
   */
  @Transactional
  public Incident snooze(UUID id, Duration duration, Actor actor) {
    if (duration.compareTo(Duration.ofMinutes(1)) < 0 || duration.compareTo(MAX_SNOOZE) > 0) {
      throw new InvalidInputException("duration", "must be from 1 minute to 7 days (PT1M to P7D)");
    }
    Incident incident = lock(id, actor);
    if (incident.status() != IncidentStatus.OPEN
        && incident.status() != IncidentStatus.ACKNOWLEDGED) {
      throw new ConflictException(
          "Incident "
              + incident.reference()
              + " is "
              + incident.status().text()
              + "; only an open or acknowledged incident can be snoozed.",
          java.util.Map.of("currentStatus", incident.status().text()));
    }
    if (incident.status() == IncidentStatus.OPEN) {
      incident = moveTo(incident, IncidentStatus.ACKNOWLEDGED, actor);
    }
    Instant now = clock.instant();
    Instant until = now.plus(duration);
    jdbc.sql("UPDATE incident SET snoozed_until = :until, updated_at = :now WHERE id = :id")
        .param("until", utc(until))
        .param("now", utc(now))
        .param("id", id)
        .update();
    records.append(
        id,
        now,
        TimelineKind.SNOOZED,
        actor,
        "Snoozed for " + words(duration) + ", until " + until + ": then open and paging");
    events.publishEvent(new IncidentSnoozed(id, until, actor));
    return records.get(id);
  }

  /**
   * Ends the snooze of a locked incident whose time is up: it is open again, with its first
   * acknowledgement (and MTTA) kept. False when it is not snoozed, or not yet due; the caller
   * (escalation's timer, in its own transaction) then pages from the first level.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public boolean endSnooze(UUID id) {
    Incident incident = records.lock(id);
    Instant now = clock.instant();
    if (incident.snoozedUntil() == null
        || incident.status() != IncidentStatus.ACKNOWLEDGED
        || incident.snoozedUntil().isAfter(now)) {
      return false;
    }
    jdbc.sql(
            "UPDATE incident SET status = 'open', snoozed_until = NULL, updated_at = :now"
                + " WHERE id = :id")
        .param("now", utc(now))
        .param("id", id)
        .update();
    records.append(
        id,
        now,
        TimelineKind.SNOOZE_ENDED,
        Actor.TOCSIN,
        "Snooze ended: open again, paging from the first level");
    events.publishEvent(
        new IncidentStatusChanged(
            id, IncidentStatus.ACKNOWLEDGED, IncidentStatus.OPEN, Actor.TOCSIN));
    return true;
  }

  /** What a person declares: an outage no alert caught. */
  public record Declaration(
      String title,
      UUID serviceId,
      Severity severity,
      @Nullable UUID assigneeId,
      @Nullable String description) {}

  /**
   * Opens an incident by hand. It pages its service's policy like any incident (at once: a person
   * saw the outage, there is no cause's incident to wait for), and its timeline says who declared
   * it.
   */
  @Transactional
  public Incident declare(Declaration declaration, Actor actor) {
    String title = declaration.title().trim();
    if (title.isEmpty() || title.length() > 500) {
      throw new InvalidInputException("title", "must have 1 to 500 characters");
    }
    if (!services.exists(declaration.serviceId())) {
      throw new InvalidInputException(
          "serviceId", "there is no service " + declaration.serviceId());
    }
    scope.requireService(actor.userId(), declaration.serviceId());
    if (declaration.assigneeId() != null && users.find(declaration.assigneeId()).isEmpty()) {
      throw new InvalidInputException(
          "assigneeId", "user " + declaration.assigneeId() + " does not exist");
    }
    String description = declaration.description() == null ? "" : declaration.description().trim();
    if (description.length() > MAX_TEXT) {
      throw new InvalidInputException(
          "description", "must have at most " + MAX_TEXT + " characters");
    }
    intake.lock();
    Incident incident =
        intake.declare(title, declaration.serviceId(), declaration.severity(), actor, description);
    if (declaration.assigneeId() != null) {
      incident = assign(incident.id(), declaration.assigneeId(), actor);
    }
    return incident;
  }

  @Transactional
  public Incident assign(UUID id, @Nullable UUID assigneeId, Actor actor) {
    return assign(id, assigneeId, actor, "");
  }

  private Incident assign(UUID id, @Nullable UUID assigneeId, Actor actor, String why) {
    Incident incident = lock(id, actor);
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
    records.append(id, now, TimelineKind.ASSIGNED, actor, "Assigned to " + name + why);
    return records.get(id);
  }

  /** Sets the severity by hand: it no longer follows the alerts. */
  @Transactional
  public Incident setSeverity(UUID id, Severity severity, Actor actor) {
    Incident incident = lock(id, actor);
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
          TimelineKind.SEVERITY_CHANGED,
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
    Incident incident = lock(id, actor);
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
        id,
        now,
        TimelineKind.TITLE_CHANGED,
        actor,
        "Title changed from \"" + incident.title() + "\"");
    return records.get(id);
  }

  @Transactional
  public TimelineEntry addNote(UUID id, String body, Actor actor) {
    String text = validText("body", body);
    lock(id, actor);
    return records.append(id, clock.instant(), TimelineKind.NOTE, actor, text);
  }

  @Transactional
  public StatusUpdate addStatusUpdate(
      UUID id, StatusUpdate.Phase phase, String message, Actor actor) {
    String text = validText("message", message);
    lock(id, actor);
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
        TimelineKind.STATUS_UPDATE,
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
    Incident target = lock(targetId, actor);
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
      Incident source = lock(sourceId, actor);
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
    Incident source = lock(incidentId, actor);
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

  /**
   * Locks an incident that a person (or Tocsin) is about to change, once {@link TeamScope} has let
   * them act on its service.
   */
  private Incident lock(UUID id, Actor actor) {
    Incident incident = records.lock(id);
    scope.requireService(actor.userId(), incident.serviceId());
    return incident;
  }

  private boolean exists(UUID id) {
    return jdbc.sql("SELECT COUNT(*) FROM incident WHERE id = :id")
            .param("id", id)
            .query(Long.class)
            .single()
        > 0;
  }

  /** "1 h 30 min", as a person reads a snooze. */
  static String words(Duration duration) {
    long minutes = duration.toMinutes();
    long days = minutes / (24 * 60);
    long hours = minutes / 60 % 24;
    long rest = minutes % 60;
    StringBuilder text = new StringBuilder();
    if (days > 0) {
      text.append(days).append(days == 1 ? " day" : " days");
    }
    if (hours > 0) {
      text.append(text.isEmpty() ? "" : " ").append(hours).append(" h");
    }
    if (rest > 0 || text.isEmpty()) {
      text.append(text.isEmpty() ? "" : " ").append(rest).append(" min");
    }
    return text.toString();
  }

  private static String validText(String field, String text) {
    String trimmed = text == null ? "" : text.trim();
    if (trimmed.isEmpty() || trimmed.length() > MAX_TEXT) {
      throw new InvalidInputException(field, "must have 1 to " + MAX_TEXT + " characters");
    }
    return trimmed;
  }
}
