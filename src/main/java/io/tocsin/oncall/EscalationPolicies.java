package io.tocsin.oncall;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.directory.service.ServiceDeleted;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.ListQuery;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Escalation policies, and which one each service follows. */
@Service
public class EscalationPolicies {

  /** Levels beyond a handful are a mistake, and the level is a metric label. */
  static final int MAX_LEVELS = 20;

  private static final TypeReference<List<Level>> LEVELS = new TypeReference<>() {};
  private static final String COLUMNS =
      "id, name, description, repeat_count, levels, created_at, updated_at";

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final UserService users;
  private final Schedules schedules;
  private final ServiceCatalog services;
  private final AuditLog audit;
  private final Clock clock;
  private final IdGenerator ids;

  EscalationPolicies(
      JdbcClient jdbc,
      JsonMapper json,
      UserService users,
      Schedules schedules,
      ServiceCatalog services,
      AuditLog audit,
      Clock clock,
      IdGenerator ids) {
    this.jdbc = jdbc;
    this.json = json;
    this.users = users;
    this.schedules = schedules;
    this.services = services;
    this.audit = audit;
    this.clock = clock;
    this.ids = ids;
  }

  /** Who a level pages. */
  public enum TargetType {
    USER,
    SCHEDULE
  }

  public record PolicyInput(
      @Nullable String name,
      @Nullable String description,
      @Nullable Integer repeat,
      @Nullable List<Level> levels) {}

  /** A level pages its targets, then waits {@code delayMinutes} for an acknowledgement. */
  public record Level(@Nullable Integer delayMinutes, @Nullable List<Target> targets) {}

  public record Target(@Nullable String type, @Nullable UUID id) {}

  public record Policy(
      UUID id,
      String name,
      String description,
      int repeat,
      List<Level> levels,
      Instant createdAt,
      Instant updatedAt) {}

