package io.tocsin.oncall.calendar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.data.ParserException;
import org.junit.jupiter.api.Test;

class IcsWriterTests {

  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

  /** A feed's window in January 2027: Morocco's Ramadan and every spring change. */
  private static final Instant FROM = Instant.parse("2027-01-06T00:00:00Z");

  private static final Instant TO = Instant.parse("2027-04-20T00:00:00Z");

  @Test
  void casablancasRamadanChangesAreDatedObservancesWithTheOffsetsOfJavasRules() {
    String ics = timeZone("Africa/Casablanca", FROM, TO);
    assertThat(ics)
        .as("in force at the start: +01:00 since the end of Ramadan 2026")
        .contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20260322T020000\r\nRDATE:20260322T020000\r\nTZOFFSETFROM:+0000\r\n"
                + "TZOFFSETTO:+0100\r\n")
        .contains(
            "BEGIN:STANDARD\r\nDTSTART:20270207T030000\r\nRDATE:20270207T030000\r\nTZOFFSETFROM:+0100\r\n"
                + "TZOFFSETTO:+0000\r\n")
        .contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20270314T020000\r\nRDATE:20270314T020000\r\nTZOFFSETFROM:+0000\r\n"
                + "TZOFFSETTO:+0100\r\n")
        .doesNotContain("RRULE");
    assertThat(ics.split("BEGIN:STANDARD|BEGIN:DAYLIGHT", -1)).hasSize(4);
  }

  @Test
  void lordHowesHalfHourChangeIsAnObservanceOfItsOwn() {
    assertThat(timeZone("Australia/Lord_Howe", FROM, TO))
        .contains(
            "BEGIN:STANDARD\r\nDTSTART:20270404T020000\r\nRDATE:20270404T020000\r\nTZOFFSETFROM:+1100\r\n"
                + "TZOFFSETTO:+1030\r\n");
  }

  @Test
  void aZoneWithoutTransitionsHasOneStandardObservance() {
    assertThat(timeZone("UTC", FROM, TO))
        .contains(
            "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nRDATE:19700101T000000\r\nTZOFFSETFROM:+0000\r\n")
        .containsOnlyOnce("BEGIN:STANDARD")
        .doesNotContain("DAYLIGHT");
    assertThat(timeZone("Asia/Kolkata", FROM, TO))
        .contains("TZOFFSETTO:+0530\r\n")
        .containsOnlyOnce("BEGIN:STANDARD")
        .doesNotContain("DAYLIGHT");
  }

  /**
   * Every zone Java knows, read back by ical4j from the VTIMEZONE alone: its offsets at each
   * transition, a second either side of it, and the window's ends are Java's.
   */
  @Test
  void anIndependentParserGetsJavasOffsetsInEveryZoneFromTheVTimeZoneAlone()
      throws IOException, ParserException {
    List<String> wrong = new ArrayList<>();
    for (String id : new TreeSet<>(ZoneId.getAvailableZoneIds())) {
      if (id.startsWith("ical4j~")) {
        // Zones that ical4j registered with Java for the calendars this JVM parsed before.
        continue;
      }
      ZoneRules java = ZoneId.of(id).getRules();
      for (Instant from : List.of(FROM, Instant.parse("2027-07-01T00:00:00Z"))) {
        Instant to = from.plusSeconds(104L * 24 * 3600);
        CalendarBuilder builder = new CalendarBuilder();
        builder.build(
            new StringReader(
                new IcsWriter().begin("x", id).timeZone(ZoneId.of(id), from, to).end()));
        ZoneRules parsed = builder.getRegistry().getZoneId(id).getRules();
        List<Instant> checked = new ArrayList<>(List.of(from, to));
        for (ZoneOffsetTransition change = java.nextTransition(from);
            change != null && change.getInstant().isBefore(to);
            change = java.nextTransition(change.getInstant())) {
          checked.add(change.getInstant().minusSeconds(1));
          checked.add(change.getInstant());
        }
        for (Instant at : checked) {
          if (!parsed.getOffset(at).equals(java.getOffset(at))) {
            wrong.add(
                id + " at " + at + ": " + parsed.getOffset(at) + ", not " + java.getOffset(at));
          }
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void theSecondTimeAClockGoesThroughALocalTimeIsWrittenInUtc() {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    String ics =
        new IcsWriter()
            .begin("x", "Europe/Berlin")
            .event(
                "u",
                NOW,
                Instant.parse("2026-10-25T00:30:00Z"),
                Instant.parse("2026-10-25T01:30:00Z"),
                berlin,
                true,
                "02:30 summer time, then 02:30 winter time",
                "")
            .end();
    assertThat(ics)
        .contains("DTSTART;TZID=Europe/Berlin:20261025T023000\r\n")
        .contains("DTEND:20261025T013000Z\r\n");
  }

  @Test
  void longLinesAreFoldedAtSeventyFiveOctetsAndTextIsEscaped() {
    String summary = "On call: Zoë, the über-responder; " + "x".repeat(120);
    String ics =
        new IcsWriter()
            .begin("x", "UTC")
            .event(
                "u",
                NOW,
                NOW,
                NOW.plusSeconds(3600),
                ZoneOffset.UTC,
                false,
                summary,
                "line one\nline two\rline three\u0007")
            .end();
    for (String line : ics.split("\r\n")) {
      assertThat(line.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(75);
    }
    String unfolded = ics.replace("\r\n ", "");
    assertThat(unfolded)
        .contains("SUMMARY:On call: Zoë\\, the über-responder\\; " + "x".repeat(120))
        .contains("DESCRIPTION:line one\\nline two\\nline three\r\n")
        .contains("DTSTART:20261130T120000Z");
  }

  private static String timeZone(String zone, Instant from, Instant to) {
    return new IcsWriter().begin("x", zone).timeZone(ZoneId.of(zone), from, to).end();
  }
}
