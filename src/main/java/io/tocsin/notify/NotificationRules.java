package io.tocsin.notify;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.UserService;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Severity;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Per user and urgency, the ordered steps of a page: which contact method, how many minutes after
 * the page. Critical and error pages are high urgency; warning and info are low.
 */
@Service
public class NotificationRules {

  private static final int MAX_STEPS = 10;

  private final JdbcClient jdbc;
  private final UserService users;
  private final ContactMethodRows methods;
  private final AuditLog audit;

  NotificationRules(JdbcClient jdbc, UserService users, ContactMethodRows methods, AuditLog audit) {
    this.jdbc = jdbc;
    this.users = users;
    this.methods = methods;
    this.audit = audit;
  }

  public enum Urgency {
    HIGH,
    LOW;

    public static Urgency of(Severity severity) {
      return severity == Severity.CRITICAL || severity == Severity.ERROR ? HIGH : LOW;
    }
  }

  /** Send through {@code contactMethodId}, {@code delayMinutes} after the page. */
  public record Step(@Nullable UUID contactMethodId, @Nullable Integer delayMinutes) {}

  /** A step with its method, as delivery needs it. */
  record Planned(int position, ContactMethod method, int delayMinutes) {}

  /** A user's rules, and what keeps them from being reached. */
  public record Rules(Map<String, List<Step>> steps, List<String> problems) {}

  public Rules get(UUID userId) {
    users.get(userId);
    Map<Urgency, List<Step>> steps = new EnumMap<>(Urgency.class);
    for (Urgency urgency : Urgency.values()) {
      steps.put(urgency, new ArrayList<>());
    }
    jdbc.sql(
            "SELECT urgency, contact_method_id, delay_minutes FROM notify_rule"
                + " WHERE user_id = :user ORDER BY urgency, position")
        .param("user", userId)
        .query(
            rs -> {
              Objects.requireNonNull(
                      steps.get(EnumText.parse(Urgency.class, "urgency", rs.getString("urgency"))))
                  .add(
                      new Step(
                          rs.getObject("contact_method_id", UUID.class),
                          rs.getInt("delay_minutes")));
            });
    List<String> problems = new ArrayList<>();
    for (Urgency urgency : Urgency.values()) {
      if (planned(userId, urgency).isEmpty()) {
        problems.add(
            "No verified contact method for "
                + EnumText.canonical(urgency)
                + "-urgency pages: they reach nobody.");
      }
    }
    Map<String, List<Step>> byName = new java.util.LinkedHashMap<>();
    steps.forEach((urgency, list) -> byName.put(EnumText.canonical(urgency), List.copyOf(list)));
    return new Rules(byName, problems);
  }

  /** Replaces a user's rules for both urgencies at once. */
  @Transactional
  public Rules replace(UUID userId, Map<String, List<Step>> input) {
    users.get(userId);
    Map<Urgency, List<Step>> parsed = new EnumMap<>(Urgency.class);
    input.forEach((key, steps) -> parsed.put(EnumText.parse(Urgency.class, "urgency", key), steps));
    jdbc.sql("DELETE FROM notify_rule WHERE user_id = :user").param("user", userId).update();
    for (Map.Entry<Urgency, List<Step>> entry : parsed.entrySet()) {
      List<Step> steps = entry.getValue() == null ? List.of() : entry.getValue();
      String field = EnumText.canonical(entry.getKey());
      if (steps.size() > MAX_STEPS) {
        throw new InvalidInputException(field, "at most " + MAX_STEPS + " steps");
      }
      for (int i = 0; i < steps.size(); i++) {
        Step step = steps.get(i);
        String at = field + "[" + i + "]";
        if (step == null || step.contactMethodId() == null) {
          throw new InvalidInputException(at + ".contactMethodId", "is required");
        }
        int delay = step.delayMinutes() == null ? 0 : step.delayMinutes();
        if (delay < 0 || delay > 1440) {
          throw new InvalidInputException(at + ".delayMinutes", "must be 0 to 1440");
        }
        boolean own =
            methods
                .find(step.contactMethodId())
                .filter(method -> method.userId().equals(userId))
                .isPresent();
        if (!own) {
          throw new InvalidInputException(
              at + ".contactMethodId",
              "contact method " + step.contactMethodId() + " is not one of this user's");
        }
        insert(userId, entry.getKey(), i, step.contactMethodId(), delay);
      }
    }
    audit.record("notification_rules.replaced", "user " + userId, "rules replaced");
    return get(userId);
  }

  /** Gives a user without rules the default: every page through {@code methodId} at once. */
  void defaultsFor(UUID userId, UUID methodId) {
    long existing =
        jdbc.sql("SELECT COUNT(*) FROM notify_rule WHERE user_id = :user")
            .param("user", userId)
            .query(Long.class)
            .single();
    if (existing > 0) {
      return;
    }
    for (Urgency urgency : Urgency.values()) {
      insert(userId, urgency, 0, methodId, 0);
    }
  }

  /** The steps a page of this urgency takes, through verified methods only, in order. */
  List<Planned> planned(UUID userId, Urgency urgency) {
    return jdbc.sql(
            "SELECT r.position, r.delay_minutes, "
                + ContactMethodRows.COLUMNS.replaceAll("(\\w+)", "m.$1")
                + " FROM notify_rule r JOIN notify_contact_method m ON m.id = r.contact_method_id"
                + " WHERE r.user_id = :user AND r.urgency = :urgency"
                + " AND m.verified_at IS NOT NULL ORDER BY r.position")
        .param("user", userId)
        .param("urgency", EnumText.canonical(urgency))
        .query(
            (rs, n) ->
                new Planned(
                    rs.getInt("position"), methods.method(rs, n), rs.getInt("delay_minutes")))
        .list();
  }

  private void insert(UUID userId, Urgency urgency, int position, UUID methodId, int delay) {
    jdbc.sql(
            """
            INSERT INTO notify_rule (user_id, urgency, position, contact_method_id, delay_minutes)
            VALUES (:user, :urgency, :position, :method, :delay)
            """)
        .param("user", userId)
        .param("urgency", EnumText.canonical(urgency))
        .param("position", position)
        .param("method", methodId)
        .param("delay", delay)
        .update();
  }
}
