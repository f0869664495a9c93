package io.tocsin.web;

import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.User;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentDetails;
import io.tocsin.incident.IncidentOpened;
import io.tocsin.incident.IncidentQueries;
import io.tocsin.incident.IncidentStatus;
import io.tocsin.incident.IncidentStatusChanged;
import io.tocsin.incident.Incidents;
import io.tocsin.ingest.AlertVolume;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.Severity;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /web/events}: Server-Sent Events that keep open console pages current. Every stream hears
 * {@code incidents} (the number open) when incidents opened, were taken or resolved; a stream that
 * asks hears {@code incident} when its incident's page changed (a note, an alert, a page, a
 * status), {@code alerts} when new alerts arrived, and {@code opened} when an incident opens for a
 * service whose first escalation level pages its viewer now, for the browser's notification.
 *
 * <p>The changes are read from the database once a second for all streams together, so that what
 * another node did shows as soon as what this node did, and a storm of a thousand changes is one
 * event a second, not a thousand. This node's own incident events only make the next look sooner.
 *
 * <p>A stream never ends by itself, so a stopping node ends them all before the web server's
 * graceful shutdown: otherwise that shutdown waits its whole timeout for them, and the browsers,
 * which reconnect to another node at once, gain nothing from the wait.
 */
@RestController
class LiveEvents implements SmartLifecycle {

  private static final long STREAM_LIFETIME = Duration.ofMinutes(10).toMillis();
  private static final int OTHER_NODES_EVERY = 5;

  /**
   * Every so many ticks each stream gets a comment, whether or not anything changed: a proxy in
   * front of Tocsin ends a connection that stays silent (nginx after 60 s), and a stream whose
   * browser went away is only noticed, and forgotten, when a write to it fails.
   */
  private static final int HEARTBEAT_EVERY = 15;

  /**
   * How far back each look for opened incidents reaches past the previous look: an incident another
   * node opened just before that look may have committed just after it.
   */
  private static final Duration OPENED_OVERLAP = Duration.ofSeconds(30);

  /** The most incidents one look announces: past that, a storm is one look at the dashboard. */
  private static final int ANNOUNCED_PER_LOOK = 20;

  private final IncidentQueries queries;
  private final IncidentDetails details;
  private final Incidents incidents;
  private final AlertVolume alertVolume;
  private final EscalationPolicies policies;
  private final DatabaseAvailability database;
  private final Clock clock;
  private final JsonMapper json;
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private final AtomicLong ticks = new AtomicLong();
  private final AtomicBoolean changed = new AtomicBoolean();
  private final Map<UUID, Instant> announced = new LinkedHashMap<>();
  private @Nullable Map<IncidentStatus, Map<Severity, Long>> lastTally;
  private long lastAlerts = -1;
  private @Nullable Instant openedLookedAt;
  private volatile boolean running;

  /**
   * A browser's stream, since when, and what its page asked to hear about besides the open count.
   * {@code stamp} is its incident's stamp as the page last showed it, so that a change made between
   * the page's rendering and its stream's first look is not missed.
   */
  private static final class Watcher {
    final SseEmitter emitter;
    final @Nullable UUID userId;
    final @Nullable UUID incident;
    final boolean alerts;
    final boolean notifies;
    final Instant since;
    @Nullable String stamp;

    Watcher(
        SseEmitter emitter,
        @Nullable UUID userId,
        @Nullable UUID incident,
        @Nullable String stamp,
        boolean alerts,
        boolean notifies,
        Instant since) {
      this.emitter = emitter;
      this.userId = userId;
      this.incident = incident;
      this.stamp = stamp;
      this.alerts = alerts;
      this.notifies = notifies;
      this.since = since;
    }
  }

  LiveEvents(
      IncidentQueries queries,
      IncidentDetails details,
      Incidents incidents,
      AlertVolume alertVolume,
      EscalationPolicies policies,
      DatabaseAvailability database,
      Clock clock,
      JsonMapper json) {
    this.queries = queries;
    this.details = details;
    this.incidents = incidents;
    this.alertVolume = alertVolume;
    this.policies = policies;
    this.database = database;
    this.clock = clock;
    this.json = json;
  }

