package io.tocsin.oncall;

import io.tocsin.directory.TeamScope;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.incident.Actor;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentOpened;
import io.tocsin.incident.IncidentSeverityRaised;
import io.tocsin.incident.IncidentSnoozed;
import io.tocsin.incident.IncidentStatus;
import io.tocsin.incident.IncidentStatusChanged;
import io.tocsin.incident.Incidents;
import io.tocsin.incident.TimelineKind;
import io.tocsin.oncall.EscalationPolicies.Level;
import io.tocsin.oncall.EscalationPolicies.Policy;
import io.tocsin.oncall.EscalationPolicies.ResolvedTarget;
import io.tocsin.oncall.EscalationPolicies.Target;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.util.IdGenerator;

/**
 * Escalation runs. Each incident climbs its service's policy: a level's targets are paged, and if
 * nobody has acknowledged when the level's delay runs out, the next level is; after the last level
 * the policy repeats as often as it says, then the run ends. The timer is the run's {@code due_at}
 * row, claimed with {@code FOR UPDATE SKIP LOCKED} in the transaction that pages, so each step
 * happens once whichever node claims it, and a node that starts late pages what is overdue. This
 * class holds the rules of the climb; the run is an {@link EscalationRun}, stored by {@link
 * EscalationRuns}.
 */
@Service
public class Escalations {

  private final EscalationRuns runs;
  private final EscalationPolicies policies;
  private final Incidents incidents;
  private final UserService users;
  private final ApplicationEventPublisher events;
  private final EscalationMetrics metrics;
  private final Clock clock;
  private final IdGenerator ids;
  private final Duration firstPageDelay;
  private final PagingHold hold;
  private final TeamScope scope;

  Escalations(
      EscalationRuns runs,
      EscalationPolicies policies,
      Incidents incidents,
      UserService users,
      ApplicationEventPublisher events,
      EscalationMetrics metrics,
      Clock clock,
      IdGenerator ids,
      PagingHold hold,
      EscalationProperties settings,
      TeamScope scope) {
    this.scope = scope;
    this.runs = runs;
    this.policies = policies;
    this.incidents = incidents;
    this.users = users;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
    this.ids = ids;
    this.firstPageDelay = settings.firstPageDelay();
    this.hold = hold;
  }

  /** Where a run stands. */
  public enum Status {
    /** Waiting to page its next level at {@code nextAt}. */
    ACTIVE,
    /** Someone acknowledged or resolved the incident. */
    STOPPED,
    /** Every level of every round was paged and nobody acknowledged. */
    EXHAUSTED,
    /** The service had no escalation policy: nobody was paged. */
    NO_POLICY
  }

  /** Why a step ran. */
  public enum Reason {
    TIMER,
    ESCALATED,
    REASSIGNED,
    /** The incident became more severe: the level paged last hears of it again. */
    SEVERITY_RAISED
  }

  /** An incident's escalation: where it stands and every step so far. Levels count from 1. */
  public record Escalation(
      UUID incidentId,
      long incidentNumber,
      UUID serviceId,
      @Nullable UUID policyId,
      Status status,
      int nextLevel,
      int nextRound,
      @Nullable Instant nextAt,
      Instant startedAt,
      @Nullable Instant endedAt,
      @Nullable String endReason,
      List<Step> steps) {}

  /** One level paged: when it was due and ran, who it paged, and whom it could not. */
  public record Step(
      int step,
      int level,
      int round,
      Reason reason,
      String actor,
      Instant dueAt,
      Instant executedAt,
      List<PageSent> pages,
      List<String> problems) {

    /** The delay from due to done: how late the timer fired. */
    public Duration lag() {
      return Duration.between(dueAt, executedAt);
    }
  }

  /** A person paged in a step. */
  public record PageSent(UUID pageId, UUID userId, String via, Instant requestedAt) {}

