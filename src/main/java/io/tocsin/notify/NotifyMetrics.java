package io.tocsin.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tocsin.platform.AfterCommit;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.EnumText;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Notifications as Prometheus sees them. Outcomes are a closed set (delivered, retried, dead,
 * cancelled); queue depth and dead letters come from the database, so every node reports the
 * cluster's figures.
 */
@Component
class NotifyMetrics {

  private static final Log log = LogFactory.getLog(NotifyMetrics.class);
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(5),
    Duration.ofMinutes(15),
    Duration.ofHours(1)
  };

  private final MeterRegistry registry;
  private final JdbcClient jdbc;
  private final DatabaseAvailability database;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<ChannelType, Timer> delivery = new EnumMap<>(ChannelType.class);
  private final Map<ChannelType, AtomicLong> depth = new EnumMap<>(ChannelType.class);
  private final Map<ChannelType, AtomicLong> breakers = new EnumMap<>(ChannelType.class);
  private final Map<ChannelType, AtomicLong> openBreakers = new EnumMap<>(ChannelType.class);
  private final AtomicLong deadLetters = new AtomicLong();

  NotifyMetrics(MeterRegistry registry, JdbcClient jdbc, DatabaseAvailability database) {
    this.registry = registry;
    this.jdbc = jdbc;
    this.database = database;
    for (ChannelType channel : ChannelType.values()) {
      delivery.put(
          channel,
          Timer.builder("tocsin.notification.delivery")
              .description("From the page request to the message's delivery")
              .tag("channel", channel.text())
              .serviceLevelObjectives(BUCKETS)
              .register(registry));
      depth.put(
          channel,
          channelGauge(
              "tocsin.notification.queue.depth",
              "Messages waiting to be sent or retried",
              channel));
      breakers.put(
          channel,
          channelGauge(
              "tocsin.circuit.breaker.state",
              "The worst circuit breaker of the channel: 0 closed, 1 half open, 2 open",
              channel));
      // A count, not a gauge per destination: destinations are people's URLs, unbounded.
      openBreakers.put(
          channel,
          channelGauge(
              "tocsin.circuit.breakers.open",
              "Destinations of the channel whose circuit breaker is open or half open",
              channel));
    }
    Gauge.builder("tocsin.notification.dead.letters", deadLetters, AtomicLong::get)
        .description("Messages that were never delivered and wait for a replay or a discard")
        .register(registry);
  }

  /** A gauge of the channel that reads the number it returns. */
  private AtomicLong channelGauge(String name, String description, ChannelType channel) {
    AtomicLong value = new AtomicLong();
    Gauge.builder(name, value, AtomicLong::get)
        .description(description)
        .tag("channel", channel.text())
        .register(registry);
    return value;
  }

  void outcome(ChannelType channel, Outbox.Status status, Duration sinceRequested) {
    String outcome;
    switch (status) {
      case DELIVERED:
        outcome = "delivered";
        break;
      case PENDING:
        outcome = "retried";
        break;
      case DEAD:
        outcome = "dead";
        break;
      default:
        outcome = "cancelled";
    }
    Counter counter = counter(channel, outcome);
    AfterCommit.run(
        () -> {
          counter.increment();
          if (status == Outbox.Status.DELIVERED) {
            Objects.requireNonNull(delivery.get(channel)).record(sinceRequested);
          }
          if (status == Outbox.Status.DEAD) {
            refresh();
          }
        });
  }

  void cancelled(ChannelType channel, int count) {
    if (count > 0) {
      Counter counter = counter(channel, "cancelled");
      AfterCommit.run(() -> counter.increment(count));
    }
  }

  void problem(String problem) {
    Counter counter =
        counters.computeIfAbsent(
            "problem:" + problem,
            key ->
                Counter.builder("tocsin.notification.problems")
                    .description("Pages that could not become messages")
                    .tag("problem", problem)
                    .register(registry));
    AfterCommit.run(counter::increment);
  }

  void deadLettersChanged() {
    AfterCommit.run(this::refresh);
  }

  void breakers(ChannelType channel, int worstState, int notClosed) {
    Objects.requireNonNull(breakers.get(channel)).set(worstState);
    Objects.requireNonNull(openBreakers.get(channel)).set(notClosed);
  }

  private Counter counter(ChannelType channel, String outcome) {
    return counters.computeIfAbsent(
        channel.text() + ":" + outcome,
        key ->
            Counter.builder("tocsin.notifications")
                .description("Messages by final outcome, and retries")
                .tag("channel", channel.text())
                .tag("outcome", outcome)
                .register(registry));
  }

  // As often as Prometheus scrapes by default: a fresher gauge would be read by nobody.
  @Scheduled(fixedDelayString = "PT15S")
  void refresh() {
    if (!database.isReady()) {
      return;
    }
    try {
      Map<ChannelType, Long> counts = new EnumMap<>(ChannelType.class);
      jdbc.sql(
              "SELECT channel, COUNT(*) AS n FROM notify_message"
                  + " WHERE status IN ('pending', 'sending') GROUP BY channel")
          .query(
              rs -> {
                counts.put(
                    EnumText.parse(ChannelType.class, "channel", rs.getString("channel")),
                    rs.getLong("n"));
              });
      depth.forEach((channel, gauge) -> gauge.set(counts.getOrDefault(channel, 0L)));
      deadLetters.set(
          jdbc.sql("SELECT COUNT(*) FROM notify_message WHERE status = 'dead'")
              .query(Long.class)
              .single());
    } catch (RuntimeException e) {
      log.debug("Counting queued messages failed: " + e.getMessage());
    }
  }
}
