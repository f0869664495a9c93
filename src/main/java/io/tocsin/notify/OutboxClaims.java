package io.tocsin.notify;

import io.tocsin.incident.Actor;
import io.tocsin.incident.Incidents;
import io.tocsin.incident.TimelineKind;
import io.tocsin.platform.EnumText;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * The delivery workers' side of the outbox: a worker claims a channel's due messages and leases
 * them, and each attempt's result moves the message on, retried with exponential backoff and full
 * jitter until it is delivered or, after {@code tocsin.notify.give-up-after}, a dead letter.
 * Messages to one contact method go out in the order they fell due: a message waits while an
 * earlier one to the same method is still pending.
 */
@Component
class OutboxClaims {

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final Incidents incidents;
  private final NotifyMetrics metrics;
  private final Clock clock;
  private final IdGenerator ids;
  private final Duration retryBase;
  private final Duration retryCap;
  private final Duration giveUpAfter;

  OutboxClaims(
      JdbcClient jdbc,
      JsonMapper json,
      Incidents incidents,
      NotifyMetrics metrics,
      Clock clock,
      IdGenerator ids,
      NotifyProperties settings) {
    this.jdbc = jdbc;
    this.json = json;
    this.incidents = incidents;
    this.metrics = metrics;
    this.clock = clock;
    this.ids = ids;
    this.retryBase = settings.retryBase();
    this.retryCap = settings.retryCap();
    this.giveUpAfter = settings.giveUpAfter();
  }

  /** A message a worker claimed: it has until the lease ends to deliver it and say so. */
  record Claimed(
      UUID id,
      String dedupKey,
      Message.Kind kind,
      UUID userId,
      UUID contactMethodId,
      ChannelType channel,
      @Nullable UUID incidentId,
      Map<String, String> content,
      int attempt,
      Instant requestedAt,
      Instant createdAt) {}

  /**
   * Claims up to {@code limit} due messages of a channel, each the oldest still to send to its
   * contact method, and leases them: a worker that dies before it reports leaves them to be claimed
   * again when the lease ends.
   */
  @Transactional
  List<Claimed> claim(ChannelType channel, int limit, Duration lease) {
    Instant now = clock.instant();
    List<Claimed> claimed =
        jdbc.sql(
                """
                SELECT m.id, m.dedup_key, m.kind, m.user_id, m.contact_method_id, m.channel,
                       m.incident_id, m.content, m.attempts, m.requested_at, m.created_at
                FROM notify_message m
                WHERE m.channel = :channel AND m.next_attempt_at <= :now
                  AND NOT EXISTS (
                    SELECT 1 FROM notify_message o
                    WHERE o.contact_method_id = m.contact_method_id
                      AND o.status IN ('pending', 'sending')
                      AND (o.due_at < m.due_at OR (o.due_at = m.due_at AND o.id < m.id)))
                ORDER BY m.next_attempt_at
                FETCH FIRST :limit ROWS ONLY FOR UPDATE SKIP LOCKED
                """)
            .param("channel", channel.text())
            .param("now", utc(now))
            .param("limit", limit)
            .query(
                (rs, n) ->
                    new Claimed(
                        rs.getObject("id", UUID.class),
                        rs.getString("dedup_key"),
                        EnumText.parse(Message.Kind.class, "kind", rs.getString("kind")),
                        rs.getObject("user_id", UUID.class),
                        rs.getObject("contact_method_id", UUID.class),
                        channel,
                        rs.getObject("incident_id", UUID.class),
                        json.readValue(rs.getString("content"), Outbox.CONTENT),
                        rs.getInt("attempts") + 1,
                        instant(rs, "requested_at"),
                        instant(rs, "created_at")))
            .list();
    for (Claimed message : claimed) {
      jdbc.sql(
              """
              UPDATE notify_message SET status = 'sending', attempts = :attempt,
                     next_attempt_at = :leaseEnd, updated_at = :now
              WHERE id = :id
              """)
          .param("attempt", message.attempt())
          .param("leaseEnd", utc(now.plus(lease)))
          .param("now", utc(now))
          .param("id", message.id())
          .update();
    }
    return claimed;
  }

