package io.tocsin.oncall.calendar;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Writes RFC 5545 text: CRLF line ends, lines folded at 75 octets, text values escaped, and a
 * VTIMEZONE that spells out the zone's real transitions, so calendar apps show local times right.
 */
final class IcsWriter {

  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");
  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ABBREVIATION =
      DateTimeFormatter.ofPattern("zzz", Locale.ENGLISH);

  /** An abbreviation such as CEST; Java's stand-ins such as "GMT+03:00" are not worth a TZNAME. */
  private static final Pattern LETTERS = Pattern.compile("[A-Za-z]+");

  /** Control characters other than tab, which RFC 5545 text may not hold. */
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F]");

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

  /**
   * A VTIMEZONE for events within [from, to]: the observance in force at {@code from}, then one
   * dated observance per transition up to {@code to}. Yearly RRULEs from Java's transition rules
   * would cover only zones that have such rules; Africa/Casablanca, whose clocks follow Ramadan,
   * has none, and was once written as a fixed offset an hour off for a month each year.
   */
  IcsWriter timeZone(ZoneId zone, Instant from, Instant to) {
    ZoneRules rules = zone.getRules();
    line("BEGIN:VTIMEZONE");
    line("TZID:" + zone.getId());
    ZoneOffsetTransition transition = rules.previousTransition(from);
    if (transition == null) {
      ZoneOffset offset = rules.getOffset(from);
      observance(zone, from, LocalDateTime.of(1970, 1, 1, 0, 0), offset, offset);
      transition = rules.nextTransition(from);
    }
    while (transition != null && !transition.getInstant().isAfter(to)) {
      observance(
          zone,
          transition.getInstant(),
          transition.getDateTimeBefore(),
          transition.getOffsetBefore(),
          transition.getOffsetAfter());
      transition = rules.nextTransition(transition.getInstant());
    }
    line("END:VTIMEZONE");
    return this;
  }

  /**
   * An observance from {@code onset}, the local time before the change as RFC 5545 wants it;
   * DAYLIGHT where Java's rules say so. For Africa/Casablanca they call +01:00 daylight time and
   * Ramadan's +00:00 standard, where tzdb's main data has it the other way round (negative DST):
   * calendar apps compute with the offsets, which are right either way.
   */
  private void observance(
      ZoneId zone, Instant at, LocalDateTime onset, ZoneOffset before, ZoneOffset after) {
    String part = zone.getRules().isDaylightSavings(at) ? "DAYLIGHT" : "STANDARD";
    line("BEGIN:" + part);
    line("DTSTART:" + LOCAL.format(onset));
    // The onset again, which RFC 5545 allows: ical4j 4.1 finds no change in an observance that has
    // only a DTSTART, and keeps the offset from before it.
    line("RDATE:" + LOCAL.format(onset));
    line("TZOFFSETFROM:" + offset(before));
    line("TZOFFSETTO:" + offset(after));
    String name = ABBREVIATION.format(at.atZone(zone));
    if (LETTERS.matcher(name).matches()) {
      line("TZNAME:" + name);
    }
    line("END:" + part);
  }

  /** An event in the zone's local time ({@code local}) or in UTC. */
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
    LocalDateTime wall = LocalDateTime.ofInstant(at, zone);
    // A local time that the clocks go through twice means the first time (RFC 5545, 3.3.5): the
    // second is written in UTC.
    if (!local || !ZonedDateTime.ofLocal(wall, zone, null).toInstant().equals(at)) {
      return name + ":" + UTC.format(at);
    }
    return name + ";TZID=" + zone.getId() + ":" + LOCAL.format(wall);
  }

  /**
   * An offset as RFC 5545 writes it, with seconds only for the odd historical one that has them.
   */
  private static String offset(ZoneOffset offset) {
    int total = offset.getTotalSeconds();
    int seconds = Math.abs(total);
    String hoursAndMinutes =
        String.format(
            Locale.ROOT, "%s%02d%02d", total < 0 ? "-" : "+", seconds / 3600, seconds / 60 % 60);
    return seconds % 60 == 0
        ? hoursAndMinutes
        : hoursAndMinutes + String.format(Locale.ROOT, "%02d", seconds % 60);
  }

  private static String text(String value) {
    String escaped =
        value
            .replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\r\n", "\\n")
            .replace("\r", "\\n")
            .replace("\n", "\\n");
    return CONTROL.matcher(escaped).replaceAll("");
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
        // The space that starts a continuation line is one of its 75 octets.
        limit = 74;
      }
      line.appendCodePoint(codePoint);
      used += size;
      i += Character.charCount(codePoint);
    }
    out.append(line).append("\r\n");
  }
}