  /**
   * Starts the run of a new incident. After the commit that opened it, through the event
   * publication registry: a node that dies before the run is written leaves the publication
   * incomplete, and it is delivered again on restart. A delivery finds the incident as it is now
   * (locked, so a merge or acknowledgement waits for the run and then stops it), and a second
   * delivery finds the run and leaves it. The first level is paged by the worker right after this
   * commit.
   */
  @ApplicationModuleListener
  void incidentOpened(IncidentOpened opened) {
    if (runs.find(opened.incidentId()).isPresent()) {
      return;
    }
    Incident incident = incidents.lockAll(List.of(opened.incidentId())).get(opened.incidentId());
    Instant now = clock.instant();
    Optional<UUID> policy = policies.policyIdOf(opened.serviceId());
    EscalationRun run =
        new EscalationRun(
            opened.incidentId(),
            opened.number(),
            opened.serviceId(),
            policy.orElse(null),
            Status.ACTIVE,
            0,
            0,
            now,
            0,
            now,
            null,
            null);
    if (incident != null && incident.snoozedUntil() != null) {
      // Snoozed before its run started: the run waits for the snooze to end, then pages.
      runs.insert(run.waiting(incident.snoozedUntil()), null, null);
      return;
    }
    if (incident == null || incident.status() != IncidentStatus.OPEN) {
      runs.insert(run.ended(Status.STOPPED, now, notPaged(incident)), null, null);
      return;
    }
    Optional<Duration> held =
        opened.mayHold() && policy.isPresent()
            ? hold.holdFor(opened.serviceId())
            : Optional.empty();
    Duration wait = held.filter(h -> h.compareTo(firstPageDelay) > 0).orElse(firstPageDelay);
    run = run.waiting(now.plus(wait));
    if (policy.isEmpty()) {
      run =
          run.ended(
              Status.NO_POLICY, now, "The service has no escalation policy: nobody was paged.");
    }
    String holdReason =
        held.map(
                h ->
                    "Paging held for "
                        + seconds(h)
                        + ", the service's group delay: it depends on other services, and if"
                        + " their failure caused this, the cause's incident takes this one over"
                        + " and pages instead.")
            .orElse(null);
    if (!runs.insert(run, holdReason == null ? null : now.plus(wait), holdReason)) {
      return;
    }
    if (policy.isEmpty()) {
      incidents.record(
          List.of(
              new Incidents.Entry(
                  opened.incidentId(),
                  TimelineKind.PAGING_PROBLEM,
                  Actor.TOCSIN,
                  "Nobody is paged: the service has no escalation policy.")));
      metrics.problem(EscalationMetrics.Problem.NO_POLICY);
    }
    if (holdReason != null) {
      incidents.record(
          List.of(
              new Incidents.Entry(
                  opened.incidentId(), TimelineKind.PAGING_HELD, Actor.TOCSIN, holdReason)));
    }
    events.publishEvent(new RunStarted(opened.incidentId()));
  }

  /** Why an incident that changed before its run started is paged for by nobody. */
  private String notPaged(@Nullable Incident incident) {
    if (incident == null) {
      return "The incident no longer exists: nobody was paged.";
    }
    if (incident.mergedInto() != null) {
      return "Merged into "
          + incidents.get(incident.mergedInto()).reference()
          + " before paging started: it pages for it.";
    }
    return (incident.status() == IncidentStatus.RESOLVED ? "Resolved" : "Acknowledged")
        + " before paging started: nobody was paged.";
  }

  /**
   * Stops the run once someone acknowledged, started work on or resolved the incident. After the
   * commit, in a transaction of its own: the incident's transaction holds the incident's row, and a
   * step in progress holds the run's row and then needs the incident's (for the timeline), so doing
   * this inside would deadlock. Should it be lost, the next step finds the incident acknowledged
   * and stops the run then.
   */
  @TransactionalEventListener
  @Transactional(propagation = Propagation.REQUIRES_NEW)
  void incidentStatusChanged(IncidentStatusChanged changed) {
    if (changed.to() == IncidentStatus.OPEN) {
      return;
    }
    if (changed.to() == IncidentStatus.ACKNOWLEDGED
        && incidents.get(changed.incidentId()).snoozedUntil() != null) {
      // Snoozed: the run waits for the snooze to end instead (incidentSnoozed sets its timer).
      return;
    }
    String why =
        (changed.to() == IncidentStatus.RESOLVED ? "Resolved" : "Acknowledged")
            + " by "
            + changed.actor().name()
            + ".";
    boolean wasHeld = runs.lockHeld(changed.incidentId());
    runs.stop(changed.incidentId(), clock.instant(), why);
    if (wasHeld) {
      incidents.record(
          List.of(
              new Incidents.Entry(
                  changed.incidentId(),
                  TimelineKind.HOLD_ENDED,
                  Actor.TOCSIN,
                  "Hold ended before anyone was paged: " + holdEnd(changed))));
    }
  }

