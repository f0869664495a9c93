package io.tocsin.web;

import io.tocsin.incident.IncidentOpened;
import io.tocsin.incident.IncidentQueries;
import io.tocsin.incident.IncidentStatusChanged;
import io.tocsin.platform.DatabaseAvailability;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code /web/events}: Server-Sent Events that tell open pages the number of open incidents when it
 * may have changed. This node's own incident events push at once; a look every few seconds catches
 * what other nodes did. Browsers reconnect by themselves when a stream ends.
 *
 * <p>A stream never ends by itself, so a stopping node ends them all before the web server's
 * graceful shutdown: otherwise that shutdown waits its whole timeout for them, and the browsers,
 * which reconnect to another node at once, gain nothing from the wait.
 */
@RestController
class LiveEvents implements SmartLifecycle {

  private static final long STREAM_LIFETIME = Duration.ofMinutes(10).toMillis();
  private static final int OTHER_NODES_EVERY = 5;

  private final IncidentQueries queries;
  private final DatabaseAvailability database;
  private final List<SseEmitter> emitters = new CopyOnWriteArrayList<>();
  private final AtomicLong lastCount = new AtomicLong(-1);
  private final AtomicLong ticks = new AtomicLong();
  private final AtomicBoolean changed = new AtomicBoolean();
  private volatile boolean running;

  LiveEvents(IncidentQueries queries, DatabaseAvailability database) {
    this.queries = queries;
    this.database = database;
  }

  @GetMapping(value = "/web/events", produces = "text/event-stream")
  ResponseEntity<SseEmitter> events() {
    if (!running) {
      return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build();
    }
    SseEmitter emitter = new SseEmitter(STREAM_LIFETIME);
    emitters.add(emitter);
    emitter.onCompletion(() -> emitters.remove(emitter));
    emitter.onTimeout(() -> emitters.remove(emitter));
    emitter.onError(e -> emitters.remove(emitter));
    return ResponseEntity.ok(emitter);
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    emitters.forEach(SseEmitter::complete);
    emitters.clear();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stopped first, before the web server's graceful shutdown waits for open requests. */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE;
  }

  @TransactionalEventListener(fallbackExecution = true)
  void opened(IncidentOpened opened) {
    changed.set(true);
  }

  @TransactionalEventListener(fallbackExecution = true)
  void statusChanged(IncidentStatusChanged event) {
    changed.set(true);
  }

  /**
   * Pushes the count when this node changed incidents, and otherwise every few ticks in case
   * another node did. A storm of a thousand new incidents is one count a second, not a thousand.
   */
  @Scheduled(fixedDelayString = "PT1S")
  void tick() {
    boolean mine = changed.getAndSet(false);
    if (emitters.isEmpty() || !database.isReady()) {
      return;
    }
    if (!mine && ticks.incrementAndGet() % OTHER_NODES_EVERY != 0) {
      return;
    }
    long count = openCount();
    if (mine || count != lastCount.get()) {
      push(count);
    }
  }

  private long openCount() {
    return queries.openBySeverity().values().stream().mapToLong(Long::longValue).sum();
  }

  private void push(long count) {
    lastCount.set(count);
    for (SseEmitter emitter : emitters) {
      try {
        emitter.send(SseEmitter.event().name("incidents").data(Long.toString(count)));
      } catch (IOException | IllegalStateException e) {
        emitters.remove(emitter);
      }
    }
  }
}