  /**
   * Whether a person got {@code limit} or more pages, subscription messages and summaries through a
   * channel within the last {@code window}. Workers of different methods may both pass the check at
   * once, so the limit holds within a message or two, not exactly.
   */
  boolean overLimit(UUID userId, ChannelType channel, int limit, Duration window) {
    return jdbc.sql(
                """
                SELECT COUNT(*) FROM notify_message
                WHERE user_id = :user AND channel = :channel
                  AND kind IN ('page', 'summary', 'subscription') AND delivered_at > :since
                """)
            .param("user", userId)
            .param("channel", channel.text())
            .param("since", utc(clock.instant().minus(window)))
            .query(Long.class)
            .single()
        >= limit;
  }

  /**
   * Folds a claimed page into the person's pending summary for the channel, creating it due when
   * the rate limit lets one more message through. The person's methods of that channel are locked
   * first, so that two workers never make two summaries.
   */
  @Transactional
  void fold(Claimed message, Duration window) {
    jdbc.sql(
            "SELECT id FROM notify_contact_method WHERE user_id = :user AND type = :channel"
                + " FOR UPDATE")
        .param("user", message.userId())
        .param("channel", message.channel().text())
        .query(UUID.class)
        .list();
    Instant now = clock.instant();
    UUID summary =
        jdbc.sql(
                """
                SELECT id FROM notify_message
                WHERE user_id = :user AND channel = :channel AND kind = 'summary'
                  AND status = 'pending'
                ORDER BY id FETCH FIRST 1 ROWS ONLY
                """)
            .param("user", message.userId())
            .param("channel", message.channel().text())
            .query(UUID.class)
            .optional()
            .orElse(null);
    if (summary == null) {
      Instant oldest =
          jdbc.sql(
                  """
                  SELECT MIN(delivered_at) FROM notify_message
                  WHERE user_id = :user AND channel = :channel AND kind IN ('page', 'summary')
                    AND delivered_at > :since
                  """)
              .param("user", message.userId())
              .param("channel", message.channel().text())
              .param("since", utc(now.minus(window)))
              .query((rs, n) -> rs.getObject(1, OffsetDateTime.class))
              .optional()
              .map(OffsetDateTime::toInstant)
              .orElse(now);
      summary = ids.generateId();
      Instant due = oldest.plus(window);
      jdbc.sql(
              """
              INSERT INTO notify_message
                (id, dedup_key, kind, user_id, contact_method_id, channel, content, status,
                 requested_at, due_at, next_attempt_at, attempts, created_at, updated_at)
              VALUES (:id, :dedup, 'summary', :user, :method, :channel, '{}', 'pending', :now,
                      :due, :due, 0, :now, :now)
              """)
          .param("id", summary)
          .param("dedup", "summary:" + summary)
          .param("user", message.userId())
          .param("method", message.contactMethodId())
          .param("channel", message.channel().text())
          .param("now", utc(now))
          .param("due", utc(due.isBefore(now) ? now : due))
          .update();
    }
    jdbc.sql(
            """
            UPDATE notify_message SET status = 'summarized', summary_id = :summary,
                   attempts = attempts - 1, next_attempt_at = NULL,
                   last_error = 'Over the rate limit: sent in a summary', updated_at = :now
            WHERE id = :id AND status = 'sending' AND attempts = :attempt
            """)
        .param("summary", summary)
        .param("now", utc(now))
        .param("id", message.id())
        .param("attempt", message.attempt())
        .update();
  }

  /** The incidents of the pages a summary stands for, oldest first. */
  List<UUID> summarized(UUID summaryId) {
    return jdbc.sql(
            "SELECT incident_id FROM notify_message WHERE summary_id = :summary ORDER BY id")
        .param("summary", summaryId)
        .query(UUID.class)
        .list();
  }

  /** When the next message of a channel falls due, if one waits. */
  Optional<Instant> nextDue(ChannelType channel) {
    return jdbc.sql("SELECT MIN(next_attempt_at) FROM notify_message WHERE channel = :channel")
        .param("channel", channel.text())
        .query((rs, n) -> rs.getObject(1, OffsetDateTime.class))
        .optional()
        .map(OffsetDateTime::toInstant);
  }

