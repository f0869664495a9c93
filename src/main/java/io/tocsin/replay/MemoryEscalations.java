package io.tocsin.replay;

import io.tocsin.directory.User;
import io.tocsin.incident.IncidentStatus;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.NotificationRules.Urgency;
import io.tocsin.oncall.EscalationPolicies.Level;
import io.tocsin.oncall.EscalationPolicies.Policy;
import io.tocsin.oncall.EscalationPolicies.ResolvedTarget;
import io.tocsin.oncall.EscalationPolicies.Target;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.function.Function;

/**
 * Escalation and notification on the replay's clock, as {@code Escalations} and the outbox do live:
 * an incident's first page waits its hold, then each level pages its targets and waits its delay, a
 * level that finds nobody passes at once to the next, and the policy's rounds end the run; a
 * severity raised pages the last level again. Each page becomes one message per verified step of
 * the person's rules for the incident's urgency, sent at its delay unless the incident is resolved
 * by then. Nobody acknowledges, so a run ends only when its incident resolves (or is merged) or its
 * rounds are through.
 */
final class MemoryEscalations {

  /** The hours of a person's night, in their own time zone. */
  static final LocalTime NIGHT_FROM = LocalTime.of(22, 0);

  static final LocalTime NIGHT_UNTIL = LocalTime.of(7, 0);

  /**
   * A message that went out: a page, a subscriber's message, or a summary of the messages the rate
   * limit held back (then {@code incidentId} is the first of their incidents).
   */
  record Sent(
      UUID incidentId,
      User person,
      ChannelType channel,
      Instant at,
      boolean atNight,
      boolean summary,
      boolean subscription) {

    boolean page() {
      return !summary && !subscription;
    }
  }

  private sealed interface Due {
    Instant at();

    UUID incidentId();
  }

  private record StepDue(Instant at, UUID incidentId, long run) implements Due {}

  private record MessageDue(
      Instant at, UUID incidentId, User person, ChannelType channel, boolean subscription)
      implements Due {}

  /** The summary of a person's pages through a channel that the rate limit held back. */
  private static final class SummaryDue implements Due {
    final Instant at;
    final User person;
    final ChannelType channel;
    final List<UUID> incidents = new ArrayList<>();

    SummaryDue(Instant at, User person, ChannelType channel) {
      this.at = at;
      this.person = person;
      this.channel = channel;
    }

    @Override
    public Instant at() {
      return at;
    }

    @Override
    public UUID incidentId() {
      return incidents.get(0);
    }
  }

  /** An incident's escalation: its policy and where it stands. */
  private static final class Run {
    final Policy policy;
    final long id;
    int level;
    int round;
    int steps;
    boolean active = true;

    Run(Policy policy, long id) {
      this.policy = policy;
      this.id = id;
    }
  }

  private final ReplayPaging paging;
  private final MemoryIncidents incidents;
  private final PriorityQueue<Due> dues =
      new PriorityQueue<>(
          Comparator.comparing(Due::at).thenComparing(d -> d.incidentId().toString()));
  private final Map<UUID, Run> runs = new HashMap<>();
  private final List<Sent> sent = new ArrayList<>();
  private final Map<UUID, Instant> firstReached = new LinkedHashMap<>();
  private final Map<String, ArrayDeque<Instant>> delivered = new HashMap<>();
  private final Map<String, SummaryDue> pendingSummaries = new HashMap<>();
  private int summarized;
  private long started;

  MemoryEscalations(ReplayPaging paging, MemoryIncidents incidents) {
    this.paging = paging;
    this.incidents = incidents;
  }

  List<Sent> sent() {
    return sent;
  }

  /** When each incident's first message went out. */
  Map<UUID, Instant> firstReached() {
    return firstReached;
  }

  /** Pages the rate limit held back into summaries. */
  int summarized() {
    return summarized;
  }

  /** Follows what correlation did to incidents. */
  void follow(List<MemoryIncidents.Change> changes) {
    for (MemoryIncidents.Change change : changes) {
      if (change instanceof MemoryIncidents.Opened opened) {
        tell(opened);
        start(opened);
      } else if (change instanceof MemoryIncidents.SeverityRaised raised) {
        severityRaised(raised);
      } else {
        tell(change);
        Run run = runs.get(change.incidentId());
        if (run != null) {
          run.active = false;
        }
      }
    }
  }

  /** When the next step or message falls due, if any waits. */
  Optional<Instant> nextDue() {
    Due next = dues.peek();
    return next == null ? Optional.empty() : Optional.of(next.at());
  }

  /** Runs the steps and sends the messages due at {@code until} or before, in their order. */
  void runUntil(Instant until) {
    while (dues.peek() != null && !dues.peek().at().isAfter(until)) {
      Due due = dues.poll();
      if (due instanceof SummaryDue summary) {
        deliverSummary(summary);
        continue;
      }
      MemoryIncidents.Held incident = incidents.heldById(due.incidentId());
      if (incident.status != IncidentStatus.OPEN) {
        // Resolved, merged or acknowledged: the run stops and pending pages are cancelled.
        Run run = runs.get(due.incidentId());
        if (run != null) {
          run.active = false;
        }
        continue;
      }
      if (due instanceof StepDue step) {
        Run run = runs.get(step.incidentId());
        if (run != null && run.active && run.id == step.run()) {
          climb(run, incident, step.at());
        }
      } else if (due instanceof MessageDue message) {
        send(message);
      }
    }
  }

