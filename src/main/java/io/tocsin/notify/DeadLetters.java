package io.tocsin.notify;

import io.tocsin.notify.Outbox.Delivery;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.ListQuery;
import io.tocsin.platform.Page;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The dead-letter list: messages the outbox gave up on, for an operator to send again or discard
 * for good.
 */
@Service
public class DeadLetters {

  private final JdbcClient jdbc;
  private final Outbox outbox;
  private final NotifyMetrics metrics;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  DeadLetters(
      JdbcClient jdbc,
      Outbox outbox,
      NotifyMetrics metrics,
      ApplicationEventPublisher events,
      Clock clock) {
    this.jdbc = jdbc;
    this.outbox = outbox;
    this.metrics = metrics;
    this.events = events;
    this.clock = clock;
  }

  /** Messages that were never delivered, oldest first. */
  public Page<Delivery> list(@Nullable UUID after, int limit) {
    return Page.of(
        ListQuery.from("SELECT " + Outbox.COLUMNS + " FROM notify_message")
            .where("status = ?", "dead")
            .oldestFirst(jdbc, after, limit, outbox::delivery),
        limit,
        Delivery::id);
  }

  /** Sends a dead letter again, as a new first attempt. */
  @Transactional
  public Delivery replay(UUID id) {
    Delivery dead = deadLetter(id);
    Instant now = clock.instant();
    jdbc.sql(
            """
            UPDATE notify_message SET status = 'pending', next_attempt_at = :now, last_error = NULL,
                   created_at = :now, updated_at = :now
            WHERE id = :id
            """)
        .param("now", utc(now))
        .param("id", id)
        .update();
    events.publishEvent(new Outbox.Queued(EnumSet.of(dead.channel())));
    metrics.deadLettersChanged();
    return outbox.get(id);
  }

  /** Gives up on a dead letter for good: it stays in the log as cancelled. */
  @Transactional
  public Delivery discard(UUID id) {
    deadLetter(id);
    jdbc.sql(
            "UPDATE notify_message SET status = 'cancelled', last_error = :why, updated_at = :now"
                + " WHERE id = :id")
        .param("why", "Discarded from the dead-letter list")
        .param("now", utc(clock.instant()))
        .param("id", id)
        .update();
    metrics.deadLettersChanged();
    return outbox.get(id);
  }

  private Delivery deadLetter(UUID id) {
    Delivery delivery = outbox.get(id);
    if (delivery.status() != Outbox.Status.DEAD) {
      throw new ConflictException(
          "Message " + id + " is " + EnumText.canonical(delivery.status()) + ", not a dead letter.",
          Map.of("currentStatus", EnumText.canonical(delivery.status())));
    }
    return delivery;
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
