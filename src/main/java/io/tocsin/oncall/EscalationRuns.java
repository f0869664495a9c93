package io.tocsin.oncall;

import io.tocsin.oncall.Escalations.PageSent;
import io.tocsin.oncall.Escalations.Reason;
import io.tocsin.oncall.Escalations.Status;
import io.tocsin.oncall.Escalations.Step;
import io.tocsin.platform.EnumText;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The SQL of escalation runs: {@code oncall_escalation} (the run and its timer), {@code
 * oncall_escalation_step} and {@code oncall_page}. What one transaction pages is written in a few
 * batches, because a storm escalates a thousand incidents at once.
 */
@Component
class EscalationRuns {

  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final String RUN_COLUMNS =
      "incident_id, incident_number, service_id, policy_id, status, next_level, next_round,"
          + " due_at, steps, started_at, ended_at, end_reason";

  private final JdbcClient jdbc;
  private final NamedParameterJdbcTemplate batch;
  private final JsonMapper json;

  EscalationRuns(JdbcClient jdbc, NamedParameterJdbcTemplate batch, JsonMapper json) {
    this.jdbc = jdbc;
    this.batch = batch;
    this.json = json;
  }

  /** A step to write: one level paged, and whom it could not reach. Levels count from 1. */
  record StepRow(
      UUID incidentId,
      int step,
      int level,
      int round,
      Reason reason,
      String actor,
      Instant dueAt,
      Instant executedAt,
      List<String> problems) {}

  /** A page to write: one person paged in a step. */
  record PageRow(UUID id, UUID incidentId, int step, UUID userId, String via, Instant at) {}

  /**
   * Writes a new run; false when the incident already has one, so that a delivery racing another
   * writes nothing.
   */
  boolean insert(EscalationRun run, @Nullable Instant heldUntil, @Nullable String holdReason) {
    return jdbc.sql(
                "INSERT INTO oncall_escalation ("
                    + RUN_COLUMNS
                    + ", held_until, hold_reason) VALUES (:incident, :number, :service, :policy,"
                    + " :status, :nextLevel, :nextRound, :due, :steps, :started, :ended, :why,"
                    + " :heldUntil, :holdReason) ON CONFLICT DO NOTHING")
            .paramSource(
                parameters(run)
                    .addValue("heldUntil", heldUntil == null ? null : utc(heldUntil))
                    .addValue("holdReason", holdReason))
            .update()
        > 0;
  }

  Optional<EscalationRun> find(UUID incidentId) {
    return jdbc.sql("SELECT " + RUN_COLUMNS + " FROM oncall_escalation WHERE incident_id = :id")
        .param("id", incidentId)
        .query(EscalationRuns::run)
        .optional();
  }

  // Nobody paged: the service had no policy, or the run has paged at least one level and every
  // level it paged reached nobody (an empty schedule, people without a way to be reached).
  private static final String PAGING_NOBODY =
      """
      SELECT e.incident_id FROM oncall_escalation e
      WHERE e.incident_id IN (:ids)
        AND (e.status = 'no_policy'
             OR (e.steps > 0
                 AND NOT EXISTS (SELECT 1 FROM oncall_page p WHERE p.incident_id = e.incident_id)))
      """;

  Set<UUID> pagingNobody(Collection<UUID> incidentIds) {
    if (incidentIds.isEmpty()) {
      return Set.of();
    }
    return new HashSet<>(
        jdbc.sql(PAGING_NOBODY)
            .param("ids", incidentIds)
            .query((rs, n) -> rs.getObject("incident_id", UUID.class))
            .list());
  }

  /** The incident's run, locked until the transaction ends. */
  Optional<EscalationRun> lock(UUID incidentId) {
    return jdbc.sql(
            "SELECT " + RUN_COLUMNS + " FROM oncall_escalation WHERE incident_id = :id FOR UPDATE")
        .param("id", incidentId)
        .query(EscalationRuns::run)
        .optional();
  }

  /**
   * Up to {@code limit} runs due by {@code now}, oldest first, locked; others' rows are skipped.
   */
  List<EscalationRun> lockDue(Instant now, int limit) {
    return jdbc.sql(
            "SELECT "
                + RUN_COLUMNS
                + " FROM oncall_escalation WHERE due_at <= :now ORDER BY due_at"
                + " FETCH FIRST :limit ROWS ONLY FOR UPDATE SKIP LOCKED")
        .param("now", utc(now))
        .param("limit", limit)
        .query(EscalationRuns::run)
        .list();
  }

