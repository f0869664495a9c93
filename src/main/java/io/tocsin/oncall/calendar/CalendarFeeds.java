package io.tocsin.oncall.calendar;

import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.oncall.CalendarFeedLinks;
import io.tocsin.oncall.Schedules;
import io.tocsin.oncall.Shift;
import io.tocsin.platform.Digests;
import io.tocsin.platform.NotFoundException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Secret-URL calendar feeds: one per schedule (its final shifts, in its zone) and one per user
 * (their shifts in every schedule). Whoever has the URL reads the feed, as calendar apps need; a
 * new URL for the same schedule or user replaces the old one.
 */
@Service
class CalendarFeeds implements CalendarFeedLinks {

  /** What a feed shows, in whole days of its zone: the recent past and the next three months. */
  static final Duration BEFORE = Duration.ofDays(14);

  static final Duration AFTER = Duration.ofDays(90);

  private final JdbcClient jdbc;
  private final Schedules schedules;
  private final UserService users;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  CalendarFeeds(JdbcClient jdbc, Schedules schedules, UserService users, Clock clock) {
    this.jdbc = jdbc;
    this.schedules = schedules;
    this.users = users;
    this.clock = clock;
  }

  /** A new secret token for the schedule's or user's feed, replacing the old one. */
  @Transactional
  String create(String kind, UUID owner) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    jdbc.sql("DELETE FROM oncall_calendar_feed WHERE kind = :kind AND owner_id = :owner")
        .param("kind", kind)
        .param("owner", owner)
        .update();
    jdbc.sql(
            "INSERT INTO oncall_calendar_feed (token_hash, kind, owner_id, created_at)"
                + " VALUES (:hash, :kind, :owner, :now)")
        .param("hash", Digests.sha256(token))
        .param("kind", kind)
        .param("owner", owner)
        .param("now", clock.instant().atOffset(ZoneOffset.UTC))
        .update();
    return token;
  }

  @Override
  @Transactional
  public String newScheduleFeed(UUID scheduleId) {
    schedules.get(scheduleId);
    return path(create("schedule", scheduleId));
  }

  @Override
  @Transactional
  public String newUserFeed(UUID userId) {
    return path(create("user", userId));
  }

  /** Where {@link CalendarController} serves the feed of {@code token}. */
  static String path(String token) {
    return "/calendars/" + token + ".ics";
  }

  /** The feed behind a token, as RFC 5545 text. */
  String render(String token) {
    record Feed(String kind, UUID owner) {}
    Feed feed =
        jdbc.sql("SELECT kind, owner_id FROM oncall_calendar_feed WHERE token_hash = :hash")
            .param("hash", Digests.sha256(token))
            .query((rs, n) -> new Feed(rs.getString("kind"), rs.getObject("owner_id", UUID.class)))
            .optional()
            .orElseThrow(() -> new NotFoundException("There is no calendar feed at this address."));
    Instant now = clock.instant();
    Map<UUID, String> names = new HashMap<>();
    if (feed.kind().equals("schedule")) {
      Schedules.Schedule schedule = schedules.get(feed.owner());
      ZoneId zone = ZoneId.of(schedule.timeZone());
      Instant from = startOfDay(now.minus(BEFORE), zone);
      Instant to = startOfDay(now.plus(AFTER), zone);
      IcsWriter ics =
          new IcsWriter()
              .begin("On call: " + schedule.name(), zone.getId())
              .timeZone(zone, from, to);
      for (Shift shift : schedules.shifts(schedule.id(), from, to)) {
        String who = names.computeIfAbsent(shift.user(), this::name);
        ics.event(
            uid(schedule.id(), shift),
            now,
            shift.start(),
            shift.end(),
            zone,
            true,
            "On call: " + who + " (" + shift.source() + ")",
            "Schedule " + schedule.name() + ", " + shift.source());
      }
      return ics.end();
    }
    Optional<User> user = users.find(feed.owner());
    ZoneId zone = user.map(User::timeZone).orElse(ZoneOffset.UTC);
    Instant from = startOfDay(now.minus(BEFORE), zone);
    Instant to = startOfDay(now.plus(AFTER), zone);
    IcsWriter ics =
        new IcsWriter()
            .begin("My on-call shifts" + user.map(u -> ": " + u.name()).orElse(""), zone.getId());
    for (Schedules.UserShift mine : schedules.shiftsOf(feed.owner(), from, to)) {
      ics.event(
          uid(mine.scheduleId(), mine.shift()),
          now,
          mine.shift().start(),
          mine.shift().end(),
          ZoneOffset.UTC,
          false,
          "On call: " + mine.scheduleName(),
          "Schedule " + mine.scheduleName() + ", " + mine.shift().source());
    }
    return ics.end();
  }

  /**
   * The start of the day of {@code at} in {@code zone}. A feed's window starts and ends at
   * midnight: a shift cut at its edge keeps its start, and with it its UID, from one fetch to the
   * next that day, where a window cut at the instant of the fetch gave calendar apps a new first
   * event every time.
   */
  private static Instant startOfDay(Instant at, ZoneId zone) {
    return at.atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
  }

  private String name(UUID user) {
    return users.find(user).map(User::name).orElse("deleted user");
  }

  private static String uid(UUID schedule, Shift shift) {
    return schedule + "-" + shift.start().getEpochSecond() + "-" + shift.user() + "@tocsin";
  }
}
