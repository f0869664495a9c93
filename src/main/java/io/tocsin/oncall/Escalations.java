package io.tocsin.oncall;

import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.incident.Actor;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentOpened;
import io.tocsin.incident.IncidentSeverityRaised;
import io.tocsin.incident.IncidentStatus;
import io.tocsin.incident.IncidentStatusChanged;
import io.tocsin.incident.Incidents;
import io.tocsin.oncall.EscalationPolicies.Level;
import io.tocsin.oncall.EscalationPolicies.Policy;
import io.tocsin.oncall.EscalationPolicies.ResolvedTarget;
import io.tocsin.oncall.EscalationPolicies.Target;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.util.IdGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Escalation runs. Each incident climbs its service's policy: a level's targets are paged, and if
 * nobody has acknowledged when the level's delay runs out, the next level is; after the last level
 * the policy repeats as often as it says, then the run ends. The timer is the run's {@code due_at}
 * row, claimed with {@code FOR UPDATE SKIP LOCKED} in the transaction that pages, so each step
 * happens once whichever node claims it, and a node that starts late pages what is overdue.
 */
@Service
public class Escalations {

  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final String RUN_COLUMNS =
      "incident_id, incident_number, service_id, policy_id, status, next_level, next_round,"
          + " due_at, steps, started_at, ended_at, end_reason";

  private final JdbcClient jdbc;
  private final NamedParameterJdbcTemplate batch;
  private final JsonMapper json;
  private final EscalationPolicies policies;
  private final Incidents incidents;
  private final UserService users;
  private final ApplicationEventPublisher events;
  private final EscalationMetrics metrics;
  private final Clock clock;
  private final IdGenerator ids;
  private final Duration firstPageDelay;
  private final PagingHold hold;

