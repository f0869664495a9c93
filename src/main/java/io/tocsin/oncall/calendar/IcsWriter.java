package io.tocsin.oncall.calendar;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneOffsetTransitionRule;
import java.time.zone.ZoneRules;
import java.util.Locale;

/**
 * Writes RFC 5545 text: CRLF line ends, lines folded at 75 octets, text values escaped, and a
 * VTIMEZONE built from Java's rules for the zone, so calendar apps show local times right.
 */
final class IcsWriter {

  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");
  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final StringBuilder out = new StringBuilder();

  IcsWriter begin(String name, String wrTimeZone) {
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Tocsin//On-call//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line("X-WR-CALNAME:" + text(name));
    line("X-WR-TIMEZONE:" + wrTimeZone);
    return this;
  }

  /** A VTIMEZONE for the zone's current rules (or its current fixed offset). */
  IcsWriter timeZone(ZoneId zone, Instant now) {
    ZoneRules rules = zone.getRules();
    line("BEGIN:VTIMEZONE");
    line("TZID:" + zone.getId());
    if (rules.getTransitionRules().isEmpty()) {
      ZoneOffset offset = rules.getOffset(now);
      line("BEGIN:STANDARD");
      line("DTSTART:19700101T000000");
      line("TZOFFSETFROM:" + offset(offset));
      line("TZOFFSETTO:" + offset(offset));
      line("END:STANDARD");
    }
    for (ZoneOffsetTransitionRule rule : rules.getTransitionRules()) {
      ZoneOffsetTransition first = rule.createTransition(1970);
      String part =
          rule.getOffsetAfter().equals(rule.getStandardOffset()) ? "STANDARD" : "DAYLIGHT";
      line("BEGIN:" + part);
      line("DTSTART:" + LOCAL.format(first.getDateTimeBefore()));
      line("RRULE:FREQ=YEARLY;BYMONTH=" + rule.getMonth().getValue() + ";" + byDay(rule));
      line("TZOFFSETFROM:" + offset(rule.getOffsetBefore()));
      line("TZOFFSETTO:" + offset(rule.getOffsetAfter()));
      line("END:" + part);
    }
    line("END:VTIMEZONE");
    return this;
  }

  /** An event in the zone's local time ({@code zone} non-null) or in UTC. */
  IcsWriter event(
      String uid,
      Instant stamp,
      Instant start,
      Instant end,
      ZoneId zone,
      boolean local,
      String summary,
      String description) {
    line("BEGIN:VEVENT");
    line("UID:" + uid);
    line("DTSTAMP:" + UTC.format(stamp));
    line(time("DTSTART", start, zone, local));
    line(time("DTEND", end, zone, local));
    line("SUMMARY:" + text(summary));
    line("DESCRIPTION:" + text(description));
    line("TRANSP:OPAQUE");
    line("END:VEVENT");
    return this;
  }

  String end() {
    line("END:VCALENDAR");
    return out.toString();
  }

  private static String time(String name, Instant at, ZoneId zone, boolean local) {
    return local
        ? name + ";TZID=" + zone.getId() + ":" + LOCAL.format(LocalDateTime.ofInstant(at, zone))
        : name + ":" + UTC.format(at);
  }

  /** The rule's day as RRULE parts: "last Sunday" is -1SU, "second Sunday" 2SU. */
  private static String byDay(ZoneOffsetTransitionRule rule) {
    int indicator = rule.getDayOfMonthIndicator();
    if (rule.getDayOfWeek() == null) {
      return "BYMONTHDAY=" + indicator;
    }
    String day = rule.getDayOfWeek().name().substring(0, 2);
    Month month = rule.getMonth();
    if (indicator < 0 || indicator + 6 >= month.length(false)) {
      return "BYDAY=-1" + day;
    }
    if ((indicator - 1) % 7 == 0) {
      return "BYDAY=" + ((indicator - 1) / 7 + 1) + day;
    }
    StringBuilder days = new StringBuilder("BYMONTHDAY=");
    for (int d = indicator; d < indicator + 7; d++) {
      days.append(d == indicator ? "" : ",").append(d);
    }
    return days + ";BYDAY=" + day;
  }

  private static String offset(ZoneOffset offset) {
    int seconds = offset.getTotalSeconds();
    int minutes = Math.abs(seconds) / 60;
    return String.format(
        Locale.ROOT, "%s%02d%02d", seconds < 0 ? "-" : "+", minutes / 60, minutes % 60);
  }

  private static String text(String value) {
    return value
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n");
  }

  /** Appends a content line, folded so that no line is longer than 75 octets. */
  private void line(String content) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= 75) {
      out.append(content).append("\r\n");
      return;
    }
    int limit = 75;
    int used = 0;
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < content.length(); ) {
      int codePoint = content.codePointAt(i);
      int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
      if (used + size > limit) {
        out.append(line).append("\r\n ");
        line.setLength(0);
        used = 0;
        limit = 74;
      }
      line.appendCodePoint(codePoint);
      used += size;
      i += Character.charCount(codePoint);
    }
    out.append(line).append("\r\n");
  }
}
