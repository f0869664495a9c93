package io.tocsin.notify;

import io.tocsin.directory.UserService;
import io.tocsin.incident.Actor;
import io.tocsin.incident.IncidentStatus;
import io.tocsin.incident.IncidentStatusChanged;
import io.tocsin.incident.Incidents;
import io.tocsin.incident.TimelineKind;
import io.tocsin.oncall.PageRequested;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.NotFoundException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.util.IdGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The outbox: every message is a row written in the transaction that decided to send it (a page's
 * escalation step, a verification request), claimed by the workers of its channel ({@link
 * OutboxClaims}) and retried until it is delivered, cancelled or a dead letter ({@link
 * DeadLetters}). This class queues messages, cancels the pages of an incident someone took, and
 * reads the delivery log.
 */
@Service
public class Outbox {

  static final TypeReference<Map<String, String>> CONTENT = new TypeReference<>() {};
  static final String COLUMNS =
      "id, dedup_key, kind, user_id, contact_method_id, channel, incident_id, page_id,"
          + " rule_position, content, status, requested_at, due_at, next_attempt_at, attempts,"
          + " last_error, delivered_at, created_at, updated_at";

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final NotificationRules rules;
  private final Incidents incidents;
  private final UserService users;
  private final NotifyMetrics metrics;
  private final ApplicationEventPublisher events;
  private final Clock clock;
  private final IdGenerator ids;

  Outbox(
      JdbcClient jdbc,
      JsonMapper json,
      NotificationRules rules,
      Incidents incidents,
      UserService users,
      NotifyMetrics metrics,
      ApplicationEventPublisher events,
      Clock clock,
      IdGenerator ids) {
    this.jdbc = jdbc;
    this.json = json;
    this.rules = rules;
    this.incidents = incidents;
    this.users = users;
    this.metrics = metrics;
    this.events = events;
    this.clock = clock;
    this.ids = ids;
  }

  /** Where a message stands. */
  public enum Status {
    PENDING,
    SENDING,
    DELIVERED,
    CANCELLED,
    DEAD,
    /** Over the person's rate limit: folded into a summary message instead of sent alone. */
    SUMMARIZED
  }

  /** A message as stored, for the delivery log and the dead-letter list. */
  public record Delivery(
      UUID id,
      Message.Kind kind,
      UUID userId,
      UUID contactMethodId,
      ChannelType channel,
      @Nullable UUID incidentId,
      @Nullable Integer ruleStep,
      Status status,
      int attempts,
      @Nullable String lastError,
      Instant requestedAt,
      Instant dueAt,
      @Nullable Instant nextAttemptAt,
      @Nullable Instant deliveredAt,
      Instant updatedAt,
      Map<String, String> content) {}

  /** One delivery attempt. */
  public record Attempt(
      int attempt, Instant startedAt, Instant finishedAt, String outcome, String detail) {}

  /** Published when messages are queued, so that this node's workers look at once. */
  record Queued(Set<ChannelType> channels) {}

  /**
   * Turns a page into one message per step of the user's rules for its urgency, in the escalation
   * step's transaction: the step and its messages commit together or not at all.
   */
  @EventListener
  void paged(PageRequested page) {
    NotificationRules.Urgency urgency = NotificationRules.Urgency.of(page.severity());
    List<NotificationRules.Planned> steps = rules.planned(page.userId(), urgency);
    if (steps.isEmpty()) {
      String name = users.find(page.userId()).map(u -> u.name()).orElse("A deleted user");
      incidents.record(
          List.of(
              new Incidents.Entry(
                  page.incidentId(),
                  TimelineKind.PAGING_PROBLEM,
                  Actor.TOCSIN,
                  name
                      + " has no verified contact method for "
                      + EnumText.canonical(urgency)
                      + "-urgency pages: not notified.")));
      metrics.problem("no_contact_method");
      return;
    }
    Set<ChannelType> channels = EnumSet.noneOf(ChannelType.class);
    for (NotificationRules.Planned step : steps) {
      insert(
          ids.generateId(),
          "page:" + page.pageId() + ":" + step.position(),
          Message.Kind.PAGE,
          page.userId(),
          step.method(),
          page.incidentId(),
          page.pageId(),
          step.position(),
          Map.of(
              "level",
              Integer.toString(page.level()),
              "via",
              page.via(),
              "urgency",
              urgency.name()),
          page.requestedAt(),
          page.requestedAt().plus(Duration.ofMinutes(step.delayMinutes())));
      channels.add(step.method().type());
    }
    events.publishEvent(new Queued(channels));
  }

  /** Queues a message that goes out at once, outside any rule: verification codes and tests. */
  UUID enqueueDirect(ContactMethod method, Message.Kind kind, Map<String, String> content) {
    UUID id = ids.generateId();
    Instant now = clock.instant();
    insert(
        id,
        EnumText.canonical(kind) + ":" + id,
        kind,
        method.userId(),
        method,
        null,
        null,
        null,
        content,
        now,
        now);
    events.publishEvent(new Queued(EnumSet.of(method.type())));
    return id;
  }

