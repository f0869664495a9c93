package io.tocsin.oncall;

import io.tocsin.platform.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A schedule's final answer: its layers (lowest first) computed in its zone, the higher layers
 * winning where they have someone, and overrides winning over all layers. Pure: the same inputs
 * give the same shifts on every node.
 */
public final class ScheduleTimeline {

  private final ZoneId zone;
  private final List<Rotation> layers;
  private final List<ShiftOverride> overrides;
  private final Duration reach;

  public ScheduleTimeline(ZoneId zone, List<Rotation> layers, List<ShiftOverride> overrides) {
    if (layers.isEmpty()) {
      throw new InvalidInputException("layers", "a schedule needs at least one layer");
    }
    this.zone = zone;
    this.layers = List.copyOf(layers);
    List<ShiftOverride> sorted = new ArrayList<>(overrides);
    sorted.sort(Comparator.comparing(ShiftOverride::start));
    for (int i = 1; i < sorted.size(); i++) {
      ShiftOverride before = sorted.get(i - 1);
      ShiftOverride after = sorted.get(i);
      if (after.start().isBefore(before.end())) {
        throw new InvalidInputException(
            "overrides",
            "the override of "
                + after.user()
                + " from "
                + after.start()
                + " overlaps the one of "
                + before.user()
                + " until "
                + before.end());
      }
    }
    this.overrides = List.copyOf(sorted);
    this.reach = reach(this.layers);
  }

  /** How far either side of an instant {@link #at} looks: one turn of the longest layer. */
  public static Duration reach(List<Rotation> layers) {
    return Duration.ofHours(layers.stream().mapToLong(l -> l.length().maxHours()).max().orElse(1));
  }

  /** The final shifts that overlap [from, to), cut to it, merged where one person continues. */
  public List<Shift> shifts(Instant from, Instant to) {
    if (!to.isAfter(from)) {
      return List.of();
    }
    List<List<Shift>> pieces = new ArrayList<>();
    TreeSet<Instant> bounds = new TreeSet<>(List.of(from, to));
    for (Rotation layer : layers) {
      List<Shift> layerPieces = layerShifts(layer, from, to);
      pieces.add(layerPieces);
      layerPieces.forEach(p -> bounds.addAll(List.of(p.start(), p.end())));
    }
    List<ShiftOverride> inRange =
        overrides.stream().filter(o -> o.end().isAfter(from) && o.start().isBefore(to)).toList();
    for (ShiftOverride o : inRange) {
      bounds.add(max(o.start(), from));
      bounds.add(min(o.end(), to));
    }
    List<Shift> result = new ArrayList<>();
    Instant start = null;
    for (Instant end : bounds) {
      if (start != null) {
        Shift winner = winner(start, end, pieces, inRange);
        if (winner != null) {
          Shift last = result.isEmpty() ? null : result.get(result.size() - 1);
          if (last != null
              && last.end().equals(start)
              && last.user().equals(winner.user())
              && last.source().equals(winner.source())) {
            result.set(result.size() - 1, new Shift(last.user(), last.start(), end, last.source()));
          } else {
            result.add(winner);
          }
        }
      }
      start = end;
    }
    return result;
  }

  /**
   * Each layer's own turns that overlap [from, to), lowest layer first, as they are before higher
   * layers and overrides take over: what a timeline draws under the final row.
   */
  public List<List<Shift>> layers(Instant from, Instant to) {
    if (!to.isAfter(from)) {
      return layers.stream().map(layer -> List.<Shift>of()).toList();
    }
    return layers.stream().map(layer -> layerShifts(layer, from, to)).toList();
  }

  /**
   * Who is on call at {@code at}, with the extent of their shift as far as one rotation length of
   * the longest layer either side.
   */
  public Optional<Shift> at(Instant at) {
    return shifts(at.minus(reach), at.plus(reach)).stream()
        .filter(s -> !s.start().isAfter(at) && s.end().isAfter(at))
        .findFirst();
  }

  private @Nullable Shift winner(
      Instant start, Instant end, List<List<Shift>> pieces, List<ShiftOverride> inRange) {
    for (int i = inRange.size() - 1; i >= 0; i--) {
      ShiftOverride o = inRange.get(i);
      if (!o.start().isAfter(start) && o.end().isAfter(start)) {
        return new Shift(o.user(), start, end, "override");
      }
    }
    for (int layer = pieces.size() - 1; layer >= 0; layer--) {
      for (Shift piece : pieces.get(layer)) {
        if (!piece.start().isAfter(start) && piece.end().isAfter(start)) {
          return new Shift(piece.user(), start, end, piece.source());
        }
      }
    }
    return null;
  }

  /** The layer's turns that overlap [from, to), cut to it and to the layer's restrictions. */
  private List<Shift> layerShifts(Rotation layer, Instant from, Instant to) {
    Instant first = instant(layer.start());
    if (!to.isAfter(first)) {
      return List.of();
    }
    // A turn lasts at most maxHours, so this many turns have surely ended before `from`.
    long hours = Duration.between(first, max(from, first)).toHours();
    long turn = Math.max(0, hours / layer.length().maxHours() - 1);
    List<Shift> shifts = new ArrayList<>();
    while (true) {
      Instant start = instant(layer.length().after(layer.start(), turn));
      if (!start.isBefore(to)) {
        return shifts;
      }
      Instant end = instant(layer.length().after(layer.start(), turn + 1));
      if (end.isAfter(from)) {
        Shift turnShift =
            new Shift(
                layer.members().get((int) (turn % layer.members().size())),
                max(start, from),
                min(end, to),
                layer.name());
        shifts.addAll(restricted(turnShift, layer));
      }
      turn++;
    }
  }

  private List<Shift> restricted(Shift shift, Rotation layer) {
    if (layer.restrictions().isEmpty()) {
      return List.of(shift);
    }
    List<Shift> inside = new ArrayList<>();
    LocalDate day = local(shift.start()).toLocalDate().minusDays(1);
    LocalDate last = local(shift.end()).toLocalDate();
    for (; !day.isAfter(last); day = day.plusDays(1)) {
      for (Rotation.Window window : layer.restrictions()) {
        if (!window.days().contains(day.getDayOfWeek())) {
          continue;
        }
        Instant opens = instant(day.atTime(window.from()));
        Instant closes =
            window.to().isAfter(window.from())
                ? instant(day.atTime(window.to()))
                : instant(day.plusDays(1).atTime(window.to()));
        Instant start = max(opens, shift.start());
        Instant end = min(closes, shift.end());
        if (end.isAfter(start)) {
          inside.add(new Shift(shift.user(), start, end, shift.source()));
        }
      }
    }
    return inside;
  }

  /** A local time in the schedule's zone; one that a spring-forward gap skips moves past it. */
  private Instant instant(LocalDateTime local) {
    return ZonedDateTime.ofLocal(local, zone, null).toInstant();
  }

  private LocalDateTime local(Instant instant) {
    return LocalDateTime.ofInstant(instant, zone);
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