  /**
   * Sets the run of a snoozed incident to page its first level when the snooze ends: the run's
   * {@code due_at} is the snooze's timer, durable and claimed by one node like any step. Delivered
   * through the event publication registry, so a crash after the snooze's commit still sets it.
   */
  @ApplicationModuleListener
  void incidentSnoozed(IncidentSnoozed snoozed) {
    Optional<EscalationRun> found = runs.lock(snoozed.incidentId());
    if (found.isEmpty()) {
      // Its run has not started yet: starting, it finds the incident snoozed and waits.
      return;
    }
    Incident incident = incidents.get(snoozed.incidentId());
    Instant until = incident.snoozedUntil();
    if (incident.status() != IncidentStatus.ACKNOWLEDGED || until == null) {
      // Moved on since (work started, resolved): nothing is to page.
      return;
    }
    runs.write(List.of(), List.of(), List.of(found.get().next(0, 0).waiting(until)), List.of());
  }

  private String holdEnd(IncidentStatusChanged changed) {
    Incident incident = incidents.get(changed.incidentId());
    if (incident.mergedInto() != null) {
      return "merged into "
          + incidents.get(incident.mergedInto()).reference()
          + ", which pages for it.";
    }
    return (changed.to() == IncidentStatus.RESOLVED ? "resolved" : "acknowledged")
        + " by "
        + changed.actor().name()
        + ".";
  }

  /**
   * Runs up to {@code limit} overdue steps, oldest first, in one transaction; rows another node
   * holds are skipped, not waited for. Returns how many runs it took.
   */
  @Transactional
  public int runDue(int limit) {
    Instant now = clock.instant();
    List<EscalationRun> due = runs.lockDue(now, limit);
    if (due.isEmpty()) {
      return 0;
    }
    Map<UUID, Incident> locked =
        incidents.lockAll(due.stream().map(EscalationRun::incidentId).toList());
    Map<UUID, Incident> open =
        locked.values().stream()
            .filter(incident -> incident.status() == IncidentStatus.OPEN)
            .collect(Collectors.toMap(Incident::id, incident -> incident));
    Work work = new Work(now);
    Map<UUID, Instant> held = runs.heldAmong(due);
    for (EscalationRun claimed : due) {
      EscalationRun run = claimed;
      metrics.ranLate(Duration.between(run.dueAt(), now));
      Incident incident = open.get(run.incidentId());
      Incident snoozed = locked.get(run.incidentId());
      if (incident == null
          && snoozed != null
          && snoozed.status() == IncidentStatus.ACKNOWLEDGED
          && snoozed.snoozedUntil() != null) {
        if (snoozed.snoozedUntil().isAfter(now)) {
          work.save(run.waiting(snoozed.snoozedUntil()));
          continue;
        }
        // The snooze is over: open again, and the climb starts over from the first level.
        incidents.endSnooze(snoozed.id());
        incident = incidents.get(snoozed.id());
        run = run.next(0, 0);
        if (run.policyId() == null) {
          work.save(
              run.ended(
                  Status.NO_POLICY,
                  now,
                  "The service has no escalation policy: nobody was paged."));
          continue;
        }
      }
      Instant heldSince = held.get(run.incidentId());
      if (heldSince != null) {
        work.released.add(run.incidentId());
        if (incident != null) {
          work.entries.add(
              new Incidents.Entry(
                  incident.id(),
                  TimelineKind.HOLD_ENDED,
                  Actor.TOCSIN,
                  "Hold ended after "
                      + seconds(Duration.between(incident.openedAt(), heldSince))
                      + ": no cause took this incident over, so it pages for itself."));
        }
      }
      if (incident == null) {
        // The after-commit listener stops the runs of acknowledged incidents; this meets a run
        // whose incident changed after the listener ran, or whose listener a crash lost.
        work.save(run.ended(Status.STOPPED, now, "The incident was acknowledged or resolved."));
        continue;
      }
      Optional<Policy> policy = work.policy(run.policyId());
      if (policy.isEmpty()) {
        work.entries.add(
            new Incidents.Entry(
                incident.id(),
                TimelineKind.PAGING_PROBLEM,
                Actor.TOCSIN,
                "The escalation policy no longer exists: nobody more is paged."));
        metrics.problem(EscalationMetrics.Problem.POLICY_DELETED);
        work.save(run.ended(Status.EXHAUSTED, now, "The escalation policy no longer exists."));
        continue;
      }
      climb(
          work,
          run,
          incident,
          policy.get(),
          Reason.TIMER,
          Actor.TOCSIN,
          Objects.requireNonNull(run.dueAt()));
    }
    work.flush();
    return due.size();
  }