  /**
   * Cancels the page messages not yet sent once the incident is acknowledged or resolved. After the
   * commit, in a transaction of its own, like the escalation's stop; a message claimed meanwhile is
   * cancelled by its worker, which checks the incident before it sends.
   */
  @TransactionalEventListener
  @Transactional(propagation = Propagation.REQUIRES_NEW)
  void incidentStatusChanged(IncidentStatusChanged changed) {
    if (changed.to() == IncidentStatus.OPEN) {
      return;
    }
    String why =
        "Cancelled: the incident is " + changed.to().text() + " (" + changed.actor().name() + ").";
    // Counted by channel for the metric first, then cancelled in one statement.
    Map<ChannelType, Integer> pending = new java.util.EnumMap<>(ChannelType.class);
    jdbc.sql(
            """
            SELECT channel, COUNT(*) AS n FROM notify_message
            WHERE incident_id = :incident AND kind = 'page' AND status = 'pending'
            GROUP BY channel
            """)
        .param("incident", changed.incidentId())
        .query(
            rs -> {
              pending.put(
                  EnumText.parse(ChannelType.class, "channel", rs.getString("channel")),
                  rs.getInt("n"));
            });
    if (pending.isEmpty()) {
      return;
    }
    jdbc.sql(
            """
            UPDATE notify_message SET status = 'cancelled', next_attempt_at = NULL,
                   last_error = :why, updated_at = :now
            WHERE incident_id = :incident AND kind = 'page' AND status = 'pending'
            """)
        .param("why", why)
        .param("now", utc(clock.instant()))
        .param("incident", changed.incidentId())
        .update();
    pending.forEach(metrics::cancelled);
  }

  /** What was sent about an incident, to whom, through what, and how it went. */
  public List<Delivery> ofIncident(UUID incidentId) {
    return jdbc.sql(
            "SELECT " + COLUMNS + " FROM notify_message WHERE incident_id = :incident ORDER BY id")
        .param("incident", incidentId)
        .query(this::delivery)
        .list();
  }

  public Delivery get(UUID id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM notify_message WHERE id = :id")
        .param("id", id)
        .query(this::delivery)
        .optional()
        .orElseThrow(() -> new NotFoundException("There is no message " + id + "."));
  }

  public List<Attempt> attempts(UUID id) {
    return jdbc.sql(
            "SELECT attempt, started_at, finished_at, outcome, detail FROM notify_attempt"
                + " WHERE message_id = :id ORDER BY attempt")
        .param("id", id)
        .query(
            (rs, n) ->
                new Attempt(
                    rs.getInt("attempt"),
                    instant(rs, "started_at"),
                    instant(rs, "finished_at"),
                    rs.getString("outcome"),
                    rs.getString("detail")))
        .list();
  }

  private void insert(
      UUID id,
      String dedupKey,
      Message.Kind kind,
      UUID userId,
      ContactMethod method,
      @Nullable UUID incidentId,
      @Nullable UUID pageId,
      @Nullable Integer position,
      Map<String, String> content,
      Instant requestedAt,
      Instant dueAt) {
    Instant now = clock.instant();
    jdbc.sql(
            """
            INSERT INTO notify_message
              (id, dedup_key, kind, user_id, contact_method_id, channel, incident_id, page_id,
               rule_position, content, status, requested_at, due_at, next_attempt_at, attempts,
               created_at, updated_at)
            VALUES (:id, :dedup, :kind, :user, :method, :channel, :incident, :page, :position,
                    :content, 'pending', :requested, :due, :due, 0, :now, :now)
            """)
        .param("id", id)
        .param("dedup", dedupKey)
        .param("kind", EnumText.canonical(kind))
        .param("user", userId)
        .param("method", method.id())
        .param("channel", method.type().text())
        .param("incident", incidentId)
        .param("page", pageId)
        .param("position", position)
        .param("content", json.writeValueAsString(new java.util.TreeMap<>(content)))
        .param("requested", utc(requestedAt))
        .param("due", utc(dueAt))
        .param("now", utc(now))
        .update();
  }

  /** A {@code notify_message} row of {@link #COLUMNS} as the log shows it. */
  Delivery delivery(ResultSet rs, int n) throws SQLException {
    OffsetDateTime next = rs.getObject("next_attempt_at", OffsetDateTime.class);
    OffsetDateTime delivered = rs.getObject("delivered_at", OffsetDateTime.class);
    int position = rs.getInt("rule_position");
    Integer ruleStep = rs.wasNull() ? null : position + 1;
    Map<String, String> content = json.readValue(rs.getString("content"), CONTENT);
    Message.Kind kind = EnumText.parse(Message.Kind.class, "kind", rs.getString("kind"));
    return new Delivery(
        rs.getObject("id", UUID.class),
        kind,
        rs.getObject("user_id", UUID.class),
        rs.getObject("contact_method_id", UUID.class),
        EnumText.parse(ChannelType.class, "channel", rs.getString("channel")),
        rs.getObject("incident_id", UUID.class),
        ruleStep,
        EnumText.parse(Status.class, "status", rs.getString("status")),
        rs.getInt("attempts"),
        rs.getString("last_error"),
        instant(rs, "requested_at"),
        instant(rs, "due_at"),
        next == null ? null : next.toInstant(),
        delivered == null ? null : delivered.toInstant(),
        instant(rs, "updated_at"),
        kind == Message.Kind.VERIFICATION ? Map.of() : content);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