  @GetMapping(value = "/web/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  ResponseEntity<SseEmitter> events(
      @RequestParam(required = false) @Nullable Long incident,
      @RequestParam(required = false) @Nullable String stamp,
      @RequestParam(defaultValue = "false") boolean alerts,
      @RequestParam(defaultValue = "false") boolean notify) {
    if (!running) {
      return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build();
    }
    UUID watched = incident == null ? null : incidents.byNumber(incident).id();
    SignedInUser me = SignedInUser.current();
    SseEmitter emitter = new SseEmitter(STREAM_LIFETIME);
    Watcher watcher =
        new Watcher(
            emitter,
            me == null ? null : me.id(),
            watched,
            stamp == null || stamp.isBlank() ? null : stamp,
            alerts,
            notify,
            clock.instant());
    watchers.add(watcher);
    emitter.onCompletion(() -> watchers.remove(watcher));
    emitter.onTimeout(() -> watchers.remove(watcher));
    emitter.onError(e -> watchers.remove(watcher));
    return ResponseEntity.ok(emitter);
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    watchers.forEach(watcher -> watcher.emitter.complete());
    watchers.clear();
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
   * Each look costs one query per kind of thing watched. The watched incidents and the alert count
   * are looked at every tick: a note or an alert writes no event on this node to wait for. The
   * tally and the opened incidents are looked at when this node changed incidents, and otherwise
   * every few ticks in case another node did.
   */
  @Scheduled(fixedDelayString = "PT1S")
  synchronized void tick() {
    boolean mine = changed.getAndSet(false);
    if (watchers.isEmpty() || !database.isReady()) {
      lastTally = null;
      openedLookedAt = null;
      return;
    }
    long tick = ticks.incrementAndGet();
    if (tick % HEARTBEAT_EVERY == 0) {
      heartbeat();
    }
    if (mine || tick % OTHER_NODES_EVERY == 0) {
      pushTally(mine);
      announceOpened();
    }
    pushWatchedIncidents();
    pushAlerts();
  }

  private void pushTally(boolean mine) {
    Map<IncidentStatus, Map<Severity, Long>> tally = queries.openByStatusAndSeverity();
    if (mine || !tally.equals(lastTally)) {
      lastTally = tally;
      long open =
          tally.values().stream()
              .flatMap(bySeverity -> bySeverity.values().stream())
              .mapToLong(Long::longValue)
              .sum();
      send(watcher -> true, "incidents", Long.toString(open));
    }
  }

  private void pushWatchedIncidents() {
    Set<UUID> watched =
        watchers.stream()
            .map(watcher -> watcher.incident)
            .filter(Objects::nonNull)
            .collect(Collectors.toSet());
    if (watched.isEmpty()) {
      return;
    }
    Map<UUID, String> stamps = details.timelineStamps(watched);
    for (Watcher watcher : watchers) {
      String stamp = watcher.incident == null ? null : stamps.get(watcher.incident);
      if (stamp == null || stamp.equals(watcher.stamp)) {
        continue;
      }
      boolean shown = watcher.stamp != null;
      watcher.stamp = stamp;
      if (shown) {
        send(watcher, SseEmitter.event().name("incident").data(stamp));
      }
    }
  }

  /** New alerts, counted as the dashboard's volume chart counts them: one query, however many. */
  private void pushAlerts() {
    if (watchers.stream().noneMatch(watcher -> watcher.alerts)) {
      lastAlerts = -1;
      return;
    }
    Instant bucket = AlertVolume.bucketOf(clock.instant());
    long count =
        alertVolume.perBucket(bucket, bucket.plus(AlertVolume.BUCKET), null).stream()
            .mapToLong(AlertVolume.Bucket::alerts)
            .sum();
    if (lastAlerts >= 0 && count != lastAlerts) {
      send(watcher -> watcher.alerts, "alerts", Long.toString(count));
    }
    lastAlerts = count;
  }

  /**
   * Tells each viewer who asked for notifications of the incidents opened since their stream began
   * for services whose first escalation level pages them now. A browser that reconnects is not told
   * again of what it already showed, and nobody of what opened before they asked.
   */
  private void announceOpened() {
    Instant now = clock.instant();
    Instant earliest =
        watchers.stream()
            .filter(watcher -> watcher.notifies)
            .map(watcher -> watcher.since)
            .min(Comparator.naturalOrder())
            .orElse(null);
    if (earliest == null) {
      openedLookedAt = null;
      announced.clear();
      return;
    }
    Instant overlapped = openedLookedAt == null ? earliest : openedLookedAt.minus(OPENED_OVERLAP);
    Instant since = overlapped.isAfter(earliest) ? overlapped : earliest;
    openedLookedAt = now;
    announced.values().removeIf(openedAt -> openedAt.isBefore(since));
    List<Incident> opened =
        queries
            .list(
                new IncidentQueries.Filter(null, null, null, null, since, null),
                null,
                ANNOUNCED_PER_LOOK)
            .items()
            .stream()
            .filter(incident -> !announced.containsKey(incident.id()))
            .toList();
    if (opened.isEmpty()) {
      return;
    }
    Map<UUID, EscalationPolicies.Policy> policyOf =
        policies.ofServices(opened.stream().map(Incident::serviceId).distinct().toList());
    Function<EscalationPolicies.Target, EscalationPolicies.ResolvedTarget> resolver =
        policies.resolverAt(now);
    for (Incident incident : opened) {
      announced.put(incident.id(), incident.openedAt());
      Set<UUID> onCall = firstLevelPeople(policyOf.get(incident.serviceId()), resolver);
      if (!onCall.isEmpty()) {
        send(
            watcher ->
                watcher.notifies
                    && onCall.contains(watcher.userId)
                    && !incident.openedAt().isBefore(watcher.since),
            "opened",
            json.writeValueAsString(
                new Announcement(
                    incident.number(), EnumText.canonical(incident.severity()), incident.title())));
      }
    }
  }

  private static Set<UUID> firstLevelPeople(
      EscalationPolicies.@Nullable Policy policy,
      Function<EscalationPolicies.Target, EscalationPolicies.ResolvedTarget> resolver) {
    Set<UUID> people = new HashSet<>();
    if (policy != null && !policy.levels().isEmpty()) {
      for (EscalationPolicies.Target target :
          Objects.requireNonNull(policy.levels().get(0).targets())) {
        resolver.apply(target).people().stream().map(User::id).forEach(people::add);
      }
    }
    return people;
  }

  /** What the browser's notification says: the incident's number, severity and title. */
  private record Announcement(long number, String severity, String title) {}

  private void heartbeat() {
    send(watcher -> true, () -> SseEmitter.event().comment("alive"));
  }

  private void send(Predicate<Watcher> to, String name, String data) {
    send(to, () -> SseEmitter.event().name(name).data(data));
  }

  /** An event builder is used up by one send: each stream gets its own. */
  private void send(Predicate<Watcher> to, Supplier<SseEmitter.SseEventBuilder> event) {
    for (Watcher watcher : watchers) {
      if (to.test(watcher)) {
        send(watcher, event.get());
      }
    }
  }

  private void send(Watcher watcher, SseEmitter.SseEventBuilder event) {
    try {
      watcher.emitter.send(event);
    } catch (IOException | IllegalStateException e) {
      watchers.remove(watcher);
    }
  }
}
