package io.tocsin.oncall.calendar;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.Api;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestClock;
import io.tocsin.testing.TestDatabase;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.data.ParserException;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.TimeZoneRegistry;
import net.fortuna.ical4j.model.component.VEvent;
import net.fortuna.ical4j.model.property.DateProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import tools.jackson.databind.JsonNode;

/**
 * Schedule feeds as an independent parser, ical4j, reads them through nothing but the feed's own
 * VTIMEZONE: every event is one of the API's shifts, to the second, in zones whose clocks change in
 * the ways tzdb knows — Morocco's suspension for Ramadan, Lord Howe's half hour.
 */
// PostgreSQL only: the classes still on H2 send each of its statements there (.ci/sql-coverage).
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class CalendarFeedIntegrationTests extends HarnessTests {

  /** Mid-January 2027: the feed reaches every zone's spring change and Morocco's Ramadan. */
  private static final Instant NOW = Instant.parse("2027-01-20T10:00:00Z");

  private static final TestClock CLOCK = new TestClock(NOW);

  private static String alice;
  private static String bob;

  /** The test's clock in place of the system's; a harness source, not a scanned configuration. */
  static class ClockConfiguration {
    @Bean
    @Primary
    Clock testClock() {
      return CLOCK;
    }
  }

  /** An event as the parser resolves it. */
  record Event(String uid, Instant start, Instant end, String summary) {}

  @Override
  protected Class<?>[] sources() {
    return new Class<?>[] {ClockConfiguration.class};
  }

  @Override
  protected void seed() {
    alice = api.user("Alice");
    bob = api.user("Bob");
  }

  // After each test, not before: Tocsin starts, too, at the same time on both databases.
  @AfterEach
  void backToTheSameTime() {
    CLOCK.advance(Duration.between(CLOCK.instant(), NOW));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Africa/Casablanca"})
  void everyEventIsAShiftOfTheApiAsTheFeedsOwnTimeZoneResolvesIt(String zoneId)
      throws IOException, ParserException {
    ZoneId zone = ZoneId.of(zoneId);
    String schedule = dailyAtHalfPastTwo(zoneId);
    Instant from = startOfDay(NOW.minus(Duration.ofDays(14)), zone);
    Instant to = startOfDay(NOW.plus(Duration.ofDays(90)), zone);
    // An override from the second time a repeated local time comes round, where there is one.
    for (ZoneOffsetTransition change = zone.getRules().nextTransition(from);
        change.getInstant().isBefore(to);
        change = zone.getRules().nextTransition(change.getInstant())) {
      if (change.isOverlap()) {
        Instant start = change.getInstant().plus(Duration.ofMinutes(15));
        api.create(
            "/api/v1/schedules/" + schedule + "/overrides",
            "{\"userId\":\"%s\",\"start\":\"%s\",\"end\":\"%s\"}"
                .formatted(bob, start, start.plus(Duration.ofHours(3))));
      }
    }

    List<Event> events = events(tocsin.get(feed(schedule)).body(), zone);

    JsonNode shifts =
        api.get("/api/v1/schedules/" + schedule + "/shifts?from=" + from + "&to=" + to)
            .get("items");
    List<String> expected = new ArrayList<>();
    for (JsonNode shift : shifts) {
      expected.add(
          shift.get("start").asString()
              + " to "
              + shift.get("end").asString()
              + ": On call: "
              + shift.get("user").get("name").asString()
              + " ("
              + shift.get("source").asString()
              + ")");
    }
    assertThat(events.stream().map(e -> e.start() + " to " + e.end() + ": " + e.summary()))
        .as("the feed's events in %s, as ical4j reads them, against the API's shifts", zoneId)
        .containsExactlyElementsOf(expected);
  }

  @Test
  void casablancasClocksGoingBackForRamadanAndForwardAfterItIn2027MoveNoShift()
      throws IOException, ParserException {
    ZoneId casablanca = ZoneId.of("Africa/Casablanca");
    List<Instant> starts =
        events(tocsin.get(feed(dailyAtHalfPastTwo("Africa/Casablanca"))).body(), casablanca)
            .stream()
            .map(Event::start)
            .toList();

    // 02:30 in Casablanca: +01:00 for most of the year, +00:00 from 7 February (03:00 becomes
    // 02:00; the first 02:30 counts) to 14 March 2027 (02:00 becomes 03:00, so 03:30).
    assertThat(starts)
        .as("handoffs around Morocco's 2027 changes, as ical4j reads them from the feed")
        .contains(
            Instant.parse("2027-02-06T01:30:00Z"),
            Instant.parse("2027-02-07T01:30:00Z"),
            Instant.parse("2027-02-08T02:30:00Z"),
            Instant.parse("2027-02-20T02:30:00Z"),
            Instant.parse("2027-03-13T02:30:00Z"),
            Instant.parse("2027-03-14T02:30:00Z"),
            Instant.parse("2027-03-15T01:30:00Z"));
  }

  @Test
  void twoFetchesOnOneDayListTheSameEventsUnderTheSameUids() throws IOException, ParserException {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    String path = feed(dailyAtHalfPastTwo("Europe/Berlin"));
    List<Event> first = events(tocsin.get(path).body(), berlin);
    CLOCK.advance(Duration.ofHours(3).plusMinutes(17).plusSeconds(5));
    List<Event> second = events(tocsin.get(path).body(), berlin);

    assertThat(second.get(0)).as("the first event").isEqualTo(first.get(0));
    assertThat(second).as("every event, in order").containsExactlyElementsOf(first);
  }

  /** A feed covers whole days in its zone, from two weeks back to three months ahead. */
  private static Instant startOfDay(Instant at, ZoneId zone) {
    return at.atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
  }

  /** A schedule in {@code zone}: Alice and Bob take turns each day at 02:30, from 2026. */
  private static String dailyAtHalfPastTwo(String zone) {
    return api.create(
            "/api/v1/schedules",
            """
            {"name":"%s","timeZone":"%s","layers":[{"name":"daily",
             "members":["%s","%s"],"rotation":{"count":1,"unit":"days"},
             "start":"2026-12-01T02:30","restrictions":[]}]}
            """
                .formatted(Api.unique("daily"), zone, alice, bob))
        .get("id")
        .asString();
  }

  /** The path of the schedule's feed; the feed itself needs no credentials. */
  private static String feed(String schedule) {
    return URI.create(
            api.create("/api/v1/schedules/" + schedule + "/calendar-feed", null)
                .get("url")
                .asString())
        .getPath();
  }

  /** The feed's events, parsed by ical4j, whose dates are checked to come from the feed's zone. */
  private static List<Event> events(String ics, ZoneId zone) throws IOException, ParserException {
    CalendarBuilder builder = new CalendarBuilder();
    List<VEvent> parsed = builder.build(new StringReader(ics)).getComponents(Component.VEVENT);
    List<Event> events = new ArrayList<>();
    for (VEvent event : parsed) {
      events.add(
          new Event(
              event.getUid().orElseThrow().getValue(),
              instant(event.getStartDate().orElseThrow(), zone, builder.getRegistry()),
              instant(event.getEndDate().orElseThrow(), zone, builder.getRegistry()),
              event.getSummary().getValue()));
    }
    return events;
  }

  /**
   * The instant ical4j makes of a date: through the rules it built from the feed's VTIMEZONE (its
   * zone ids start with "ical4j~"), never through its own or Java's copy of tzdb. A time written in
   * UTC is only right where a local time would name the wrong one of two equal wall times.
   */
  private static Instant instant(DateProperty<?> date, ZoneId zone, TimeZoneRegistry registry) {
    Temporal value = date.getDate();
    Instant instant = Instant.from(value);
    if (value instanceof ZonedDateTime local && !local.getZone().equals(ZoneOffset.UTC)) {
      assertThat(local.getZone().getId()).as("the zone behind " + date).startsWith("ical4j~");
      assertThat(registry.getTzId(local.getZone().getId())).isEqualTo(zone.getId());
    } else {
      LocalDateTime wall = LocalDateTime.ofInstant(instant, zone);
      assertThat(ZonedDateTime.ofLocal(wall, zone, null).toInstant())
          .as(date + " is in UTC though its local time is unambiguous")
          .isNotEqualTo(instant);
    }
    return instant;
  }
}