  /**
   * Pages the level paged last once more when an open incident becomes more severe: the people on
   * it were paged for something smaller (perhaps at low urgency), and alerts that merely join an
   * incident page nobody. The timer is left as it was. Delivered through the event publication
   * registry, after the incident's transaction: inside it, the incident's row and the run's would
   * be taken in the opposite order to the timer's.
   */
  @ApplicationModuleListener
  void severityRaised(IncidentSeverityRaised raised) {
    Incident incident = incidents.get(raised.incidentId());
    if (incident.status() != IncidentStatus.OPEN) {
      return;
    }
    // Before its run started, the run's first page carries the new severity anyway.
    Optional<EscalationRun> started = tryLock(incident);
    if (started.isEmpty()) {
      return;
    }
    EscalationRun run = started.get();
    if (run.steps() == 0 || run.policyId() == null) {
      return;
    }
    Work work = new Work(clock.instant());
    Optional<Policy> policy = work.policy(run.policyId());
    if (policy.isEmpty()) {
      return;
    }
    int levels = policy.get().levels().size();
    int last = Math.min(levels - 1, Math.floorMod(run.nextLevel() - 1, levels));
    int round = run.nextLevel() == 0 ? Math.max(0, run.nextRound() - 1) : run.nextRound();
    Actor actor =
        new Actor(
            Actor.Kind.TOCSIN, null, "Tocsin (severity " + EnumText.canonical(raised.to()) + ")");
    Paged paged =
        work.page(
            run.next(last, round),
            incident,
            policy.get().levels().get(last),
            Reason.SEVERITY_RAISED,
            actor,
            work.now);
    work.save(paged.run().next(run.nextLevel(), run.nextRound()));
    work.flush();
  }

  private static String seconds(Duration duration) {
    return duration.toSeconds() + " s";
  }

  /** When the earliest step of any node falls due, if one is waiting. */
  public Optional<Instant> nextDue() {
    return runs.nextDue();
  }

  /**
   * Pages the run's next level, and the ones after it at once while a level finds nobody; then
   * waits for the paged level's delay, or ends the run when the policy is through. When no level
   * finds anyone, the run waits the last level's delay and tries again, so that a gap in the
   * schedules is retried rather than given up on.
   */
  private void climb(
      Work work,
      EscalationRun start,
      Incident incident,
      Policy policy,
      Reason reason,
      Actor actor,
      Instant dueAt) {
    int levels = policy.levels().size();
    int total = levels * (policy.repeat() + 1);
    // A policy edited to fewer levels since the last step goes on with the next round.
    EscalationRun run = start.nextLevel() < levels ? start : start.next(0, start.nextRound() + 1);
    for (int tried = 1; ; tried++) {
      int position = run.nextRound() * levels + run.nextLevel();
      if (position >= total) {
        String why =
            "Nobody acknowledged after "
                + (policy.repeat() == 0 ? "1 round" : (policy.repeat() + 1) + " rounds")
                + " of escalation policy '"
                + policy.name()
                + "'.";
        work.entries.add(
            new Incidents.Entry(
                incident.id(), TimelineKind.ESCALATION_EXHAUSTED, Actor.TOCSIN, why));
        metrics.exhausted();
        work.save(run.ended(Status.EXHAUSTED, work.now, why));
        return;
      }
      Level level = policy.levels().get(run.nextLevel());
      Paged paged = work.page(run, incident, level, reason, actor, dueAt);
      run = paged.run().next((position + 1) % levels, (position + 1) / levels);
      if (paged.anyone() || tried == levels) {
        work.save(
            run.waiting(
                work.now.plus(Duration.ofMinutes(Objects.requireNonNull(level.delayMinutes())))));
        return;
      }
    }
  }

