package io.tocsin.oncall;

import java.util.UUID;

/**
 * Secret iCalendar feed addresses, for the console to hand out: whoever has one reads the feed, as
 * calendar apps need, so a new address for the same schedule or person retires the old one.
 */
public interface CalendarFeedLinks {

  /** The path (from the context root) of a new feed of the schedule's final shifts. */
  String newScheduleFeed(UUID scheduleId);

  /** The path (from the context root) of a new feed of the person's shifts in every schedule. */
  String newUserFeed(UUID userId);
}