  Escalations(
      JdbcClient jdbc,
      NamedParameterJdbcTemplate batch,
      JsonMapper json,
      EscalationPolicies policies,
      Incidents incidents,
      UserService users,
      ApplicationEventPublisher events,
      EscalationMetrics metrics,
      Clock clock,
      IdGenerator ids,
      PagingHold hold,
      @Value("${tocsin.escalation.first-page-delay:0s}") Duration firstPageDelay) {
    this.jdbc = jdbc;
    this.batch = batch;
    this.json = json;
    this.policies = policies;
    this.incidents = incidents;
    this.users = users;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
    this.ids = ids;
    this.firstPageDelay = firstPageDelay;
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

  /** A run as stored; {@code nextLevel} and {@code nextRound} count from 0. */
  private record Run(
      UUID incidentId,
      long incidentNumber,
      UUID serviceId,
      @Nullable UUID policyId,
      Status status,
      int nextLevel,
      int nextRound,
      @Nullable Instant dueAt,
      int steps,
      Instant startedAt,
      @Nullable Instant endedAt,
      @Nullable String endReason) {

    Run next(int level, int round) {
      return new Run(
          incidentId,
          incidentNumber,
          serviceId,
          policyId,
          status,
          level,
          round,
          dueAt,
          steps,
          startedAt,
          endedAt,
          endReason);
    }

    Run waiting(Instant due) {
      return new Run(
          incidentId,
          incidentNumber,
          serviceId,
          policyId,
          Status.ACTIVE,
          nextLevel,
          nextRound,
          due,
          steps,
          startedAt,
          null,
          null);
    }

    Run ended(Status to, Instant at, String why) {
      return new Run(
          incidentId,
          incidentNumber,
          serviceId,
          policyId,
          to,
          nextLevel,
          nextRound,
          null,
          steps,
          startedAt,
          at,
          why);
    }

    Run stepped() {
      return new Run(
          incidentId,
          incidentNumber,
          serviceId,
          policyId,
          status,
          nextLevel,
          nextRound,
          dueAt,
          steps + 1,
          startedAt,
          endedAt,
          endReason);
    }

    Run withPolicy(UUID policy) {
      return new Run(
          incidentId,
          incidentNumber,
          serviceId,
          policy,
          status,
          0,
          0,
          dueAt,
          steps,
          startedAt,
          endedAt,
          endReason);
    }
  }

  /**
   * Starts the run of a new incident, in the transaction that opened it: an incident never exists
   * without its run. The first level is paged by the worker right after the commit.
   */
  @EventListener
  void incidentOpened(IncidentOpened opened) {
    Instant now = clock.instant();
    Optional<UUID> policy = policies.policyIdOf(opened.serviceId());
    Optional<Duration> held =
        opened.mayHold() && policy.isPresent()
            ? hold.holdFor(opened.serviceId())
            : Optional.empty();
    Duration wait = held.filter(h -> h.compareTo(firstPageDelay) > 0).orElse(firstPageDelay);
    Run run =
        new Run(
            opened.incidentId(),
            opened.number(),
            opened.serviceId(),
            policy.orElse(null),
            Status.ACTIVE,
            0,
            0,
            now.plus(wait),
            0,
            now,
            null,
            null);
    if (policy.isEmpty()) {
      run =
          run.ended(
              Status.NO_POLICY, now, "The service has no escalation policy: nobody was paged.");
      incidents.record(
          List.of(
              new Incidents.Entry(
                  opened.incidentId(),
                  "paging_problem",
                  Actor.TOCSIN,
                  "Nobody is paged: the service has no escalation policy.")));
      metrics.problem(EscalationMetrics.Problem.NO_POLICY);
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
    if (holdReason != null) {
      incidents.record(
          List.of(
              new Incidents.Entry(opened.incidentId(), "paging_held", Actor.TOCSIN, holdReason)));
    }
    jdbc.sql(
            "INSERT INTO oncall_escalation ("
                + RUN_COLUMNS
                + ", held_until, hold_reason) VALUES (:incident, :number, :service, :policy,"
                + " :status, :nextLevel, :nextRound, :due, :steps, :started, :ended, :why,"
                + " :heldUntil, :holdReason)")
        .paramSource(
            parameters(run)
                .addValue("heldUntil", holdReason == null ? null : utc(now.plus(wait)))
                .addValue("holdReason", holdReason))
        .update();
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
    String why =
        (changed.to() == IncidentStatus.RESOLVED ? "Resolved" : "Acknowledged")
            + " by "
            + changed.actor().name()
            + ".";
    boolean wasHeld =
        jdbc.sql(
                "SELECT held_until FROM oncall_escalation WHERE incident_id = :incident"
                    + " AND status = 'active' AND held_until IS NOT NULL FOR UPDATE")
            .param("incident", changed.incidentId())
            .query((rs, n) -> rs.getObject(1, OffsetDateTime.class))
            .optional()
            .isPresent();
    jdbc.sql(
            """
            UPDATE oncall_escalation SET status = 'stopped', due_at = NULL, ended_at = :now,
                   end_reason = :why, held_until = NULL
            WHERE incident_id = :incident AND status = 'active'
            """)
        .param("now", utc(clock.instant()))
        .param("why", why)
        .param("incident", changed.incidentId())
        .update();
    if (wasHeld) {
      incidents.record(
          List.of(
              new Incidents.Entry(
                  changed.incidentId(),
                  "hold_ended",
                  Actor.TOCSIN,
                  "Hold ended before anyone was paged: " + holdEnd(changed))));
    }
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
    List<Run> due =
        jdbc.sql(
                "SELECT "
                    + RUN_COLUMNS
                    + " FROM oncall_escalation WHERE due_at <= :now ORDER BY due_at"
                    + " FETCH FIRST :limit ROWS ONLY FOR UPDATE SKIP LOCKED")
            .param("now", utc(now))
            .param("limit", limit)
            .query(this::run)
            .list();
    if (due.isEmpty()) {
      return 0;
    }
    Map<UUID, Incident> open =
        incidents.lockAll(due.stream().map(Run::incidentId).toList()).values().stream()
            .filter(incident -> incident.status() == IncidentStatus.OPEN)
            .collect(Collectors.toMap(Incident::id, incident -> incident));
    Work work = new Work(now);
    Map<UUID, Instant> held = heldAmong(due);
    for (Run run : due) {
      metrics.ranLate(Duration.between(run.dueAt(), now));
      Incident incident = open.get(run.incidentId());
      Instant heldSince = held.get(run.incidentId());
      if (heldSince != null) {
        work.released.add(run.incidentId());
        if (incident != null) {
          work.entries.add(
              new Incidents.Entry(
                  incident.id(),
                  "hold_ended",
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
                "paging_problem",
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
    Run run = lock(incident);
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

  /** Of these runs, those still held, with when their hold ends. */
  private Map<UUID, Instant> heldAmong(List<Run> runs) {
    Map<UUID, Instant> held = new HashMap<>();
    jdbc.sql(
            "SELECT incident_id, held_until FROM oncall_escalation"
                + " WHERE incident_id IN (:ids) AND held_until IS NOT NULL")
        .param("ids", runs.stream().map(Run::incidentId).toList())
        .query(
            rs -> {
              held.put(rs.getObject(1, UUID.class), instant(rs, "held_until"));
            });
    return held;
  }

  private static String seconds(Duration duration) {
    return duration.toSeconds() + " s";
  }

  /** When the earliest step of any node falls due, if one is waiting. */
  public Optional<Instant> nextDue() {
    return jdbc.sql("SELECT MIN(due_at) FROM oncall_escalation")
        .query((rs, n) -> rs.getObject(1, OffsetDateTime.class))
        .optional()
        .map(OffsetDateTime::toInstant);
  }

  /**
   * Pages the run's next level, and the ones after it at once while a level finds nobody; then
   * waits for the paged level's delay, or ends the run when the policy is through. When no level
   * finds anyone, the run waits the last level's delay and tries again, so that a gap in the
   * schedules is retried rather than given up on.
   */
  private void climb(
      Work work,
      Run start,
      Incident incident,
      Policy policy,
      Reason reason,
      Actor actor,
      Instant dueAt) {
    int levels = policy.levels().size();
    int total = levels * (policy.repeat() + 1);
    // A policy edited to fewer levels since the last step goes on with the next round.
    Run run = start.nextLevel() < levels ? start : start.next(0, start.nextRound() + 1);
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
            new Incidents.Entry(incident.id(), "escalation_exhausted", Actor.TOCSIN, why));
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

  /** An incident's escalation, with every step. */
  public Escalation get(UUID incidentId) {
    Run run =
        find(incidentId)
            .orElseThrow(
                () -> new NotFoundException("Incident " + incidentId + " has no escalation."));
    Map<Integer, List<PageSent>> pages = new HashMap<>();
    jdbc.sql(
            "SELECT id, step, user_id, via, requested_at FROM oncall_page"
                + " WHERE incident_id = :incident ORDER BY step, requested_at, id")
        .param("incident", incidentId)
        .query(
            rs -> {
              pages
                  .computeIfAbsent(rs.getInt("step"), s -> new ArrayList<>())
                  .add(
                      new PageSent(
                          rs.getObject("id", UUID.class),
                          rs.getObject("user_id", UUID.class),
                          rs.getString("via"),
                          instant(rs, "requested_at")));
            });
    List<Step> steps =
        jdbc.sql(
                "SELECT step, level, round, reason, actor_name, due_at, executed_at, problems"
                    + " FROM oncall_escalation_step WHERE incident_id = :incident ORDER BY step")
            .param("incident", incidentId)
            .query(
                (rs, n) ->
                    new Step(
                        rs.getInt("step"),
                        rs.getInt("level"),
                        rs.getInt("round"),
                        EnumText.parse(Reason.class, "reason", rs.getString("reason")),
                        rs.getString("actor_name"),
                        instant(rs, "due_at"),
                        instant(rs, "executed_at"),
                        pages.getOrDefault(rs.getInt("step"), List.of()),
                        json.readValue(rs.getString("problems"), STRINGS)))
            .list();
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
    Incident incident = pageable(incidentId);
    Run run = lock(incident);
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
    Run from;
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
    Incident incident = pageable(incidentId);
    User user =
        users
            .find(userId)
            .orElseThrow(
                () -> new InvalidInputException("userId", "user " + userId + " does not exist"));
    Run run = lock(incident);
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
    Incident incident = pageable(incidentId);
    Work work = new Work(clock.instant());
    Policy policy =
        work.policy(policyId)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "escalationPolicyId", "escalation policy " + policyId + " does not exist"));
    Run run = lock(incident).withPolicy(policyId);
    work.entries.add(
        new Incidents.Entry(
            incident.id(),
            "reassigned",
            actor,
            "Reassigned to escalation policy '" + policy.name() + "'"));
    pageOnce(work, run, incident, policy, Reason.REASSIGNED, actor);
    work.flush();
    return get(incidentId);
  }

  /** Pages {@code run}'s next level now, then lets the timer go on if the incident is open. */
  private void pageOnce(
      Work work, Run run, Incident incident, Policy policy, Reason reason, Actor actor) {
    if (incident.status() == IncidentStatus.OPEN) {
      climb(work, run, incident, policy, reason, actor, work.now);
      return;
    }
    Run paged =
        work.page(run, incident, policy.levels().get(run.nextLevel()), reason, actor, work.now)
            .run();
    if (paged.status() == Status.NO_POLICY) {
      paged = paged.ended(Status.STOPPED, work.now, "Acknowledged before the policy was chosen.");
    }
    int levels = policy.levels().size();
    int position = run.nextRound() * levels + run.nextLevel() + 1;
    work.save(paged.next(position % levels, position / levels));
  }

  private Incident pageable(UUID incidentId) {
    Incident incident = incidents.get(incidentId);
    if (!incident.isOpen()) {
      throw new ConflictException(
          "Incident " + incident.reference() + " is resolved: there is nobody left to page.",
          Map.of("currentStatus", incident.status().text()));
    }
    return incident;
  }

  /** The incident's run, locked. Runs are locked before incidents, as the timer does. */
  private Run lock(Incident incident) {
    return jdbc.sql(
            "SELECT " + RUN_COLUMNS + " FROM oncall_escalation WHERE incident_id = :id FOR UPDATE")
        .param("id", incident.id())
        .query(this::run)
        .single();
  }

  private Optional<Run> find(UUID incidentId) {
    return jdbc.sql("SELECT " + RUN_COLUMNS + " FROM oncall_escalation WHERE incident_id = :id")
        .param("id", incidentId)
        .query(this::run)
        .optional();
  }

  /** A run after a level was paged, and whether the level found anyone. */
  private record Paged(Run run, boolean anyone) {}

  /**
   * What one transaction pages and writes: steps, pages, timeline entries and run updates are
   * collected and written in a few batches, because a storm escalates a thousand incidents at once.
   */
  private final class Work {

    final Instant now;
    final Function<Target, ResolvedTarget> resolver;
    final Map<UUID, Optional<Policy>> policies = new HashMap<>();
    final List<MapSqlParameterSource> steps = new ArrayList<>();
    final List<MapSqlParameterSource> pages = new ArrayList<>();
    final List<Incidents.Entry> entries = new ArrayList<>();
    final Map<UUID, Run> runs = new LinkedHashMap<>();
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
    Paged page(Run run, Incident incident, Level level, Reason reason, Actor actor, Instant dueAt) {
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
      Run stepped = run.stepped();
      step(stepped, levelIndex, round, reason, actor, dueAt, problems);
      String where = "level " + (levelIndex + 1) + (round == 0 ? "" : ", round " + (round + 1));
      if (!problems.isEmpty()) {
        entries.add(
            new Incidents.Entry(
                incident.id(),
                "paging_problem",
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
                reason == Reason.ESCALATED || reason == Reason.REASSIGNED ? "escalated" : "paged",
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
    Run pageUsers(
        Run run, Incident incident, List<User> people, int level, String via, Actor actor) {
      Run stepped = run.stepped();
      step(stepped, level, run.nextRound(), Reason.REASSIGNED, actor, now, List.of());
      for (User user : people) {
        request(stepped, incident, user, via, level, run.nextRound());
      }
      entries.add(
          new Incidents.Entry(
              incident.id(),
              "paged",
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
        Run stepped,
        int levelIndex,
        int round,
        Reason reason,
        Actor actor,
        Instant dueAt,
        List<String> problems) {
      steps.add(
          new MapSqlParameterSource()
              .addValue("incident", stepped.incidentId())
              .addValue("step", stepped.steps())
              .addValue("level", levelIndex + 1)
              .addValue("round", round + 1)
              .addValue("reason", EnumText.canonical(reason))
              .addValue("actor", actor.name())
              .addValue("due", utc(dueAt))
              .addValue("executed", utc(now))
              .addValue("problems", json.writeValueAsString(problems)));
    }

    private void request(
        Run stepped, Incident incident, User user, String via, int levelIndex, int round) {
      UUID pageId = ids.generateId();
      pages.add(
          new MapSqlParameterSource()
              .addValue("id", pageId)
              .addValue("incident", incident.id())
              .addValue("step", stepped.steps())
              .addValue("user", user.id())
              .addValue("via", via)
              .addValue("at", utc(now)));
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

    void save(Run run) {
      runs.put(run.incidentId(), run);
    }

    void flush() {
      batch.batchUpdate(
          """
          INSERT INTO oncall_escalation_step
            (incident_id, step, level, round, reason, actor_name, due_at, executed_at, problems)
          VALUES (:incident, :step, :level, :round, :reason, :actor, :due, :executed, :problems)
          """,
          steps.toArray(SqlParameterSource[]::new));
      batch.batchUpdate(
          """
          INSERT INTO oncall_page (id, incident_id, step, user_id, via, requested_at)
          VALUES (:id, :incident, :step, :user, :via, :at)
          """,
          pages.toArray(SqlParameterSource[]::new));
      batch.batchUpdate(
          """
          UPDATE oncall_escalation SET policy_id = :policy, status = :status,
                 next_level = :nextLevel, next_round = :nextRound, due_at = :due, steps = :steps,
                 ended_at = :ended, end_reason = :why
          WHERE incident_id = :incident
          """,
          runs.values().stream().map(Escalations::parameters).toArray(SqlParameterSource[]::new));
      if (!released.isEmpty()) {
        jdbc.sql("UPDATE oncall_escalation SET held_until = NULL WHERE incident_id IN (:ids)")
            .param("ids", released)
            .update();
      }
      incidents.record(entries);
      requested.forEach(events::publishEvent);
    }
  }

  private static MapSqlParameterSource parameters(Run run) {
    return new MapSqlParameterSource()
        .addValue("incident", run.incidentId())
        .addValue("number", run.incidentNumber())
        .addValue("service", run.serviceId())
        .addValue("policy", run.policyId())
        .addValue("status", EnumText.canonical(run.status()))
        .addValue("nextLevel", run.nextLevel())
        .addValue("nextRound", run.nextRound())
        .addValue("due", run.dueAt() == null ? null : utc(run.dueAt()))
        .addValue("steps", run.steps())
        .addValue("started", utc(run.startedAt()))
        .addValue("ended", run.endedAt() == null ? null : utc(run.endedAt()))
        .addValue("why", run.endReason());
  }

  private Run run(ResultSet rs, int n) throws SQLException {
    OffsetDateTime due = rs.getObject("due_at", OffsetDateTime.class);
    OffsetDateTime ended = rs.getObject("ended_at", OffsetDateTime.class);
    return new Run(
        rs.getObject("incident_id", UUID.class),
        rs.getLong("incident_number"),
        rs.getObject("service_id", UUID.class),
        rs.getObject("policy_id", UUID.class),
        EnumText.parse(Status.class, "status", rs.getString("status")),
        rs.getInt("next_level"),
        rs.getInt("next_round"),
        due == null ? null : due.toInstant(),
        rs.getInt("steps"),
        instant(rs, "started_at"),
        ended == null ? null : ended.toInstant(),
        rs.getString("end_reason"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
