package io.tocsin.notify;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.incident.IncidentStatus;
import io.tocsin.platform.DatabaseAvailability;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The threads that deliver messages: {@code tocsin.notify.workers} per channel, so that a slow or
 * rate-limited chat tool never holds up email or push. Each claims a few due messages of its
 * channel, delivers them one by one outside any transaction, and records each result. One circuit
 * breaker per destination host: while it is open, that host's messages wait (their attempts not
 * counted) instead of hammering it.
 */
@Component
class DeliveryWorkers implements SmartLifecycle {

  private static final Log log = LogFactory.getLog(DeliveryWorkers.class);
  private static final Duration MIN_WAIT = Duration.ofMillis(20);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /** How soon a message held back by an open breaker asks again; the breaker decides. */
  private static final Duration BREAKER_RECHECK = Duration.ofSeconds(5);

  private final Outbox outbox;
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
  private final Map<ChannelType, Semaphore> wakeups = new EnumMap<>(ChannelType.class);
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running;

  DeliveryWorkers(
      Outbox outbox,
      Channels channels,
      ContactMethodRows methods,
      MessageRenderer renderer,
      UserService users,
      NotifyMetrics metrics,
      DatabaseAvailability database,
      Clock clock,
      @Value("${tocsin.notify.workers:4}") int threadsPerChannel,
      @Value("${tocsin.notify.batch-size:2}") int batchSize,
      @Value("${tocsin.notify.poll-interval:1s}") Duration pollInterval,
      @Value("${tocsin.notify.lease:2m}") Duration lease,
      @Value("${tocsin.notify.breaker-open-for:30s}") Duration breakerOpenFor,
      @Value("${tocsin.notify.rate-limit:5}") int rateLimit,
      @Value("${tocsin.notify.rate-limit-window:1m}") Duration rateWindow) {
    this.rateLimit = Math.max(1, rateLimit);
    this.rateWindow = rateWindow;
    this.outbox = outbox;
    this.channels = channels;
    this.methods = methods;
    this.renderer = renderer;
    this.users = users;
    this.metrics = metrics;
    this.database = database;
    this.clock = clock;
    this.threadsPerChannel = Math.max(1, threadsPerChannel);
    this.batchSize = Math.max(1, batchSize);
    this.pollInterval = pollInterval;
    this.lease = lease;
    this.breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(breakerOpenFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
    for (ChannelType type : ChannelType.values()) {
      wakeups.put(type, new Semaphore(0));
    }
  }

  /** Messages this node queued go out without waiting for the next look. */
  @TransactionalEventListener(fallbackExecution = true)
  void queued(Outbox.Queued queued) {
    queued.channels().forEach(channel -> wakeups.get(channel).release(threadsPerChannel));
  }

  @java.lang.Override
  public synchronized void start() {
    running = true;
    for (ChannelType type : channels.available()) {
      for (int i = 1; i <= threadsPerChannel; i++) {
        Thread thread = new Thread(() -> work(type), "notify-" + type.text() + "-" + i);
        thread.setDaemon(true);
        workers.add(thread);
        thread.start();
      }
    }
  }

  @java.lang.Override
  public synchronized void stop() {
    running = false;
    workers.forEach(Thread::interrupt);
    for (Thread thread : workers) {
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    workers.clear();
  }

  @java.lang.Override
  public boolean isRunning() {
    return running;
  }

  private void work(ChannelType type) {
    Channel channel = channels.get(type);
    Duration backoff = pollInterval;
    boolean failing = false;
    while (running) {
      try {
        if (!database.isReady()) {
          pause(type, pollInterval);
          continue;
        }
        List<Outbox.Claimed> claimed = outbox.claim(type, batchSize, lease);
        for (Outbox.Claimed message : claimed) {
          deliver(channel, message);
        }
        if (failing) {
          log.info("Delivering " + type.text() + " messages works again.");
          failing = false;
          backoff = pollInterval;
        }
        if (claimed.size() < batchSize) {
          pause(type, untilNextDue(type));
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        if (!failing) {
          log.warn(
              "Delivering " + type.text() + " messages failed; retrying: " + e.getMessage(), e);
          failing = true;
        }
        try {
          pause(type, backoff);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
  }

  private void deliver(Channel channel, Outbox.Claimed message) {
    Optional<ContactMethod> method = methods.find(message.contactMethodId());
    String recipient = users.find(message.userId()).map(User::name).orElse("a deleted user");
    Instant started = clock.instant();
    if (method.isEmpty()) {
      outbox.record(
          message,
          new DeliveryResult.Permanent("the contact method was deleted"),
          started,
          recipient);
      return;
    }
    if ((message.kind() == Message.Kind.PAGE || message.kind() == Message.Kind.SUBSCRIPTION)
        && outbox.overLimit(message.userId(), channel.type(), rateLimit, rateWindow)) {
      outbox.fold(message, rateWindow);
      return;
    }
    String host = channel.destinationHost(method.get());
    CircuitBreaker breaker = breakers.circuitBreaker(channel.type().text() + ":" + host);
    if (!breaker.tryAcquirePermission()) {
      outbox.postpone(
          message,
          clock.instant().plus(BREAKER_RECHECK),
          "Waiting: the circuit breaker for " + host + " is open after repeated failures.");
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
        outbox.cancel(
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
    outbox.record(message, result, started, recipient);
  }

  private void breakerState(ChannelType type) {
    int worst = 0;
    for (CircuitBreaker breaker : breakers.getAllCircuitBreakers()) {
      if (!breaker.getName().startsWith(type.text() + ":")) {
        continue;
      }
      int state =
          breaker.getState() == CircuitBreaker.State.OPEN
              ? 2
              : breaker.getState() == CircuitBreaker.State.HALF_OPEN ? 1 : 0;
      worst = Math.max(worst, state);
    }
    metrics.breakerState(type, worst);
  }

  private Duration untilNextDue(ChannelType type) {
    Duration wait =
        outbox
            .nextDue(type)
            .map(due -> Duration.between(clock.instant(), due))
            .orElse(pollInterval);
    if (wait.compareTo(MIN_WAIT) < 0) {
      wait = MIN_WAIT;
    }
    return wait.compareTo(pollInterval) < 0 ? wait : pollInterval;
  }

  private void pause(ChannelType type, Duration timeout) throws InterruptedException {
    wakeups.get(type).tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** What a breaker records for a failed delivery: the attempt's own account. */
  private static final class DeliveryFailure extends RuntimeException {
    DeliveryFailure(String detail) {
      super(detail, null, false, false);
    }
  }
}
