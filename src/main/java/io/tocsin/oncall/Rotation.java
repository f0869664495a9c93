package io.tocsin.oncall;

import io.tocsin.platform.InvalidInputException;
import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One layer of a schedule: its members take turns, each for {@code length}, from {@code start} (a
 * local date and handoff time in the schedule's zone). Lengths count in local time, so a weekly
 * 09:00 handoff stays at 09:00 when the clocks change and that week is an hour shorter or longer.
 * With restrictions, the layer only has someone inside their windows.
 */
public record Rotation(
    String name,
    List<UUID> members,
    Length length,
    LocalDateTime start,
    List<Window> restrictions) {

  public Rotation {
    if (members.isEmpty()) {
      throw new InvalidInputException("members", "layer '" + name + "' needs at least one member");
    }
    members = List.copyOf(members);
    restrictions = List.copyOf(restrictions);
  }

  /** A rotation length in local time. */
  public record Length(int count, Unit unit) {

    public enum Unit {
      HOURS,
      DAYS,
      WEEKS
    }

    public Length {
      if (count < 1) {
        throw new InvalidInputException(
            "length", "must be at least 1 " + unit.name().toLowerCase(java.util.Locale.ROOT));
      }
    }

    LocalDateTime after(LocalDateTime start, long turns) {
      switch (unit) {
        case HOURS:
          return start.plusHours(turns * count);
        case DAYS:
          return start.plusDays(turns * count);
        default:
          return start.plusWeeks(turns * count);
      }
    }

    /** At most this many hours, whatever the clocks do. */
    long maxHours() {
      switch (unit) {
        case HOURS:
          return count + 1L;
        case DAYS:
          return count * 24L + 1;
        default:
          return count * 7L * 24 + 1;
      }
    }
  }

  /**
   * A window on each of {@code days}, from {@code from} to {@code to} local time; a window whose
   * end is not after its start runs past midnight into the next day.
   */
  public record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to) {

    public Window {
      if (days.isEmpty()) {
        throw new InvalidInputException("restrictions", "a window needs at least one day");
      }
      days = Set.copyOf(days);
    }
  }
}
