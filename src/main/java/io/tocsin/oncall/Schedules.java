package io.tocsin.oncall;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.UserService;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.ListQuery;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import io.tocsin.platform.TimeBounds;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Schedules and their overrides, and who they put on call. */
@Service
public class Schedules {

  private static final TypeReference<List<Layer>> LAYERS = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final UserService users;
  private final AuditLog audit;
  private final Clock clock;
  private final IdGenerator ids;

  Schedules(
      JdbcClient jdbc,
      JsonMapper json,
      UserService users,
      AuditLog audit,
      Clock clock,
      IdGenerator ids) {
    this.jdbc = jdbc;
    this.json = json;
    this.users = users;
    this.audit = audit;
    this.clock = clock;
    this.ids = ids;
  }

  /** A schedule as the API writes and reads it. */
  public record ScheduleInput(
      @Nullable String name,
      @Nullable String description,
      @Nullable String timeZone,
      @Nullable List<Layer> layers) {}

  /**
   * A layer, lowest first in a schedule: members take turns of {@code rotation}, from {@code start}
   * (local date and handoff time), inside the restriction windows if there are any.
   */
  public record Layer(
      @Nullable String name,
      @Nullable List<UUID> members,
      @Nullable Length rotation,
      @Nullable String start,
      @Nullable List<Restriction> restrictions) {}

  /** {@code count} hours, days or weeks. */
  public record Length(@Nullable Integer count, @Nullable String unit) {}

  /** Days ("monday"…) with a local window; a window ending at or before its start ends next day. */
  public record Restriction(
      @Nullable List<String> days, @Nullable String from, @Nullable String to) {}

  public record Schedule(
      UUID id,
      String name,
      String description,
      String timeZone,
      List<Layer> layers,
      Instant createdAt,
      Instant updatedAt) {}

  public record ScheduleOverride(
      UUID id, UUID scheduleId, UUID userId, Instant start, Instant end, String createdBy) {}

