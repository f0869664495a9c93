package io.tocsin.correlate;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.TeamScope;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.AlertMuting;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.LabelMatcher.Operator;
import io.tocsin.platform.ConfigGenerations;
import io.tocsin.platform.ForbiddenException;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.TimeBounds;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/**
 * Silences with Alertmanager's semantics: a silence mutes every alert that all its matchers match,
 * from {@code startsAt} to {@code endsAt}. Changing an active silence's matchers or start replaces
 * it (the old one expires, a new one with a new id takes over), as Alertmanager does, so that what
 * was muted when stays true in the history.
 */
@Service
public class Silences {

  /** Longest comment kept; a silence explains itself in a sentence or two, not a document. */
  public static final int COMMENT_LIMIT = 2_000;

  /** The kind of configuration a silence is, for {@link ConfigGenerations}. */
  static final String KIND = "correlate.silence";

  private static final int CREATED_BY_LIMIT = 255;
  private static final String COLUMNS =
      "id, matchers, starts_at, ends_at, created_by, comment, updated_at";

  /** What a caller asks for; a missing start means now. */
  public record SilenceInput(
      List<LabelMatcher> matchers,
      @Nullable Instant startsAt,
      @Nullable Instant endsAt,
      @Nullable String createdBy,
      @Nullable String comment) {}

  private final JdbcClient jdbc;
  private final StoredMatchers stored;
  private final Clock clock;
  private final IdGenerator ids;
  private final AuditLog audit;
  private final ServiceCatalog services;
  private final ConfigGenerations generations;
  private final ConfigGenerations.Cache<Unended> unended;
  private final TeamScope scope;

  /** The silences not yet over at {@code at}: those in force then, and those still to come. */
  private record Unended(Instant at, List<Silence> silences) {}

  Silences(
      JdbcClient jdbc,
      StoredMatchers stored,
      Clock clock,
      IdGenerator ids,
      AuditLog audit,
      ServiceCatalog services,
      ConfigGenerations generations,
      TeamScope scope) {
    this.scope = scope;
    this.jdbc = jdbc;
    this.stored = stored;
    this.clock = clock;
    this.ids = ids;
    this.audit = audit;
    this.services = services;
    this.generations = generations;
    this.unended =
        generations.cache(
            KIND,
            () -> {
              Instant at = now();
              return new Unended(
                  at,
                  jdbc.sql("SELECT " + COLUMNS + " FROM correlate_silence WHERE ends_at > :at")
                      .param("at", utc(at))
                      .query(this::row)
                      .list());
            });
  }

  @Transactional
  public Silence create(SilenceInput input) {
    Instant now = now();
    Silence silence = validated(ids.generateId(), input, now);
    mayMute(silence);
    insert(silence);
    audit.record(
        "silence.created",
        "silence " + silence.id(),
        "silenced " + silence.matchers() + " until " + silence.endsAt() + ": " + silence.comment());
    return silence;
  }

  /**
   * A maintenance window: one silence of every alert of the given services, matching {@link
   * AlertMuting#SERVICE_LABEL} on their names. A service renamed during the window is no longer
   * silenced under its new name.
   */
  @Transactional
  public Silence maintenanceWindow(
      @Nullable List<UUID> serviceIds,
      @Nullable Instant startsAt,
      @Nullable Instant endsAt,
      @Nullable String createdBy,
      @Nullable String comment) {
    if (serviceIds == null || serviceIds.isEmpty()) {
      throw new InvalidInputException("services", "must name at least one service");
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < serviceIds.size(); i++) {
      UUID id = serviceIds.get(i);
      if (id == null) {
        throw new InvalidInputException("services[" + i + "]", "must be a service id, not null");
      }
      names.add(escapeRegex(services.get(id).name()));
    }
    LabelMatcher matcher =
        LabelMatcher.of(
            "services", AlertMuting.SERVICE_LABEL, Operator.REGEX, String.join("|", names));
    return create(new SilenceInput(List.of(matcher), startsAt, endsAt, createdBy, comment));
  }