  /**
   * Tells the service's subscribers that an incident opened or resolved, at once, through the first
   * of their low-urgency steps: their messages count against the rate limit, as live.
   */
  private void tell(MemoryIncidents.Change change) {
    MemoryIncidents.Held incident = incidents.heldById(change.incidentId());
    for (User person : paging.subscribersOf(incident.serviceId)) {
      List<ReplayPaging.Step> steps = paging.steps(person, Urgency.LOW);
      if (!steps.isEmpty()) {
        send(new MessageDue(change.at(), incident.id, person, steps.get(0).channel(), true));
      }
    }
  }

  private void start(MemoryIncidents.Opened opened) {
    MemoryIncidents.Held incident = incidents.heldById(opened.incidentId());
    Optional<Policy> policy = paging.policyOf(incident.serviceId);
    if (policy.isEmpty() || policy.get().levels().isEmpty()) {
      return;
    }
    Run run = new Run(policy.get(), ++started);
    runs.put(incident.id, run);
    dues.add(
        new StepDue(
            opened.at().plus(paging.firstPageWait(incident.serviceId)), incident.id, run.id));
  }

  /**
   * Pages the run's next level, and the next ones at once while a level finds nobody: the walk of
   * {@code Escalations.climb}, which writes as it goes and so cannot run here. A change to one is a
   * change to the other: the replay of the configuration as it is must page as live did.
   */
  private void climb(Run run, MemoryIncidents.Held incident, Instant now) {
    Policy policy = run.policy;
    int levels = policy.levels().size();
    int total = levels * (policy.repeat() + 1);
    for (int tried = 1; ; tried++) {
      int position = run.round * levels + run.level;
      if (position >= total) {
        run.active = false;
        return;
      }
      Level level = policy.levels().get(run.level);
      boolean anyone = page(run, incident, level, now);
      run.level = (position + 1) % levels;
      run.round = (position + 1) / levels;
      if (anyone || tried == levels) {
        dues.add(
            new StepDue(
                now.plus(Duration.ofMinutes(Objects.requireNonNull(level.delayMinutes()))),
                incident.id,
                run.id));
        return;
      }
    }
  }

  /** Pages the level paged last again, at the incident's new urgency; the timer stays. */
  private void severityRaised(MemoryIncidents.SeverityRaised raised) {
    Run run = runs.get(raised.incidentId());
    MemoryIncidents.Held incident = incidents.heldById(raised.incidentId());
    if (run == null || run.steps == 0 || incident.status != IncidentStatus.OPEN) {
      return;
    }
    int levels = run.policy.levels().size();
    int last = Math.min(levels - 1, Math.floorMod(run.level - 1, levels));
    page(run, incident, run.policy.levels().get(last), raised.at());
  }

  /** Pages each person the level finds once; answers whether it found anybody. */
  private boolean page(Run run, MemoryIncidents.Held incident, Level level, Instant now) {
    run.steps++;
    Function<Target, ResolvedTarget> resolver = paging.resolverAt(now);
    Map<UUID, User> people = new LinkedHashMap<>();
    for (Target target : Objects.requireNonNull(level.targets())) {
      resolver.apply(target).people().forEach(person -> people.putIfAbsent(person.id(), person));
    }
    Urgency urgency = Urgency.of(incident.severity);
    for (User person : people.values()) {
      for (ReplayPaging.Step step : paging.steps(person, urgency)) {
        dues.add(
            new MessageDue(now.plus(step.delay()), incident.id, person, step.channel(), false));
      }
    }
    return !people.isEmpty();
  }

  /**
   * Sends a page, or folds it into the person's summary for the channel when they had the rate
   * limit's number of messages through it within its window: the summary goes when the oldest of
   * them leaves the window.
   */
  private void send(MessageDue message) {
    String key = message.person().id() + " " + message.channel();
    ArrayDeque<Instant> recent = recent(key, message.at());
    if (recent.size() >= paging.rateLimit()) {
      summarized++;
      pendingSummaries
          .computeIfAbsent(
              key,
              k -> {
                Instant oldest = recent.isEmpty() ? message.at() : recent.peekFirst();
                Instant due = oldest.plus(paging.rateWindow());
                SummaryDue summary =
                    new SummaryDue(
                        due.isBefore(message.at()) ? message.at() : due,
                        message.person(),
                        message.channel());
                dues.add(summary);
                return summary;
              })
          .incidents
          .add(message.incidentId());
      return;
    }
    recent.addLast(message.at());
    sent.add(
        new Sent(
            message.incidentId(),
            message.person(),
            message.channel(),
            message.at(),
            atNight(message.person(), message.at()),
            false,
            message.subscription()));
    if (!message.subscription()) {
      firstReached.putIfAbsent(message.incidentId(), message.at());
    }
  }

  private void deliverSummary(SummaryDue summary) {
    String key = summary.person.id() + " " + summary.channel;
    pendingSummaries.remove(key);
    recent(key, summary.at).addLast(summary.at);
    sent.add(
        new Sent(
            summary.incidentId(),
            summary.person,
            summary.channel,
            summary.at,
            atNight(summary.person, summary.at),
            true,
            false));
    summary.incidents.forEach(incident -> firstReached.putIfAbsent(incident, summary.at));
  }

  /** The person's deliveries through the channel within the rate limit's window before now. */
  private ArrayDeque<Instant> recent(String key, Instant now) {
    ArrayDeque<Instant> recent = delivered.computeIfAbsent(key, k -> new ArrayDeque<>());
    Instant since = now.minus(paging.rateWindow());
    while (!recent.isEmpty() && !recent.peekFirst().isAfter(since)) {
      recent.pollFirst();
    }
    return recent;
  }

  private static boolean atNight(User person, Instant at) {
    LocalTime local = at.atZone(person.timeZone()).toLocalTime();
    return !local.isBefore(NIGHT_FROM) || local.isBefore(NIGHT_UNTIL);
  }
}