  /**
   * The incidents among {@code incidentIds} that page nobody: their service has no escalation
   * policy, or every level paged so far reached nobody. One query for a whole list.
   */
  public java.util.Set<UUID> pagingNobody(java.util.Collection<UUID> incidentIds) {
    return runs.pagingNobody(incidentIds);
  }

  /** An incident's escalation, with every step. */
  public Escalation get(UUID incidentId) {
    EscalationRun run =
        runs.find(incidentId)
            .orElseThrow(
                () -> new NotFoundException("Incident " + incidentId + " has no escalation."));
    List<Step> steps = runs.steps(incidentId);
    return new Escalation(
        run.incidentId(),
        run.incidentNumber(),
        run.serviceId(),
        run.policyId(),
        run.status(),
        run.nextLevel() + 1,
        run.nextRound() + 1,
        run.dueAt(),
        run.startedAt(),
        run.endedAt(),
        run.endReason(),
        steps);
  }

  /**
   * Pages the next level now (or {@code level}, counting from 1), as a responder asks. On an open
   * incident the run goes on from there; on an acknowledged one the level is paged once and the run
   * stays stopped, since the acknowledger still owns it.
   */
  @Transactional
  public Escalation escalate(UUID incidentId, @Nullable Integer level, Actor actor) {
    Incident incident = pageable(incidentId, actor);
    EscalationRun run = lock(incident);
    if (run.policyId() == null) {
      throw new ConflictException(
          "Incident "
              + incident.reference()
              + " has no escalation policy to climb: reassign it to a person or a policy.");
    }
    Work work = new Work(clock.instant());
    Policy policy =
        work.policy(run.policyId())
            .orElseThrow(
                () ->
                    new ConflictException(
                        "The escalation policy of incident "
                            + incident.reference()
                            + " no longer exists: reassign it to a person or a policy."));
    int levels = policy.levels().size();
    EscalationRun from;
    if (level != null) {
      if (level < 1 || level > levels) {
        throw new InvalidInputException("level", "must be 1 to " + levels);
      }
      from = run.next(level - 1, Math.min(run.nextRound(), policy.repeat()));
    } else if (run.nextLevel() >= levels
        || run.nextRound() * levels + run.nextLevel() >= levels * (policy.repeat() + 1)) {
      // Past the end of the policy, by time or by an edit: escalating pages its last level again.
      from = run.next(levels - 1, Math.min(run.nextRound(), policy.repeat()));
    } else {
      from = run;
    }
    pageOnce(work, from, incident, policy, Reason.ESCALATED, actor);
    work.flush();
    return get(incidentId);
  }

  /**
   * Hands the incident to a person: assigned and paged now. On an open incident the run goes on
   * after the current level's delay, so the new assignee has the same time to answer.
   */
  @Transactional
  public Escalation reassignToUser(UUID incidentId, UUID userId, Actor actor) {
    Incident incident = pageable(incidentId, actor);
    User user =
        users
            .find(userId)
            .orElseThrow(
                () -> new InvalidInputException("userId", "user " + userId + " does not exist"));
    EscalationRun run = lock(incident);
    incident = incidents.assign(incidentId, userId, actor);
    Work work = new Work(clock.instant());
    Optional<Policy> policy = work.policy(run.policyId());
    int levels = policy.map(p -> p.levels().size()).orElse(1);
    int current = Math.min(levels - 1, Math.floorMod(run.nextLevel() - 1, levels));
    int delay = policy.map(p -> p.levels().get(current).delayMinutes()).orElse(0);
    run =
        work.pageUsers(
            run, incident, List.of(user), current, "reassigned by " + actor.name(), actor);
    if (incident.status() == IncidentStatus.OPEN && policy.isPresent()) {
      run = run.waiting(work.now.plus(Duration.ofMinutes(delay)));
    }
    work.save(run);
    work.flush();
    return get(incidentId);
  }