  /**
   * Records an attempt's result. Only the claim that still holds the message moves it on: if the
   * lease ran out and another worker claimed it again, its result counts, not this one's.
   */
  @Transactional
  void record(Claimed message, DeliveryResult result, Instant started, String recipient) {
    Instant now = clock.instant();
    String outcome;
    Outbox.Status status;
    Instant next = null;
    if (result instanceof DeliveryResult.Delivered) {
      outcome = "delivered";
      status = Outbox.Status.DELIVERED;
    } else if (result instanceof DeliveryResult.Retryable
        && Duration.between(message.createdAt(), now).compareTo(giveUpAfter) < 0) {
      outcome = "retryable";
      status = Outbox.Status.PENDING;
      next = now.plus(backoff(message.attempt(), ((DeliveryResult.Retryable) result).retryAfter()));
    } else {
      outcome = result instanceof DeliveryResult.Permanent ? "permanent" : "retryable";
      status = Outbox.Status.DEAD;
    }
    jdbc.sql(
            """
            INSERT INTO notify_attempt (message_id, attempt, started_at, finished_at, outcome, detail)
            VALUES (:id, :attempt, :started, :finished, :outcome, :detail)
            """)
        .param("id", message.id())
        .param("attempt", message.attempt())
        .param("started", utc(started))
        .param("finished", utc(now))
        .param("outcome", outcome)
        .param("detail", truncate(result.detail()))
        .update();
    int moved =
        jdbc.sql(
                """
                UPDATE notify_message SET status = :status, next_attempt_at = :next,
                       last_error = :error, delivered_at = :delivered, updated_at = :now
                WHERE id = :id AND status = 'sending' AND attempts = :attempt
                """)
            .param("status", EnumText.canonical(status))
            .param("next", next == null ? null : utc(next))
            .param("error", status == Outbox.Status.DELIVERED ? null : truncate(result.detail()))
            .param("delivered", status == Outbox.Status.DELIVERED ? utc(now) : null)
            .param("now", utc(now))
            .param("id", message.id())
            .param("attempt", message.attempt())
            .update();
    if (moved == 0) {
      return;
    }
    metrics.outcome(message.channel(), status, Duration.between(message.requestedAt(), now));
    if (status == Outbox.Status.DEAD
        && message.kind() == Message.Kind.PAGE
        && message.incidentId() != null) {
      incidents.record(
          List.of(
              new Incidents.Entry(
                  message.incidentId(),
                  TimelineKind.PAGING_PROBLEM,
                  Actor.TOCSIN,
                  "Could not notify "
                      + recipient
                      + " by "
                      + message.channel().text()
                      + ": "
                      + truncate(result.detail())
                      + ". The message is in the dead-letter list.")));
    }
  }

  /** Puts a claimed message back without counting the attempt: its destination is resting. */
  @Transactional
  void postpone(Claimed message, Instant until, String why) {
    jdbc.sql(
            """
            UPDATE notify_message SET status = 'pending', attempts = attempts - 1,
                   next_attempt_at = :until, last_error = :why, updated_at = :now
            WHERE id = :id AND status = 'sending' AND attempts = :attempt
            """)
        .param("until", utc(until))
        .param("why", why)
        .param("now", utc(clock.instant()))
        .param("id", message.id())
        .param("attempt", message.attempt())
        .update();
  }

  /** Cancels a claimed message that no longer needs sending. */
  @Transactional
  void cancel(Claimed message, String why) {
    int cancelled =
        jdbc.sql(
                """
                UPDATE notify_message SET status = 'cancelled', attempts = attempts - 1,
                       next_attempt_at = NULL, last_error = :why, updated_at = :now
                WHERE id = :id AND status = 'sending' AND attempts = :attempt
                """)
            .param("why", why)
            .param("now", utc(clock.instant()))
            .param("id", message.id())
            .param("attempt", message.attempt())
            .update();
    metrics.cancelled(message.channel(), cancelled);
  }

  /**
   * Exponential backoff with full jitter (a random wait up to {@code base × 2^(attempt−1)},
   * capped), so that a destination coming back is not hit by every waiting message at once; never
   * shorter than what the destination asked for.
   */
  Duration backoff(int attempt, @Nullable Duration retryAfter) {
    long ceiling = retryBase.toMillis() << Math.min(20, Math.max(0, attempt - 1));
    ceiling = Math.min(ceiling, retryCap.toMillis());
    Duration wait =
        Duration.ofMillis(Math.max(200, ThreadLocalRandom.current().nextLong(ceiling + 1)));
    return retryAfter != null && retryAfter.compareTo(wait) > 0 ? retryAfter : wait;
  }

  private static String truncate(String text) {
    return text.length() > 1000 ? text.substring(0, 1000) + "…" : text;
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