  /** Escapes with backslashes only, as RE2 and Alertmanager's Go regular expressions read them. */
  private static String escapeRegex(String literal) {
    StringBuilder escaped = new StringBuilder();
    for (char c : literal.toCharArray()) {
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        escaped.append('\\');
      }
      escaped.append(c);
    }
    return escaped.toString();
  }

  /**
   * Changes a silence. A pending one, or an active one whose matchers and start stay the same, is
   * changed in place; otherwise the old one expires and a new one replaces it.
   */
  @Transactional
  public Silence update(UUID id, SilenceInput input) {
    Instant now = now();
    Silence previous = get(id);
    SilenceState state = previous.state(now);
    Silence changed = validated(id, input, now);
    mayMute(previous);
    mayMute(changed);
    boolean sameMatchers = text(previous.matchers()).equals(text(changed.matchers()));
    boolean inPlace =
        state == SilenceState.PENDING
            || (state == SilenceState.ACTIVE
                && sameMatchers
                && previous.startsAt().equals(changed.startsAt()));
    if (inPlace) {
      jdbc.sql(
              """
              UPDATE correlate_silence
              SET matchers = :matchers, starts_at = :startsAt, ends_at = :endsAt,
                  created_by = :createdBy, comment = :comment, updated_at = :now
              WHERE id = :id
              """)
          .param("id", id)
          .param("matchers", stored.write(changed.matchers()))
          .param("startsAt", utc(changed.startsAt()))
          .param("endsAt", utc(changed.endsAt()))
          .param("createdBy", changed.createdBy())
          .param("comment", changed.comment())
          .param("now", utc(now))
          .update();
      generations.changed(KIND);
      audit.record("silence.updated", "silence " + id, "changed to " + changed.matchers());
      return get(id);
    }
    if (state == SilenceState.ACTIVE) {
      expire(id);
    }
    return create(input);
  }

  /** Ends a silence now; expiring one that is already over changes nothing. */
  @Transactional
  public Silence expire(UUID id) {
    Instant now = now();
    Silence silence = get(id);
    if (silence.state(now) == SilenceState.EXPIRED) {
      return silence;
    }
    mayMute(silence);
    // A pending silence ends before it started: its window closes at once, as in Alertmanager.
    Instant startsAt = silence.startsAt().isAfter(now) ? now : silence.startsAt();
    jdbc.sql(
            """
            UPDATE correlate_silence SET starts_at = :startsAt, ends_at = :now, updated_at = :now
            WHERE id = :id
            """)
        .param("id", id)
        .param("startsAt", utc(startsAt))
        .param("now", utc(now))
        .update();
    generations.changed(KIND);
    audit.record("silence.expired", "silence " + id, "expired " + silence.matchers());
    return get(id);
  }

  /**
   * Refuses a silence the person behind this request may not set, change or end: one that can mute
   * an alert of a service they may not act on. Alerts carry their service's name in {@link
   * AlertMuting#SERVICE_LABEL}, so the services a silence can reach are those whose name its
   * matchers on that label accept (every service when it has none).
   */
  private void mayMute(Silence silence) {
    UUID userId = TeamScope.currentUserId();
    if (userId == null) {
      return;
    }
    List<LabelMatcher> onService =
        silence.matchers().stream()
            .filter(m -> m.name().equals(AlertMuting.SERVICE_LABEL))
            .toList();
    List<UUID> reached = new ArrayList<>();
    services
        .names()
        .forEach(
            (id, name) -> {
              Map<String, String> labels = Map.of(AlertMuting.SERVICE_LABEL, name);
              if (onService.stream().allMatch(m -> m.matches(labels))) {
                reached.add(id);
              }
            });
    try {
      scope.requireServices(userId, reached);
    } catch (ForbiddenException e) {
      throw new ForbiddenException(
          e.type(),
          "This silence can mute alerts of services that are not yours: "
              + e.getMessage()
              + " Match "
              + AlertMuting.SERVICE_LABEL
              + " on your own services to limit it.");
    }
  }

  public Silence get(UUID id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM correlate_silence WHERE id = :id")
        .param("id", id)
        .query(this::row)
        .optional()
        .orElseThrow(() -> new NotFoundException("There is no silence " + id + "."));
  }

  /**
   * Silences whose matchers satisfy every filter matcher (a filter {@code alertname="X"} finds the
   * silences with a matcher on {@code alertname} whose value it matches), in the given state if
   * any: active first, then pending, then expired, each by end.
   */
  public List<Silence> list(List<LabelMatcher> filter, @Nullable SilenceState state) {
    Instant now = now();
    List<Silence> all =
        jdbc.sql("SELECT " + COLUMNS + " FROM correlate_silence").query(this::row).list();
    List<Silence> found = new ArrayList<>();
    for (Silence silence : all) {
      if ((state == null || silence.state(now) == state) && satisfies(silence, filter)) {
        found.add(silence);
      }
    }
    found.sort(
        Comparator.comparing((Silence s) -> listOrder(s.state(now)))
            .thenComparing(Silence::endsAt));
    return found;
  }

  /**
   * The silences in force now, from this node's copy of those not yet over: correlation asks for
   * every batch, and they change only when a person changes them (or when time passes, which the
   * copy follows by itself).
   */
  public List<Silence> active() {
    Instant now = now();
    Unended known = unended.get();
    if (now.isBefore(known.at())) {
      // A clock set back (tests do) may need silences that were over when the copy was made.
      return jdbc.sql(
              "SELECT "
                  + COLUMNS
                  + " FROM correlate_silence WHERE starts_at <= :now AND ends_at > :now")
          .param("now", utc(now))
          .query(this::row)
          .list();
    }
    return known.silences().stream()
        .filter(s -> !s.startsAt().isAfter(now) && s.endsAt().isAfter(now))
        .toList();
  }

  private static int listOrder(SilenceState state) {
    return switch (state) {
      case ACTIVE -> 0;
      case PENDING -> 1;
      case EXPIRED -> 2;
    };
  }

  private static boolean satisfies(Silence silence, List<LabelMatcher> filter) {
    return filter.stream()
        .allMatch(
            wanted ->
                silence.matchers().stream()
                    .anyMatch(
                        own ->
                            own.name().equals(wanted.name())
                                && wanted.matches(Map.of(own.name(), own.value()))));
  }

  private Silence validated(UUID id, SilenceInput input, Instant now) {
    if (input.matchers().isEmpty()) {
      throw new InvalidInputException("matchers", "must have at least one matcher");
    }
    for (int i = 0; i < input.matchers().size(); i++) {
      LabelMatcher matcher = input.matchers().get(i);
      noNul("matchers[" + i + "].name", matcher.name());
      noNul("matchers[" + i + "].value", matcher.value());
    }
    if (input.matchers().stream().allMatch(m -> m.matches(Map.of()))) {
      throw new InvalidInputException(
          "matchers",
          "at least one matcher must not match the empty string, or the silence would mute every"
              + " alert");
    }
    Instant startsAt =
        input.startsAt() == null ? now : truncate(TimeBounds.require("startsAt", input.startsAt()));
    if (input.endsAt() == null) {
      throw new InvalidInputException("endsAt", "is required");
    }
    Instant endsAt = truncate(TimeBounds.require("endsAt", input.endsAt()));
    if (!endsAt.isAfter(now)) {
      throw new InvalidInputException("endsAt", "must be in the future");
    }
    if (!endsAt.isAfter(startsAt)) {
      throw new InvalidInputException("endsAt", "must be after startsAt");
    }
    String createdBy = required("createdBy", input.createdBy(), CREATED_BY_LIMIT);
    String comment = required("comment", input.comment(), COMMENT_LIMIT);
    return new Silence(id, input.matchers(), startsAt, endsAt, createdBy, comment, now);
  }

  private static String required(String field, @Nullable String value, int limit) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException(field, "is required");
    }
    noNul(field, value);
    String trimmed = value.trim();
    if (trimmed.length() > limit) {
      throw new InvalidInputException(field, "must have at most " + limit + " characters");
    }
    return trimmed;
  }

  /** PostgreSQL cannot store a NUL character in text: refused naming the field, not a 500. */
  private static void noNul(String field, String value) {
    if (value.indexOf(0) >= 0) {
      throw new InvalidInputException(field, "must not contain the NUL character (\\u0000)");
    }
  }

  private void insert(Silence silence) {
    jdbc.sql(
            """
            INSERT INTO correlate_silence
              (id, matchers, starts_at, ends_at, created_by, comment, updated_at)
            VALUES (:id, :matchers, :startsAt, :endsAt, :createdBy, :comment, :updatedAt)
            """)
        .param("id", silence.id())
        .param("matchers", stored.write(silence.matchers()))
        .param("startsAt", utc(silence.startsAt()))
        .param("endsAt", utc(silence.endsAt()))
        .param("createdBy", silence.createdBy())
        .param("comment", silence.comment())
        .param("updatedAt", utc(silence.updatedAt()))
        .update();
    generations.changed(KIND);
  }

  private static String text(List<LabelMatcher> matchers) {
    return matchers.toString();
  }

  private Silence row(ResultSet rs, int rowNum) throws SQLException {
    List<LabelMatcher> matchers = stored.read(rs.getString("matchers"));
    return new Silence(
        rs.getObject("id", UUID.class),
        matchers,
        instant(rs, "starts_at"),
        instant(rs, "ends_at"),
        rs.getString("created_by"),
        rs.getString("comment"),
        instant(rs, "updated_at"));
  }

  private Instant now() {
    return truncate(clock.instant());
  }

  private static Instant truncate(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
