package io.tocsin.web;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Instants as the pages show them: in the viewer's zone, to the minute, with the zone's short name,
 * so that a responder reading at 3 a.m. never converts from UTC in their head. Templates call it as
 * {@code ${@times.at(instant, zone)}}; {@code zone} is in every page's model.
 */
@Component("times")
class Times {

  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT);
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT);

  public String at(@Nullable Instant instant, ZoneId zone) {
    return instant == null ? "" : MINUTE.format(instant.atZone(zone));
  }

  public String day(@Nullable Instant instant, ZoneId zone) {
    return instant == null ? "" : DAY.format(instant.atZone(zone));
  }

  /** The machine-readable value of a {@code <time datetime>} attribute. */
  public String iso(@Nullable Instant instant) {
    return instant == null ? "" : instant.toString();
  }
}