  /** Whether the incident's run is active and held, locking it. */
  boolean lockHeld(UUID incidentId) {
    return jdbc.sql(
            "SELECT held_until FROM oncall_escalation WHERE incident_id = :incident"
                + " AND status = 'active' AND held_until IS NOT NULL FOR UPDATE")
        .param("incident", incidentId)
        .query((rs, n) -> rs.getObject(1, OffsetDateTime.class))
        .optional()
        .isPresent();
  }

  /** Stops the incident's run if it is active. */
  void stop(UUID incidentId, Instant now, String why) {
    jdbc.sql(
            """
            UPDATE oncall_escalation SET status = 'stopped', due_at = NULL, ended_at = :now,
                   end_reason = :why, held_until = NULL
            WHERE incident_id = :incident AND status = 'active'
            """)
        .param("now", utc(now))
        .param("why", why)
        .param("incident", incidentId)
        .update();
  }

  /** Of these runs, those still held, with when their hold ends. */
  Map<UUID, Instant> heldAmong(List<EscalationRun> runs) {
    Map<UUID, Instant> held = new HashMap<>();
    jdbc.sql(
            "SELECT incident_id, held_until FROM oncall_escalation"
                + " WHERE incident_id IN (:ids) AND held_until IS NOT NULL")
        .param("ids", runs.stream().map(EscalationRun::incidentId).toList())
        .query(
            rs -> {
              held.put(rs.getObject(1, UUID.class), instant(rs, "held_until"));
            });
    return held;
  }

  /** When the earliest step of any node falls due, if one is waiting. */
  Optional<Instant> nextDue() {
    return jdbc.sql("SELECT MIN(due_at) FROM oncall_escalation")
        .query((rs, n) -> rs.getObject(1, OffsetDateTime.class))
        .optional()
        .map(OffsetDateTime::toInstant);
  }

  /** Every step of the incident's run, with whom each paged. */
  List<Step> steps(UUID incidentId) {
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
    return jdbc.sql(
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
  }

  /**
   * Writes what a pass or a command paged: its steps, its pages, the runs it moved and the holds it
   * ended, a batch each.
   */
  void write(
      List<StepRow> steps,
      List<PageRow> pages,
      Collection<EscalationRun> runs,
      List<UUID> released) {
    batch.batchUpdate(
        """
        INSERT INTO oncall_escalation_step
          (incident_id, step, level, round, reason, actor_name, due_at, executed_at, problems)
        VALUES (:incident, :step, :level, :round, :reason, :actor, :due, :executed, :problems)
        """,
        steps.stream().map(this::parameters).toArray(SqlParameterSource[]::new));
    batch.batchUpdate(
        """
        INSERT INTO oncall_page (id, incident_id, step, user_id, via, requested_at)
        VALUES (:id, :incident, :step, :user, :via, :at)
        """,
        pages.stream().map(EscalationRuns::parameters).toArray(SqlParameterSource[]::new));
    batch.batchUpdate(
        """
        UPDATE oncall_escalation SET policy_id = :policy, status = :status,
               next_level = :nextLevel, next_round = :nextRound, due_at = :due, steps = :steps,
               ended_at = :ended, end_reason = :why
        WHERE incident_id = :incident
        """,
        runs.stream().map(EscalationRuns::parameters).toArray(SqlParameterSource[]::new));
    if (!released.isEmpty()) {
      jdbc.sql("UPDATE oncall_escalation SET held_until = NULL WHERE incident_id IN (:ids)")
          .param("ids", released)
          .update();
    }
  }

  private MapSqlParameterSource parameters(StepRow step) {
    return new MapSqlParameterSource()
        .addValue("incident", step.incidentId())
        .addValue("step", step.step())
        .addValue("level", step.level())
        .addValue("round", step.round())
        .addValue("reason", EnumText.canonical(step.reason()))
        .addValue("actor", step.actor())
        .addValue("due", utc(step.dueAt()))
        .addValue("executed", utc(step.executedAt()))
        .addValue("problems", json.writeValueAsString(step.problems()));
  }

  private static MapSqlParameterSource parameters(PageRow page) {
    return new MapSqlParameterSource()
        .addValue("id", page.id())
        .addValue("incident", page.incidentId())
        .addValue("step", page.step())
        .addValue("user", page.userId())
        .addValue("via", page.via())
        .addValue("at", utc(page.at()));
  }

  private static MapSqlParameterSource parameters(EscalationRun run) {
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

  private static EscalationRun run(ResultSet rs, int n) throws SQLException {
    OffsetDateTime due = rs.getObject("due_at", OffsetDateTime.class);
    OffsetDateTime ended = rs.getObject("ended_at", OffsetDateTime.class);
    return new EscalationRun(
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
