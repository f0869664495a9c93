package io.tocsin.notify;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.UserService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.directory.team.Team;
import io.tocsin.directory.team.TeamService;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentOpened;
import io.tocsin.incident.IncidentStatus;
import io.tocsin.incident.IncidentStatusChanged;
import io.tocsin.incident.Incidents;
import io.tocsin.incident.StatusUpdatePosted;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who follows a service's incidents without being paged: people, or teams (every member). They hear
 * of an incident opening, of every status update and of its resolution, through the first step of
 * their low-urgency rules. The events arrive through the event publication registry, so a crash
 * before the messages are queued delays them, and loses none.
 */
@Service
public class Subscriptions {

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final ServiceCatalog services;
  private final UserService users;
  private final TeamService teams;
  private final NotificationRules rules;
  private final Incidents incidents;
  private final AuditLog audit;
  private final ApplicationEventPublisher events;
  private final Clock clock;
  private final IdGenerator ids;

  Subscriptions(
      JdbcClient jdbc,
      JsonMapper json,
      ServiceCatalog services,
      UserService users,
      TeamService teams,
      NotificationRules rules,
      Incidents incidents,
      AuditLog audit,
      ApplicationEventPublisher events,
      Clock clock,
      IdGenerator ids) {
    this.jdbc = jdbc;
    this.json = json;
    this.services = services;
    this.users = users;
    this.teams = teams;
    this.rules = rules;
    this.incidents = incidents;
    this.audit = audit;
    this.events = events;
    this.clock = clock;
    this.ids = ids;
  }

  /** Who subscribes. */
  public enum Kind {
    USER,
    TEAM
  }

  public record Subscription(
      UUID id, UUID serviceId, Kind kind, UUID subscriberId, Instant createdAt) {}

  @Transactional
  public Subscription subscribe(UUID serviceId, Kind kind, UUID subscriberId) {
    services.get(serviceId);
    if (kind == Kind.USER && users.find(subscriberId).isEmpty()) {
      throw new InvalidInputException("userId", "user " + subscriberId + " does not exist");
    }
    if (kind == Kind.TEAM && !teams.exists(subscriberId)) {
      throw new InvalidInputException("teamId", "team " + subscriberId + " does not exist");
    }
    Instant now = clock.instant();
    UUID id = ids.generateId();
    try {
      jdbc.sql(
              """
              INSERT INTO notify_subscription (id, service_id, subscriber_kind, subscriber_id, created_at)
              VALUES (:id, :service, :kind, :subscriber, :now)
              """)
          .param("id", id)
          .param("service", serviceId)
          .param("kind", EnumText.canonical(kind))
          .param("subscriber", subscriberId)
          .param("now", now.atOffset(ZoneOffset.UTC))
          .update();
    } catch (DuplicateKeyException e) {
      throw new ConflictException(
          "The "
              + EnumText.canonical(kind)
              + " "
              + subscriberId
              + " follows this service already.");
    }
    audit.record(
        "subscription.created",
        "service " + serviceId,
        EnumText.canonical(kind) + " " + subscriberId + " subscribed");
    return get(serviceId, id);
  }

  public List<Subscription> list(UUID serviceId) {
    services.get(serviceId);
    return jdbc.sql(
            "SELECT id, service_id, subscriber_kind, subscriber_id, created_at"
                + " FROM notify_subscription WHERE service_id = :service ORDER BY id")
        .param("service", serviceId)
        .query(
            (rs, n) ->
                new Subscription(
                    rs.getObject("id", UUID.class),
                    rs.getObject("service_id", UUID.class),
                    EnumText.parse(Kind.class, "kind", rs.getString("subscriber_kind")),
                    rs.getObject("subscriber_id", UUID.class),
                    rs.getObject("created_at", OffsetDateTime.class).toInstant()))
        .list();
  }

  public Subscription get(UUID serviceId, UUID id) {
    return list(serviceId).stream()
        .filter(subscription -> subscription.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new NotFoundException("There is no subscription " + id + "."));
  }

  @Transactional
  public void unsubscribe(UUID serviceId, UUID id) {
    Subscription subscription = get(serviceId, id);
    jdbc.sql("DELETE FROM notify_subscription WHERE id = :id").param("id", id).update();
    audit.record(
        "subscription.deleted",
        "service " + serviceId,
        EnumText.canonical(subscription.kind()) + " " + subscription.subscriberId() + " left");
  }

  @ApplicationModuleListener
  void opened(IncidentOpened opened) {
    tell(
        incidents.get(opened.incidentId()),
        "opened:" + opened.incidentId(),
        Map.of("event", "opened"));
  }

  @ApplicationModuleListener
  void resolved(IncidentStatusChanged changed) {
    if (changed.to() != IncidentStatus.RESOLVED) {
      return;
    }
    tell(
        incidents.get(changed.incidentId()),
        "resolved:" + changed.incidentId(),
        Map.of("event", "resolved", "by", changed.actor().name()));
  }

  @ApplicationModuleListener
  void statusUpdate(StatusUpdatePosted posted) {
    tell(
        incidents.get(posted.update().incidentId()),
        "update:" + posted.update().id(),
        Map.of(
            "event",
            "status_update",
            "phase",
            EnumText.canonical(posted.update().phase()),
            "update",
            posted.update().message(),
            "by",
            posted.update().author().name()));
  }

  /**
   * Queues one message per subscriber. A redelivered event finds its messages queued already and
   * adds none; the unique dedup key stops two deliveries of one event racing each other.
   */
  private void tell(Incident incident, String event, Map<String, String> content) {
    Set<UUID> people = new LinkedHashSet<>();
    for (Subscription subscription : list(incident.serviceId())) {
      if (subscription.kind() == Kind.USER) {
        people.add(subscription.subscriberId());
      } else if (teams.exists(subscription.subscriberId())) {
        teams.get(subscription.subscriberId()).members().stream()
            .map(Team.Member::userId)
            .forEach(people::add);
      }
    }
    Set<ChannelType> channels = EnumSet.noneOf(ChannelType.class);
    Instant now = clock.instant();
    for (UUID person : people) {
      List<NotificationRules.Planned> steps = rules.planned(person, NotificationRules.Urgency.LOW);
      if (steps.isEmpty()) {
        continue;
      }
      ContactMethod method = steps.get(0).method();
      String dedup = "sub:" + event + ":" + person;
      long queued =
          jdbc.sql("SELECT COUNT(*) FROM notify_message WHERE dedup_key = :dedup")
              .param("dedup", dedup)
              .query(Long.class)
              .single();
      if (queued > 0) {
        continue;
      }
      jdbc.sql(
              """
              INSERT INTO notify_message
                (id, dedup_key, kind, user_id, contact_method_id, channel, incident_id, content,
                 status, requested_at, due_at, next_attempt_at, attempts, created_at, updated_at)
              VALUES (:id, :dedup, 'subscription', :user, :method, :channel, :incident, :content,
                      'pending', :now, :now, :now, 0, :now, :now)
              """)
          .param("id", ids.generateId())
          .param("dedup", dedup)
          .param("user", person)
          .param("method", method.id())
          .param("channel", method.type().text())
          .param("incident", incident.id())
          .param("content", json.writeValueAsString(new java.util.TreeMap<>(content)))
          .param("now", now.atOffset(ZoneOffset.UTC))
          .update();
      channels.add(method.type());
    }
    if (!channels.isEmpty()) {
      events.publishEvent(new Outbox.Queued(channels));
    }
  }
}