  /**
   * The policy this input makes, checked as {@link #create} checks it, under the id given: what a
   * replay pages with before anyone saves it. Its targets may also be the schedules of {@code
   * unsavedSchedules}, a replay's own. Nothing is written.
   */
  public Policy check(UUID id, PolicyInput input, Set<UUID> unsavedSchedules) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    return valid(id, input, now, now, unsavedSchedules);
  }

  @Transactional
  public Policy create(PolicyInput input) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Policy policy = valid(ids.generateId(), input, now, now, Set.of());
    write(
        """
        INSERT INTO oncall_escalation_policy
          (id, name, name_key, description, repeat_count, levels, created_at, updated_at)
        VALUES (:id, :name, :key, :description, :repeat, :levels, :now, :now)
        """,
        policy);
    writeTargets(policy);
    audit.record(
        "escalation_policy.created",
        "escalation policy " + policy.id(),
        "created '" + policy.name() + "'");
    return policy;
  }

  @Transactional
  public Policy replace(UUID id, PolicyInput input) {
    Policy before = get(id);
    Policy policy =
        valid(
            id,
            input,
            before.createdAt(),
            clock.instant().truncatedTo(ChronoUnit.MICROS),
            Set.of());
    write(
        """
        UPDATE oncall_escalation_policy SET name = :name, name_key = :key,
               description = :description, repeat_count = :repeat, levels = :levels,
               updated_at = :now
        WHERE id = :id
        """,
        policy);
    writeTargets(policy);
    audit.record(
        "escalation_policy.updated", "escalation policy " + id, "replaced '" + policy.name() + "'");
    return policy;
  }

  public Policy get(UUID id) {
    return findById(id)
        .orElseThrow(() -> new NotFoundException("There is no escalation policy " + id + "."));
  }

  public Page<Policy> list(@Nullable UUID after, int limit) {
    return Page.of(
        ListQuery.from("SELECT " + COLUMNS + " FROM oncall_escalation_policy")
            .oldestFirst(jdbc, after, limit, this::policy),
        limit,
        Policy::id);
  }

  @Transactional
  public void delete(UUID id) {
    Policy policy = get(id);
    List<String> using =
        jdbc
            .sql("SELECT service_id FROM oncall_service_policy WHERE policy_id = :id")
            .param("id", id)
            .query(UUID.class)
            .list()
            .stream()
            .map(service -> services.get(service).name())
            .sorted()
            .toList();
    if (!using.isEmpty()) {
      throw new ConflictException(
          "Escalation policy '"
              + policy.name()
              + "' is used by the services "
              + String.join(", ", using)
              + ".");
    }
    jdbc.sql("DELETE FROM oncall_escalation_policy_target WHERE policy_id = :id")
        .param("id", id)
        .update();
    jdbc.sql("DELETE FROM oncall_escalation_policy WHERE id = :id").param("id", id).update();
    audit.record(
        "escalation_policy.deleted", "escalation policy " + id, "deleted '" + policy.name() + "'");
  }

  /** A deleted service follows no policy any more: its policy can then be deleted. */
  @EventListener
  void on(ServiceDeleted deleted) {
    jdbc.sql("DELETE FROM oncall_service_policy WHERE service_id = :service")
        .param("service", deleted.id())
        .update();
  }

  /** Points a service at a policy, or at none when {@code policyId} is null. */
  @Transactional
  public void assign(UUID serviceId, @Nullable UUID policyId) {
    services.get(serviceId);
    jdbc.sql("DELETE FROM oncall_service_policy WHERE service_id = :service")
        .param("service", serviceId)
        .update();
    if (policyId != null) {
      if (!exists(policyId)) {
        throw new InvalidInputException(
            "policyId", "escalation policy " + policyId + " does not exist");
      }
      jdbc.sql(
              "INSERT INTO oncall_service_policy (service_id, policy_id) VALUES (:service, :policy)")
          .param("service", serviceId)
          .param("policy", policyId)
          .update();
    }
    audit.record(
        "service.escalation_policy",
        "service " + serviceId,
        policyId == null ? "no escalation policy" : "escalation policy " + policyId);
  }

  /** The policy a service follows, if any. */
  public Optional<Policy> ofService(UUID serviceId) {
    services.get(serviceId);
    return policyIdOf(serviceId).map(this::get);
  }

  /** Which policy each service follows, for every service that follows one. */
  public Map<UUID, UUID> policiesOfServices() {
    Map<UUID, UUID> chosen = new HashMap<>();
    jdbc.sql("SELECT service_id, policy_id FROM oncall_service_policy")
        .query(
            rs -> {
              chosen.put(
                  rs.getObject("service_id", UUID.class), rs.getObject("policy_id", UUID.class));
            });
    return chosen;
  }

  /**
   * The policies these services follow, by service, in two queries however many services there are;
   * a service without a policy is left out.
   */
  public Map<UUID, Policy> ofServices(Collection<UUID> serviceIds) {
    if (serviceIds.isEmpty()) {
      return Map.of();
    }
    Map<UUID, UUID> policyOf = new HashMap<>();
    jdbc.sql("SELECT service_id, policy_id FROM oncall_service_policy WHERE service_id IN (:ids)")
        .param("ids", List.copyOf(serviceIds))
        .query(
            (rs, n) ->
                Map.entry(
                    rs.getObject("service_id", UUID.class), rs.getObject("policy_id", UUID.class)))
        .list()
        .forEach(entry -> policyOf.put(entry.getKey(), entry.getValue()));
    if (policyOf.isEmpty()) {
      return Map.of();
    }
    Map<UUID, Policy> byId = new HashMap<>();
    jdbc.sql("SELECT " + COLUMNS + " FROM oncall_escalation_policy WHERE id IN (:ids)")
        .param("ids", List.copyOf(new HashSet<>(policyOf.values())))
        .query(this::policy)
        .list()
        .forEach(policy -> byId.put(policy.id(), policy));
    Map<UUID, Policy> result = new HashMap<>();
    policyOf.forEach(
        (service, policy) -> {
          if (byId.containsKey(policy)) {
            result.put(service, byId.get(policy));
          }
        });
    return result;
  }

  Optional<UUID> policyIdOf(UUID serviceId) {
    return jdbc.sql("SELECT policy_id FROM oncall_service_policy WHERE service_id = :service")
        .param("service", serviceId)
        .query(UUID.class)
        .optional();
  }

  /** The policy, if it still exists. */
  public Optional<Policy> findById(UUID id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM oncall_escalation_policy WHERE id = :id")
        .param("id", id)
        .query(this::policy)
        .optional();
  }

  /**
   * Who a target pages: the user, or whoever the schedule has on call. {@code problem} says why it
   * pages nobody.
   */
  public record ResolvedTarget(
      TargetType type, UUID id, String name, List<User> people, @Nullable String problem) {}

  /** Resolves targets as of {@code at}, looking each one up once however often it is asked. */
  public Function<Target, ResolvedTarget> resolverAt(Instant at) {
    return resolverAt(at, Map.of());
  }

  /**
   * Resolves targets as of {@code at}, a schedule of {@code unsaved} (a replay's own, or one it
   * changes) as that one says rather than as saved.
   */
  public Function<Target, ResolvedTarget> resolverAt(
      Instant at, Map<UUID, Schedules.Schedule> unsaved) {
    Map<Target, ResolvedTarget> seen = new HashMap<>();
    return target -> seen.computeIfAbsent(target, t -> resolve(t, at, unsaved));
  }

  /** A level of a policy with whom each of its targets resolves to; {@code level} counts from 1. */
  public record LevelNow(int level, int delayMinutes, List<ResolvedTarget> targets) {}

  /** What each level of {@code policy} would page, resolving targets with {@code resolver}. */
  public List<LevelNow> levelsNow(Policy policy, Function<Target, ResolvedTarget> resolver) {
    List<LevelNow> levels = new ArrayList<>();
    for (int i = 0; i < policy.levels().size(); i++) {
      Level level = policy.levels().get(i);
      levels.add(
          new LevelNow(
              i + 1,
              Objects.requireNonNull(level.delayMinutes()),
              Objects.requireNonNull(level.targets()).stream().map(resolver).toList()));
    }
    return levels;
  }

  private ResolvedTarget resolve(Target target, Instant at, Map<UUID, Schedules.Schedule> unsaved) {
    UUID id = Objects.requireNonNull(target.id());
    if ("user".equals(target.type())) {
      return users
          .find(id)
          .map(user -> new ResolvedTarget(TargetType.USER, id, user.name(), List.of(user), null))
          .orElse(
              new ResolvedTarget(
                  TargetType.USER,
                  id,
                  "deleted user",
                  List.of(),
                  "user " + id + " no longer exists"));
    }
    Optional<Schedules.Schedule> schedule =
        unsaved.containsKey(id) ? Optional.of(unsaved.get(id)) : schedules.find(id);
    if (schedule.isEmpty()) {
      return new ResolvedTarget(
          TargetType.SCHEDULE,
          id,
          "deleted schedule",
          List.of(),
          "schedule " + id + " no longer exists");
    }
    String name = schedule.get().name();
    List<User> people =
        schedules
            .onCall(schedule.get(), at)
            .flatMap(shift -> users.find(shift.user()))
            .map(List::of)
            .orElse(List.of());
    return new ResolvedTarget(
        TargetType.SCHEDULE,
        id,
        name,
        people,
        people.isEmpty() ? "schedule '" + name + "' has nobody on call" : null);
  }

  private boolean exists(UUID id) {
    return jdbc.sql("SELECT COUNT(*) FROM oncall_escalation_policy WHERE id = :id")
            .param("id", id)
            .query(Long.class)
            .single()
        > 0;
  }

  private Policy valid(
      UUID id, PolicyInput input, Instant created, Instant updated, Set<UUID> unsavedSchedules) {
    String name = input.name() == null ? "" : input.name().trim();
    if (name.isEmpty() || name.length() > 100) {
      throw new InvalidInputException("name", "must have 1 to 100 characters");
    }
    int repeat = input.repeat() == null ? 0 : input.repeat();
    if (repeat < 0 || repeat > 9) {
      throw new InvalidInputException("repeat", "must be 0 to 9");
    }
    if (input.levels() == null || input.levels().isEmpty()) {
      throw new InvalidInputException("levels", "a policy needs at least one level");
    }
    if (input.levels().size() > MAX_LEVELS) {
      throw new InvalidInputException("levels", "a policy has at most " + MAX_LEVELS + " levels");
    }
    List<Level> levels = new ArrayList<>();
    for (int i = 0; i < input.levels().size(); i++) {
      levels.add(validLevel("levels[" + i + "]", input.levels().get(i), unsavedSchedules));
    }
    String description = input.description() == null ? "" : input.description().trim();
    return new Policy(id, name, description, repeat, List.copyOf(levels), created, updated);
  }

  private Level validLevel(String field, @Nullable Level level, Set<UUID> unsavedSchedules) {
    if (level == null) {
      throw new InvalidInputException(field, "is required");
    }
    int delay = level.delayMinutes() == null ? 30 : level.delayMinutes();
    if (delay < 1 || delay > 1440) {
      throw new InvalidInputException(field + ".delayMinutes", "must be 1 to 1440 minutes");
    }
    if (level.targets() == null || level.targets().isEmpty()) {
      throw new InvalidInputException(
          field + ".targets", "a level needs at least one user or schedule");
    }
    List<Target> targets = new ArrayList<>();
    for (int t = 0; t < level.targets().size(); t++) {
      String targetField = field + ".targets[" + t + "]";
      Target target = level.targets().get(t);
      if (target == null || target.type() == null || target.id() == null) {
        throw new InvalidInputException(targetField, "needs a type (user or schedule) and an id");
      }
      TargetType type = EnumText.parse(TargetType.class, targetField + ".type", target.type());
      if (type == TargetType.USER && users.find(target.id()).isEmpty()) {
        throw new InvalidInputException(
            targetField + ".id", "user " + target.id() + " does not exist");
      }
      if (type == TargetType.SCHEDULE && !unsavedSchedules.contains(target.id())) {
        try {
          schedules.get(target.id());
        } catch (NotFoundException e) {
          throw new InvalidInputException(
              targetField + ".id", "schedule " + target.id() + " does not exist");
        }
      }
      targets.add(new Target(EnumText.canonical(type), target.id()));
    }
    return new Level(delay, List.copyOf(targets));
  }

  private void write(String sql, Policy policy) {
    try {
      jdbc.sql(sql)
          .param("id", policy.id())
          .param("name", policy.name())
          .param("key", policy.name().toLowerCase(Locale.ROOT))
          .param("description", policy.description())
          .param("repeat", policy.repeat())
          .param("levels", json.writeValueAsString(policy.levels()))
          .param("now", policy.updatedAt().atOffset(ZoneOffset.UTC))
          .update();
    } catch (DuplicateKeyException e) {
      throw new ConflictException(
          "An escalation policy named '" + policy.name() + "' exists already.");
    }
  }

  /**
   * Keeps {@code oncall_escalation_policy_target} in step with the policy's levels, so that who a
   * policy pages is found through an index instead of in the levels' JSON.
   */
  private void writeTargets(Policy policy) {
    jdbc.sql("DELETE FROM oncall_escalation_policy_target WHERE policy_id = :id")
        .param("id", policy.id())
        .update();
    Set<List<Object>> written = new HashSet<>();
    for (int level = 1; level <= policy.levels().size(); level++) {
      for (Target target : Objects.requireNonNull(policy.levels().get(level - 1).targets())) {
        UUID targetId = Objects.requireNonNull(target.id());
        String kind = Objects.requireNonNull(target.type());
        // A level may name the same target twice; the table holds it once.
        if (written.add(List.of(level, kind, targetId))) {
          jdbc.sql(
                  """
                  INSERT INTO oncall_escalation_policy_target
                    (policy_id, level, target_kind, target_id)
                  VALUES (:policy, :level, :kind, :target)
                  """)
              .param("policy", policy.id())
              .param("level", level)
              .param("kind", kind)
              .param("target", targetId)
              .update();
        }
      }
    }
  }

  private Policy policy(ResultSet rs, int n) throws SQLException {
    return new Policy(
        rs.getObject("id", UUID.class),
        rs.getString("name"),
        rs.getString("description"),
        rs.getInt("repeat_count"),
        json.readValue(rs.getString("levels"), LEVELS),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        rs.getObject("updated_at", OffsetDateTime.class).toInstant());
  }
}