  @Transactional
  public Schedule create(ScheduleInput input) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Schedule schedule = valid(ids.generateId(), input, now, now);
    try {
      jdbc.sql(
              """
              INSERT INTO oncall_schedule
                (id, name, name_key, description, time_zone, layers, created_at, updated_at)
              VALUES (:id, :name, :key, :description, :zone, :layers, :now, :now)
              """)
          .param("id", schedule.id())
          .param("name", schedule.name())
          .param("key", schedule.name().toLowerCase(Locale.ROOT))
          .param("description", schedule.description())
          .param("zone", schedule.timeZone())
          .param("layers", json.writeValueAsString(schedule.layers()))
          .param("now", utc(now))
          .update();
    } catch (DuplicateKeyException e) {
      throw new ConflictException("A schedule named '" + schedule.name() + "' exists already.");
    }
    audit.record(
        "schedule.created", "schedule " + schedule.id(), "created '" + schedule.name() + "'");
    return schedule;
  }

  @Transactional
  public Schedule replace(UUID id, ScheduleInput input) {
    Schedule before = get(id);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Schedule schedule = valid(id, input, before.createdAt(), now);
    try {
      jdbc.sql(
              """
              UPDATE oncall_schedule SET name = :name, name_key = :key, description = :description,
                     time_zone = :zone, layers = :layers, updated_at = :now
              WHERE id = :id
              """)
          .param("id", id)
          .param("name", schedule.name())
          .param("key", schedule.name().toLowerCase(Locale.ROOT))
          .param("description", schedule.description())
          .param("zone", schedule.timeZone())
          .param("layers", json.writeValueAsString(schedule.layers()))
          .param("now", utc(now))
          .update();
    } catch (DuplicateKeyException e) {
      throw new ConflictException("A schedule named '" + schedule.name() + "' exists already.");
    }
    audit.record("schedule.updated", "schedule " + id, "replaced '" + schedule.name() + "'");
    return schedule;
  }

  public Schedule get(UUID id) {
    return find(id).orElseThrow(() -> new NotFoundException("There is no schedule " + id + "."));
  }

  public Optional<Schedule> find(UUID id) {
    return jdbc.sql(
            "SELECT id, name, description, time_zone, layers, created_at, updated_at"
                + " FROM oncall_schedule WHERE id = :id")
        .param("id", id)
        .query(this::schedule)
        .optional();
  }

  public Page<Schedule> list(@Nullable UUID after, int limit) {
    return Page.of(
        ListQuery.from(
                "SELECT id, name, description, time_zone, layers, created_at, updated_at"
                    + " FROM oncall_schedule")
            .oldestFirst(jdbc, after, limit, this::schedule),
        limit,
        Schedule::id);
  }

  @Transactional
  public void delete(UUID id) {
    Schedule schedule = get(id);
    List<String> policies =
        jdbc.sql(
                """
                SELECT name FROM oncall_escalation_policy WHERE id IN
                  (SELECT policy_id FROM oncall_escalation_policy_target
                   WHERE target_kind = 'schedule' AND target_id = :id)
                ORDER BY name
                """)
            .param("id", id)
            .query(String.class)
            .list();
    if (!policies.isEmpty()) {
      throw new ConflictException(
          "Schedule '"
              + schedule.name()
              + "' is a target of the escalation policies "
              + String.join(", ", policies)
              + ".");
    }
    jdbc.sql("DELETE FROM oncall_schedule WHERE id = :id").param("id", id).update();
    audit.record("schedule.deleted", "schedule " + id, "deleted '" + schedule.name() + "'");
  }

  /** Adds an override; one that overlaps another of the schedule is refused, naming it. */
  @Transactional
  public ScheduleOverride addOverride(
      UUID scheduleId,
      @Nullable UUID userId,
      @Nullable Instant start,
      @Nullable Instant end,
      String by) {
    // Serialises overrides of one schedule, so that two overlapping ones cannot both pass the
    // check.
    if (jdbc.sql("SELECT id FROM oncall_schedule WHERE id = :id FOR UPDATE")
        .param("id", scheduleId)
        .query(UUID.class)
        .optional()
        .isEmpty()) {
      throw new NotFoundException("There is no schedule " + scheduleId + ".");
    }
    if (userId == null) {
      throw new InvalidInputException("userId", "is required");
    }
    knownUser("userId", userId);
    if (start == null || end == null) {
      throw new InvalidInputException(start == null ? "start" : "end", "is required");
    }
    TimeBounds.require("start", start);
    TimeBounds.require("end", end);
    if (!end.isAfter(start)) {
      throw new InvalidInputException("end", "must be after start");
    }
    List<ScheduleOverride> clashing = overrides(scheduleId, start, end);
    if (!clashing.isEmpty()) {
      ScheduleOverride other = clashing.get(0);
      throw new InvalidInputException(
          "start",
          "overlaps the override of user "
              + other.userId()
              + " from "
              + other.start()
              + " to "
              + other.end()
              + " ("
              + other.id()
              + ")");
    }
    ScheduleOverride created =
        new ScheduleOverride(
            ids.generateId(),
            scheduleId,
            userId,
            start.truncatedTo(ChronoUnit.MICROS),
            end.truncatedTo(ChronoUnit.MICROS),
            by);
    jdbc.sql(
            """
            INSERT INTO oncall_override
              (id, schedule_id, user_id, starts_at, ends_at, created_by, created_at)
            VALUES (:id, :schedule, :user, :start, :end, :by, :now)
            """)
        .param("id", created.id())
        .param("schedule", scheduleId)
        .param("user", userId)
        .param("start", utc(created.start()))
        .param("end", utc(created.end()))
        .param("by", by)
        .param("now", utc(clock.instant()))
        .update();
    return created;
  }

  @Transactional
  public void deleteOverride(UUID scheduleId, UUID overrideId) {
    int deleted =
        jdbc.sql("DELETE FROM oncall_override WHERE id = :id AND schedule_id = :schedule")
            .param("id", overrideId)
            .param("schedule", scheduleId)
            .update();
    if (deleted == 0) {
      throw new NotFoundException(
          "Schedule " + scheduleId + " has no override " + overrideId + ".");
    }
  }

  /** The overrides of a schedule that overlap [from, to), by start. */
  public List<ScheduleOverride> overrides(UUID scheduleId, Instant from, Instant to) {
    return jdbc.sql(
            """
            SELECT id, schedule_id, user_id, starts_at, ends_at, created_by FROM oncall_override
            WHERE schedule_id = :schedule AND ends_at > :from AND starts_at < :to
            ORDER BY starts_at
            """)
        .param("schedule", scheduleId)
        .param("from", utc(from))
        .param("to", utc(to))
        .query(
            (rs, n) ->
                new ScheduleOverride(
                    rs.getObject("id", UUID.class),
                    rs.getObject("schedule_id", UUID.class),
                    rs.getObject("user_id", UUID.class),
                    rs.getObject("starts_at", OffsetDateTime.class).toInstant(),
                    rs.getObject("ends_at", OffsetDateTime.class).toInstant(),
                    rs.getString("created_by")))
        .list();
  }

  /** A shift of one person in one schedule. */
  public record UserShift(UUID scheduleId, String scheduleName, Shift shift) {}

  /** The shifts of {@code userId} in every schedule in [from, to), by start. */
  public List<UserShift> shiftsOf(UUID userId, Instant from, Instant to) {
    List<Schedule> all =
        jdbc.sql(
                "SELECT id, name, description, time_zone, layers, created_at, updated_at"
                    + " FROM oncall_schedule ORDER BY name")
            .query(this::schedule)
            .list();
    List<UserShift> mine = new ArrayList<>();
    for (Schedule schedule : all) {
      for (Shift shift : timeline(schedule, from, to).shifts(from, to)) {
        if (shift.user().equals(userId)) {
          mine.add(new UserShift(schedule.id(), schedule.name(), shift));
        }
      }
    }
    mine.sort(java.util.Comparator.comparing((UserShift s) -> s.shift().start()));
    return mine;
  }

  /** The final shifts of a schedule in [from, to). */
  public List<Shift> shifts(UUID scheduleId, Instant from, Instant to) {
    if (!to.isAfter(from)) {
      throw new InvalidInputException("to", "must be after from");
    }
    return timeline(get(scheduleId), from, to).shifts(from, to);
  }

  /**
   * A schedule over [from, to) in its parts: each layer's own turns (lowest first), the overrides,
   * and the final shifts that come of them.
   */
  public record Breakdown(
      Schedule schedule,
      List<List<Shift>> layers,
      List<ScheduleOverride> overrides,
      List<Shift> shifts) {}

  public Breakdown breakdown(UUID scheduleId, Instant from, Instant to) {
    if (!to.isAfter(from)) {
      throw new InvalidInputException("to", "must be after from");
    }
    Schedule schedule = get(scheduleId);
    List<ScheduleOverride> overrides = overrides(scheduleId, from, to);
    ScheduleTimeline timeline = timeline(schedule, overrides);
    return new Breakdown(schedule, timeline.layers(from, to), overrides, timeline.shifts(from, to));
  }

  /**
   * A schedule not saved yet, checked as {@link #create} checks it, over [from, to): what an editor
   * shows while the schedule is typed. Nothing is written; overrides belong to saved schedules.
   */
  public Breakdown preview(ScheduleInput input, Instant from, Instant to) {
    if (!to.isAfter(from)) {
      throw new InvalidInputException("to", "must be after from");
    }
    Schedule schedule = valid(new UUID(0, 0), input, from, from);
    ScheduleTimeline timeline = timeline(schedule, List.of());
    return new Breakdown(schedule, timeline.layers(from, to), List.of(), timeline.shifts(from, to));
  }

  /**
   * The schedule this input makes under the id given, checked as {@link #create} checks it: what a
   * replay pages with before anyone saves it. Nothing is written; the overrides of the schedule of
   * that id, if one is saved, still apply to it.
   */
  public Schedule check(UUID id, ScheduleInput input) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    return valid(id, input, now, now);
  }

  /** Who the schedule puts on call at {@code at}, if anybody. */
  public Optional<Shift> onCall(UUID scheduleId, Instant at) {
    return onCall(get(scheduleId), at);
  }

  /** Who is on call for a schedule already read, at {@code at}. */
  public Optional<Shift> onCall(Schedule schedule, Instant at) {
    // Only the overrides the timeline can see: it looks one turn of the longest layer either way.
    java.time.Duration reach = ScheduleTimeline.reach(rotations(schedule));
    return timeline(schedule, at.minus(reach), at.plus(reach)).at(at);
  }

  private static List<Rotation> rotations(Schedule schedule) {
    return schedule.layers().stream().map(Schedules::rotation).toList();
  }

  private ScheduleTimeline timeline(Schedule schedule, Instant from, Instant to) {
    return timeline(schedule, overrides(schedule.id(), from, to));
  }

  private static ScheduleTimeline timeline(
      Schedule schedule, List<ScheduleOverride> scheduleOverrides) {
    List<ShiftOverride> overrides =
        scheduleOverrides.stream()
            .map(o -> new ShiftOverride(o.userId(), o.start(), o.end()))
            .toList();
    return new ScheduleTimeline(ZoneId.of(schedule.timeZone()), rotations(schedule), overrides);
  }

  // A stored schedule passed valid(), which fills every field of each layer and restriction.
  @SuppressWarnings("NullAway")
  private static Rotation rotation(Layer layer) {
    List<Rotation.Window> windows = new ArrayList<>();
    for (Restriction r : layer.restrictions()) {
      Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
      r.days().forEach(d -> days.add(DayOfWeek.valueOf(d.toUpperCase(Locale.ROOT))));
      windows.add(new Rotation.Window(days, LocalTime.parse(r.from()), LocalTime.parse(r.to())));
    }
    return new Rotation(
        layer.name(),
        layer.members(),
        new Rotation.Length(
            layer.rotation().count(),
            Rotation.Length.Unit.valueOf(layer.rotation().unit().toUpperCase(Locale.ROOT))),
        LocalDateTime.parse(layer.start()),
        windows);
  }

  /** The input checked field by field, in canonical form, or a 422 naming the first bad field. */
  private Schedule valid(UUID id, ScheduleInput input, Instant created, Instant updated) {
    String name = input.name() == null ? "" : input.name().trim();
    if (name.isEmpty() || name.length() > 100) {
      throw new InvalidInputException("name", "must have 1 to 100 characters");
    }
    String zone = input.timeZone() == null ? "" : input.timeZone().trim();
    try {
      zone = ZoneId.of(zone).getId();
    } catch (DateTimeException e) {
      throw new InvalidInputException(
          "timeZone", "'" + zone + "' is not an IANA time zone such as Europe/Berlin");
    }
    if (input.layers() == null || input.layers().isEmpty()) {
      throw new InvalidInputException("layers", "a schedule needs at least one layer");
    }
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < input.layers().size(); i++) {
      layers.add(validLayer("layers[" + i + "]", input.layers().get(i), i));
    }
    String description = input.description() == null ? "" : input.description().trim();
    return new Schedule(id, name, description, zone, List.copyOf(layers), created, updated);
  }

  private Layer validLayer(String field, @Nullable Layer layer, int index) {
    if (layer == null) {
      throw new InvalidInputException(field, "is required");
    }
    String name =
        layer.name() == null || layer.name().isBlank()
            ? "layer " + (index + 1)
            : layer.name().trim();
    if (layer.members() == null || layer.members().isEmpty()) {
      throw new InvalidInputException(
          field + ".members", "layer '" + name + "' needs at least one member");
    }
    for (int m = 0; m < layer.members().size(); m++) {
      UUID member = layer.members().get(m);
      if (member == null) {
        throw new InvalidInputException(field + ".members[" + m + "]", "is not a user id");
      }
      knownUser(field + ".members[" + m + "]", member);
    }
    Length length = layer.rotation();
    if (length == null || length.count() == null || length.unit() == null) {
      throw new InvalidInputException(
          field + ".rotation", "needs a count and a unit (hours, days or weeks)");
    }
    Rotation.Length.Unit unit =
        EnumText.parse(Rotation.Length.Unit.class, field + ".rotation.unit", length.unit());
    if (length.count() < 1 || length.count() > 1000) {
      throw new InvalidInputException(field + ".rotation.count", "must be 1 to 1000");
    }
    String start;
    try {
      start = LocalDateTime.parse(layer.start() == null ? "" : layer.start().trim()).toString();
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(
          field + ".start", "must be a local date and handoff time such as 2026-06-01T09:00");
    }
    TimeBounds.require(field + ".start", LocalDateTime.parse(start));
    List<Restriction> restrictions = new ArrayList<>();
    List<Restriction> given = layer.restrictions() == null ? List.of() : layer.restrictions();
    for (int r = 0; r < given.size(); r++) {
      restrictions.add(validRestriction(field + ".restrictions[" + r + "]", given.get(r)));
    }
    return new Layer(
        name,
        List.copyOf(layer.members()),
        new Length(length.count(), EnumText.canonical(unit)),
        start,
        restrictions);
  }

  private static Restriction validRestriction(String field, @Nullable Restriction restriction) {
    if (restriction == null || restriction.days() == null || restriction.days().isEmpty()) {
      throw new InvalidInputException(field + ".days", "must name at least one day");
    }
    List<String> days = new ArrayList<>();
    for (String day : restriction.days()) {
      days.add(
          EnumText.canonical(
              EnumText.parse(DayOfWeek.class, field + ".days", day == null ? "" : day)));
    }
    return new Restriction(
        days, time(field + ".from", restriction.from()), time(field + ".to", restriction.to()));
  }

  private static String time(String field, @Nullable String text) {
    try {
      return LocalTime.parse(text == null ? "" : text.trim()).toString();
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(field, "must be a local time such as 09:00");
    }
  }

  private void knownUser(String field, UUID user) {
    if (users.find(user).isEmpty()) {
      throw new InvalidInputException(field, "user " + user + " does not exist");
    }
  }

  private Schedule schedule(ResultSet rs, int n) throws SQLException {
    return new Schedule(
        rs.getObject("id", UUID.class),
        rs.getString("name"),
        rs.getString("description"),
        rs.getString("time_zone"),
        json.readValue(rs.getString("layers"), LAYERS),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        rs.getObject("updated_at", OffsetDateTime.class).toInstant());
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
