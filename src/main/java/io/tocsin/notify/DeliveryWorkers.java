package io.tocsin.notify;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.incident.IncidentStatus;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.WorkerThreads;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The threads that deliver messages: {@code tocsin.notify.workers} per channel, so that a slow or
 * rate-limited chat tool never holds up email or push. Each claims a few due messages of its
 * channel, delivers them one by one outside any transaction, and records each result. One circuit
 * breaker per destination ({@link Channel#destination}: for the HTTP channels the whole URL): while
 * it is open, that destination's messages wait (their attempts not counted) instead of hammering
 * it, and messages to anywhere else, even the same host, go on.
 */
@Component
class DeliveryWorkers implements SmartLifecycle {

  private static final Log log = LogFactory.getLog(DeliveryWorkers.class);
  private static final Duration MIN_WAIT = Duration.ofMillis(20);
  private static final String CHANNEL = "channel";
  private static final String DESTINATION = "destination";

  /** How soon a message held back by an open breaker asks again; the breaker decides. */
  private static final Duration BREAKER_RECHECK = Duration.ofSeconds(5);

  /**
   * A breaker holds messages back only while they keep asking it, every {@link #BREAKER_RECHECK}.
   * One that nobody asked for this long (its method deleted, its messages dead letters) is no
   * longer reported, so an alert on it does not fire forever; an hour later it is forgotten.
   */
  private static final Duration BREAKER_IDLE = BREAKER_RECHECK.multipliedBy(4);

  private static final Duration BREAKER_FORGOTTEN = Duration.ofHours(1);

  private final OutboxClaims claims;
  private final Channels channels;
  private final ContactMethodRows methods;
  private final MessageRenderer renderer;
  private final UserService users;
  private final NotifyMetrics metrics;
  private final DatabaseAvailability database;
  private final Clock clock;
  private final int threadsPerChannel;
  private final int batchSize;
  private final Duration pollInterval;
  private final Duration lease;
  private final int rateLimit;
  private final Duration rateWindow;
  private final CircuitBreakerRegistry breakers;
  private final Map<ChannelType, WorkerThreads> workers = new EnumMap<>(ChannelType.class);
  private final Map<String, Instant> breakerAsked = new ConcurrentHashMap<>();
  private volatile boolean running;

  DeliveryWorkers(
      OutboxClaims claims,
      Channels channels,
      ContactMethodRows methods,
      MessageRenderer renderer,
      UserService users,
      NotifyMetrics metrics,
      DatabaseAvailability database,
      Clock clock,
      NotifyProperties settings) {
    this.rateLimit = settings.rateLimit();
    this.rateWindow = settings.rateLimitWindow();
    this.claims = claims;
    this.channels = channels;
    this.methods = methods;
    this.renderer = renderer;
    this.users = users;
    this.metrics = metrics;
    this.database = database;
    this.clock = clock;
    this.threadsPerChannel = settings.workers();
    this.batchSize = settings.batchSize();
    this.pollInterval = settings.pollInterval();
    this.lease = settings.lease();
    this.breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(settings.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
  }

  /** Messages this node queued go out without waiting for the next look. */
  @TransactionalEventListener(fallbackExecution = true)
  void queued(Outbox.Queued queued) {
    queued
        .channels()
        .forEach(
            channel -> {
              WorkerThreads workers = this.workers.get(channel);
              if (workers != null) {
                workers.nudge();
              }
            });
  }

  @java.lang.Override
  public synchronized void start() {
    for (ChannelType type : channels.available()) {
      Channel channel = channels.get(type);
      WorkerThreads threads =
          new WorkerThreads(
              "Delivering " + type.text() + " messages",
              threadsPerChannel,
              pollInterval,
              database,
              log);
      workers.put(type, threads);
      threads.start(() -> step(channel));
    }
    running = true;
  }

  @java.lang.Override
  public synchronized void stop() {
    workers.values().forEach(WorkerThreads::stop);
    workers.clear();
    running = false;
  }

  @java.lang.Override
  public boolean isRunning() {
    return running;
  }

  private Duration step(Channel channel) {
    breakerState(channel.type());
    List<OutboxClaims.Claimed> claimed = claims.claim(channel.type(), batchSize, lease);
    for (OutboxClaims.Claimed message : claimed) {
      deliver(channel, message);
    }
    if (claimed.size() == batchSize) {
      return Duration.ZERO;
    }
    Duration untilDue =
        claims
            .nextDue(channel.type())
            .map(due -> Duration.between(clock.instant(), due))
            .orElse(pollInterval);
    return WorkerThreads.untilDue(untilDue, MIN_WAIT, pollInterval);
  }

  private void deliver(Channel channel, OutboxClaims.Claimed message) {
    Optional<ContactMethod> method = methods.find(message.contactMethodId());
    String recipient = users.find(message.userId()).map(User::name).orElse("a deleted user");
    Instant started = clock.instant();
    if (method.isEmpty()) {
      claims.record(
          message,
          new DeliveryResult.Permanent("the contact method was deleted"),
          started,
          recipient);
      return;
    }
    if (!method.get().readable()) {
      // Retried rather than given up on: in a rolling key change another node may hold the key,
      // and the breaker is left alone because the destination did nothing wrong.
      claims.record(
          message,
          new DeliveryResult.Retryable(Objects.requireNonNull(method.get().unreadable()), null),
          started,
          recipient);
      return;
    }
    if ((message.kind() == Message.Kind.PAGE || message.kind() == Message.Kind.SUBSCRIPTION)
        && claims.overLimit(message.userId(), channel.type(), rateLimit, rateWindow)) {
      claims.fold(message, rateWindow);
      return;
    }
    Channel.Destination destination = channel.destination(method.get());
    String name = channel.type().text() + " " + destination.key();
    breakerAsked.put(name, clock.instant());
    CircuitBreaker breaker =
        breakers.circuitBreaker(
            name, Map.of(CHANNEL, channel.type().text(), DESTINATION, destination.shown()));
    if (!breaker.tryAcquirePermission()) {
      claims.postpone(
          message,
          clock.instant().plus(BREAKER_RECHECK),
          "Waiting: the circuit breaker for "
              + destination.shown()
              + " is open after repeated failures.");
      breakerState(channel.type());
      return;
    }
    DeliveryResult result;
    long start = System.nanoTime();
    try {
      Message rendered = renderer.render(message, method.get(), recipient);
      if (rendered.kind() == Message.Kind.PAGE
          && rendered.incident() != null
          && !rendered.incident().status().equals(IncidentStatus.OPEN.text())) {
        breaker.onSuccess(0, TimeUnit.NANOSECONDS);
        claims.cancel(
            message, "Cancelled: the incident was acknowledged or resolved before sending.");
        return;
      }
      result = channel.deliver(rendered);
    } catch (RuntimeException e) {
      result =
          new DeliveryResult.Retryable(e.getClass().getSimpleName() + ": " + e.getMessage(), null);
    }
    long took = System.nanoTime() - start;
    if (result instanceof DeliveryResult.Retryable) {
      breaker.onError(took, TimeUnit.NANOSECONDS, new DeliveryFailure(result.detail()));
    } else {
      breaker.onSuccess(took, TimeUnit.NANOSECONDS);
    }
    breakerState(channel.type());
    claims.record(message, result, started, recipient);
  }

  private void breakerState(ChannelType type) {
    int worst = 0;
    int notClosed = 0;
    for (CircuitBreaker breaker : breakers.getAllCircuitBreakers()) {
      if (!type.text().equals(breaker.getTags().get(CHANNEL)) || !holding(breaker)) {
        continue;
      }
      int state =
          breaker.getState() == CircuitBreaker.State.OPEN
              ? 2
              : breaker.getState() == CircuitBreaker.State.HALF_OPEN ? 1 : 0;
      worst = Math.max(worst, state);
      notClosed += state > 0 ? 1 : 0;
    }
    metrics.breakers(type, worst, notClosed);
  }

  /** The breakers that hold messages back now, by channel and destination. */
  List<DeliveryBreakers.OpenBreaker> openBreakers() {
    List<DeliveryBreakers.OpenBreaker> open = new ArrayList<>();
    for (CircuitBreaker breaker : breakers.getAllCircuitBreakers()) {
      CircuitBreaker.State state = breaker.getState();
      if ((state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.HALF_OPEN)
          && holding(breaker)) {
        open.add(
            new DeliveryBreakers.OpenBreaker(
                Objects.requireNonNull(breaker.getTags().get(CHANNEL)),
                Objects.requireNonNull(breaker.getTags().get(DESTINATION)),
                state == CircuitBreaker.State.OPEN ? "open" : "half open"));
      }
    }
    open.sort(
        Comparator.comparing(DeliveryBreakers.OpenBreaker::channel)
            .thenComparing(DeliveryBreakers.OpenBreaker::destination));
    return open;
  }

  /** Whether messages asked the breaker lately; one idle for an hour is dropped. */
  private boolean holding(CircuitBreaker breaker) {
    Instant asked = breakerAsked.get(breaker.getName());
    if (asked == null) {
      return false;
    }
    Instant now = clock.instant();
    // Only if nobody asked meanwhile: a message that just did keeps the breaker it was given.
    if (asked.isBefore(now.minus(BREAKER_FORGOTTEN))
        && breakerAsked.remove(breaker.getName(), asked)) {
      breakers.remove(breaker.getName());
      return false;
    }
    return !asked.isBefore(now.minus(BREAKER_IDLE));
  }

  /** What a breaker records for a failed delivery: the attempt's own account. */
  private static final class DeliveryFailure extends RuntimeException {
    DeliveryFailure(String detail) {
      super(detail, null, false, false);
    }
  }
}
