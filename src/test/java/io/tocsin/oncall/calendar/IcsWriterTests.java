package io.tocsin.oncall.calendar;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class IcsWriterTests {

  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

  @Test
  void newYorksRulesBecomeTheSecondSundayOfMarchAndTheFirstOfNovember() {
    String ics =
        new IcsWriter()
            .begin("x", "America/New_York")
            .timeZone(ZoneId.of("America/New_York"), NOW)
            .end();
    assertThat(ics)
        .contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU")
        .contains("RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU")
        .contains("TZOFFSETFROM:-0500\\r\\nTZOFFSETTO:-0400".replace("\\r\\n", "\r\n"))
        .contains("DTSTART:19700308T020000");
  }

  @Test
  void aZoneWithoutDaylightSavingHasOneStandardPart() {
    String ics =
        new IcsWriter().begin("x", "Asia/Tokyo").timeZone(ZoneId.of("Asia/Tokyo"), NOW).end();
    assertThat(ics).contains("TZOFFSETTO:+0900").doesNotContain("DAYLIGHT");
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
                "line one\nline two")
            .end();
    for (String line : ics.split("\r\n")) {
      assertThat(line.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(75);
    }
    String unfolded = ics.replace("\r\n ", "");
    assertThat(unfolded)
        .contains("SUMMARY:On call: Zoë\\, the über-responder\\; " + "x".repeat(120))
        .contains("DESCRIPTION:line one\\nline two")
        .contains("DTSTART:20261130T120000Z");
  }
}