  /** Hands the incident to another escalation policy, which starts from its first level now. */
  @Transactional
  public Escalation reassignToPolicy(UUID incidentId, UUID policyId, Actor actor) {
    Incident incident = pageable(incidentId, actor);
    Work work = new Work(clock.instant());
    Policy policy =
        work.policy(policyId)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "escalationPolicyId", "escalation policy " + policyId + " does not exist"));
    EscalationRun run = lock(incident).withPolicy(policyId);
    work.entries.add(
        new Incidents.Entry(
            incident.id(),
            TimelineKind.REASSIGNED,
            actor,
            "Reassigned to escalation policy '" + policy.name() + "'"));
    pageOnce(work, run, incident, policy, Reason.REASSIGNED, actor);
    work.flush();
    return get(incidentId);
  }

  /** Pages {@code run}'s next level now, then lets the timer go on if the incident is open. */
  private void pageOnce(
      Work work, EscalationRun run, Incident incident, Policy policy, Reason reason, Actor actor) {
    if (incident.status() == IncidentStatus.OPEN) {
      climb(work, run, incident, policy, reason, actor, work.now);
      return;
    }
    EscalationRun paged =
        work.page(run, incident, policy.levels().get(run.nextLevel()), reason, actor, work.now)
            .run();
    if (paged.status() == Status.NO_POLICY) {
      paged = paged.ended(Status.STOPPED, work.now, "Acknowledged before the policy was chosen.");
    }
    int levels = policy.levels().size();
    int position = run.nextRound() * levels + run.nextLevel() + 1;
    work.save(paged.next(position % levels, position / levels));
  }

  /** An incident a person is about to page for: open, and on a service they may act on. */
  private Incident pageable(UUID incidentId, Actor actor) {
    Incident incident = incidents.get(incidentId);
    scope.requireService(actor.userId(), incident.serviceId());
    if (!incident.isOpen()) {
      throw new ConflictException(
          "Incident " + incident.reference() + " is resolved: there is nobody left to page.",
          Map.of("currentStatus", incident.status().text()));
    }
    return incident;
  }

  /** The incident's run, locked. Runs are locked before incidents, as the timer does. */
  private EscalationRun lock(Incident incident) {
    return tryLock(incident)
        .orElseThrow(
            () ->
                new ConflictException(
                    "Paging of incident "
                        + incident.reference()
                        + " has not started yet: try again in a moment."));
  }

  /** The incident's run, locked, if it started: it starts just after the incident's commit. */
  private Optional<EscalationRun> tryLock(Incident incident) {
    return runs.lock(incident.id());
  }

  /** A run after a level was paged, and whether the level found anyone. */
  private record Paged(EscalationRun run, boolean anyone) {}

  /**
   * What one transaction pages and writes: steps, pages, timeline entries and run updates are
   * collected and written in a few batches, because a storm escalates a thousand incidents at once.
   */
  private final class Work {

    final Instant now;
    final Function<Target, ResolvedTarget> resolver;
    final Map<UUID, Optional<Policy>> policies = new HashMap<>();
    final List<EscalationRuns.StepRow> steps = new ArrayList<>();
    final List<EscalationRuns.PageRow> pages = new ArrayList<>();
    final List<Incidents.Entry> entries = new ArrayList<>();
    final Map<UUID, EscalationRun> saved = new LinkedHashMap<>();
    final List<PageRequested> requested = new ArrayList<>();
    final List<UUID> released = new ArrayList<>();

    Work(Instant now) {
      this.now = now;
      this.resolver = Escalations.this.policies.resolverAt(now);
    }

    Optional<Policy> policy(@Nullable UUID id) {
      if (id == null) {
        return Optional.empty();
      }
      return policies.computeIfAbsent(id, Escalations.this.policies::findById);
    }

    /** Pages every target of a level, recording who could not be reached. */
    Paged page(
        EscalationRun run,
        Incident incident,
        Level level,
        Reason reason,
        Actor actor,
        Instant dueAt) {
      int levelIndex = run.nextLevel();
      int round = run.nextRound();
      Map<UUID, String> people = new LinkedHashMap<>();
      Map<UUID, User> byId = new HashMap<>();
      List<String> problems = new ArrayList<>();
      for (Target target : Objects.requireNonNull(level.targets())) {
        ResolvedTarget resolved = resolver.apply(target);
        if (resolved.problem() != null) {
          problems.add(resolved.problem());
        }
        for (User user : resolved.people()) {
          byId.put(user.id(), user);
          people.putIfAbsent(
              user.id(),
              resolved.type() == EscalationPolicies.TargetType.USER
                  ? "directly"
                  : "schedule '" + resolved.name() + "'");
        }
      }
      EscalationRun stepped = run.stepped();
      step(stepped, levelIndex, round, reason, actor, dueAt, problems);
      String where = "level " + (levelIndex + 1) + (round == 0 ? "" : ", round " + (round + 1));
      if (!problems.isEmpty()) {
        entries.add(
            new Incidents.Entry(
                incident.id(),
                TimelineKind.PAGING_PROBLEM,
                Actor.TOCSIN,
                "Nobody paged at " + where + " for " + String.join("; ", problems)));
        metrics.problem(EscalationMetrics.Problem.NOBODY_ON_CALL);
      }
      people.forEach(
          (id, via) ->
              request(
                  stepped, incident, Objects.requireNonNull(byId.get(id)), via, levelIndex, round));
      if (!people.isEmpty()) {
        entries.add(
            new Incidents.Entry(
                incident.id(),
                reason == Reason.ESCALATED || reason == Reason.REASSIGNED
                    ? TimelineKind.ESCALATED
                    : TimelineKind.PAGED,
                actor,
                "Paging "
                    + people.keySet().stream()
                        .map(id -> Objects.requireNonNull(byId.get(id)).name())
                        .collect(Collectors.joining(", "))
                    + " ("
                    + where
                    + (reason == Reason.SEVERITY_RAISED
                        ? "), the severity rose to " + EnumText.canonical(incident.severity())
                        : ")")));
        metrics.paged(levelIndex + 1, people.size());
      }
      return new Paged(stepped, !people.isEmpty());
    }

    /** Pages people outside the policy's levels, as a reassignment does. */
    EscalationRun pageUsers(
        EscalationRun run,
        Incident incident,
        List<User> people,
        int level,
        String via,
        Actor actor) {
      EscalationRun stepped = run.stepped();
      step(stepped, level, run.nextRound(), Reason.REASSIGNED, actor, now, List.of());
      for (User user : people) {
        request(stepped, incident, user, via, level, run.nextRound());
      }
      entries.add(
          new Incidents.Entry(
              incident.id(),
              TimelineKind.PAGED,
              actor,
              "Paging "
                  + people.stream().map(User::name).collect(Collectors.joining(", "))
                  + " ("
                  + via
                  + ")"));
      metrics.paged(level + 1, people.size());
      return stepped;
    }

    private void step(
        EscalationRun stepped,
        int levelIndex,
        int round,
        Reason reason,
        Actor actor,
        Instant dueAt,
        List<String> problems) {
      steps.add(
          new EscalationRuns.StepRow(
              stepped.incidentId(),
              stepped.steps(),
              levelIndex + 1,
              round + 1,
              reason,
              actor.name(),
              dueAt,
              now,
              problems));
    }

    private void request(
        EscalationRun stepped,
        Incident incident,
        User user,
        String via,
        int levelIndex,
        int round) {
      UUID pageId = ids.generateId();
      pages.add(
          new EscalationRuns.PageRow(pageId, incident.id(), stepped.steps(), user.id(), via, now));
      requested.add(
          new PageRequested(
              pageId,
              user.id(),
              incident.id(),
              incident.number(),
              incident.title(),
              incident.severity(),
              incident.serviceId(),
              stepped.steps(),
              levelIndex + 1,
              round + 1,
              via,
              now));
    }

    void save(EscalationRun run) {
      saved.put(run.incidentId(), run);
    }

    void flush() {
      runs.write(steps, pages, saved.values(), released);
      incidents.record(entries);
      requested.forEach(events::publishEvent);
    }
  }
}
