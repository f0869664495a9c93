package io.tocsin.oncall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.oncall.Rotation.Length;
import io.tocsin.oncall.Rotation.Window;
import io.tocsin.platform.InvalidInputException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ScheduleTimelineTests {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final UUID ALICE = UUID.fromString("00000000-0000-0000-0000-00000000000a");
  private static final UUID BOB = UUID.fromString("00000000-0000-0000-0000-00000000000b");
  private static final UUID XAVIER = UUID.fromString("00000000-0000-0000-0000-0000000000cc");

  @Test
  void aWeeklyNineOClockHandoffStaysAtNineAcrossSpringForwardInBerlin() {
    List<Shift> shifts = weeklyShifts(BERLIN, "2026-03-16T09:00", "2026-04-06T09:00");

    assertThat(shifts).extracting(Shift::user).containsExactly(ALICE, BOB, ALICE);
    assertThat(shifts)
        .allSatisfy(
            s -> assertThat(local(BERLIN, s.start()).toLocalTime()).isEqualTo(LocalTime.of(9, 0)));
    assertThat(lasts(shifts.get(1)))
        .as("the week of the change is an hour short")
        .isEqualTo(Duration.ofHours(167));
    assertThat(shifts.get(2).start()).isEqualTo(Instant.parse("2026-03-30T07:00:00Z"));
  }

  @Test
  void aWeeklyNineOClockHandoffStaysAtNineAcrossFallBackInBerlin() {
    List<Shift> shifts = weeklyShifts(BERLIN, "2026-10-19T09:00", "2026-11-02T09:00");

    assertThat(shifts).extracting(Shift::user).containsExactly(ALICE, BOB);
    assertThat(lasts(shifts.get(0)))
        .as("the week of the change is an hour long")
        .isEqualTo(Duration.ofHours(169));
    assertThat(shifts.get(1).start()).isEqualTo(Instant.parse("2026-10-26T08:00:00Z"));
  }

  @Test
  void aWeeklyNineOClockHandoffStaysAtNineAcrossBothTransitionsInNewYork() {
    List<Shift> spring = weeklyShifts(NEW_YORK, "2026-03-02T09:00", "2026-03-16T09:00");
    assertThat(lasts(spring.get(0))).isEqualTo(Duration.ofHours(167));
    assertThat(spring.get(1).start()).isEqualTo(Instant.parse("2026-03-09T13:00:00Z"));

    List<Shift> fall = weeklyShifts(NEW_YORK, "2026-10-26T09:00", "2026-11-09T09:00");
    assertThat(lasts(fall.get(0))).isEqualTo(Duration.ofHours(169));
    assertThat(fall.get(1).start()).isEqualTo(Instant.parse("2026-11-02T14:00:00Z"));
    assertThat(fall)
        .allSatisfy(
            s ->
                assertThat(local(NEW_YORK, s.start()).toLocalTime()).isEqualTo(LocalTime.of(9, 0)));
  }

  @Test
  void aRestrictionWindowThatATransitionCutsIsShorterOrLongerInRealTime() {
    Rotation nights =
        rotation(
            "nights",
            Length.Unit.DAYS,
            "2026-03-01T00:00",
            List.of(
                new Window(EnumSet.allOf(DayOfWeek.class), LocalTime.of(1, 0), LocalTime.of(4, 0))),
            ALICE);
    ScheduleTimeline timeline = new ScheduleTimeline(BERLIN, List.of(nights), List.of());

    List<Shift> spring =
        timeline.shifts(at(BERLIN, "2026-03-29T00:00"), at(BERLIN, "2026-03-29T12:00"));
    assertThat(spring).hasSize(1);
    assertThat(lasts(spring.get(0))).isEqualTo(Duration.ofHours(2));

    List<Shift> fall =
        timeline.shifts(at(BERLIN, "2026-10-25T00:00"), at(BERLIN, "2026-10-25T12:00"));
    assertThat(lasts(fall.get(0))).isEqualTo(Duration.ofHours(4));
  }

  @Test
  void anOverrideAcrossAHandoffWinsForItsWholeSpanAndTheRotationResumesAfter() {
    Rotation daily =
        rotation("primary", Length.Unit.DAYS, "2026-06-01T09:00", List.of(), ALICE, BOB);
    ShiftOverride cover =
        new ShiftOverride(XAVIER, at(BERLIN, "2026-06-01T20:00"), at(BERLIN, "2026-06-02T12:00"));
    List<Shift> shifts =
        new ScheduleTimeline(BERLIN, List.of(daily), List.of(cover))
            .shifts(at(BERLIN, "2026-06-01T09:00"), at(BERLIN, "2026-06-03T09:00"));

    assertThat(shifts)
        .containsExactly(
            new Shift(
                ALICE, at(BERLIN, "2026-06-01T09:00"), at(BERLIN, "2026-06-01T20:00"), "primary"),
            new Shift(
                XAVIER, at(BERLIN, "2026-06-01T20:00"), at(BERLIN, "2026-06-02T12:00"), "override"),
            new Shift(
                BOB, at(BERLIN, "2026-06-02T12:00"), at(BERLIN, "2026-06-03T09:00"), "primary"));
  }

  @Test
  void aHigherLayerWinsInsideItsWindowAndTheLowerOneCoversTheRest() {
    Rotation everyone = rotation("24/7", Length.Unit.WEEKS, "2026-06-01T00:00", List.of(), ALICE);
    Rotation office =
        rotation(
            "office hours",
            Length.Unit.WEEKS,
            "2026-06-01T00:00",
            List.of(
                new Window(
                    EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
                    LocalTime.of(9, 0),
                    LocalTime.of(17, 0))),
            BOB);
    ScheduleTimeline timeline = new ScheduleTimeline(BERLIN, List.of(everyone, office), List.of());

    Shift monday = timeline.at(at(BERLIN, "2026-06-01T10:00")).orElseThrow();
    assertThat(monday.user()).isEqualTo(BOB);
    assertThat(monday.source()).isEqualTo("office hours");
    assertThat(monday.start()).isEqualTo(at(BERLIN, "2026-06-01T09:00"));
    assertThat(monday.end()).isEqualTo(at(BERLIN, "2026-06-01T17:00"));
    assertThat(timeline.at(at(BERLIN, "2026-06-06T10:00")).orElseThrow().user())
        .as("Saturday falls to the 24/7 layer")
        .isEqualTo(ALICE);
    assertThat(timeline.shifts(at(BERLIN, "2026-06-01T00:00"), at(BERLIN, "2026-06-02T00:00")))
        .extracting(Shift::user)
        .containsExactly(ALICE, BOB, ALICE);
  }

  @Test
  void nobodyIsOnCallBeforeTheFirstLayerStarts() {
    ScheduleTimeline timeline = weekly(BERLIN, "2026-06-01T09:00");
    assertThat(timeline.at(at(BERLIN, "2026-05-31T12:00"))).isEmpty();
    assertThat(timeline.shifts(at(BERLIN, "2026-05-30T00:00"), at(BERLIN, "2026-06-01T10:00")))
        .extracting(Shift::start)
        .containsExactly(at(BERLIN, "2026-06-01T09:00"));
  }

  @Test
  void invalidSchedulesAreRefusedWithAPreciseMessage() {
    assertThatThrownBy(() -> rotation("primary", Length.Unit.DAYS, "2026-06-01T09:00", List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("layer 'primary' needs at least one member");
    assertThatThrownBy(() -> new Length(0, Length.Unit.WEEKS))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at least 1 weeks");
    Rotation daily = rotation("primary", Length.Unit.DAYS, "2026-06-01T09:00", List.of(), ALICE);
    ShiftOverride first =
        new ShiftOverride(BOB, at(BERLIN, "2026-06-02T09:00"), at(BERLIN, "2026-06-02T18:00"));
    ShiftOverride second =
        new ShiftOverride(XAVIER, at(BERLIN, "2026-06-02T17:00"), at(BERLIN, "2026-06-02T20:00"));
    assertThatThrownBy(() -> new ScheduleTimeline(BERLIN, List.of(daily), List.of(second, first)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("overlaps the one of " + BOB);
    assertThatThrownBy(
            () ->
                new ShiftOverride(
                    BOB, at(BERLIN, "2026-06-02T09:00"), at(BERLIN, "2026-06-02T09:00")))
        .isInstanceOf(InvalidInputException.class);
  }

  private static ScheduleTimeline weekly(ZoneId zone, String start) {
    Rotation rotation = rotation("primary", Length.Unit.WEEKS, start, List.of(), ALICE, BOB);
    return new ScheduleTimeline(zone, List.of(rotation), List.of());
  }

  /** Alice and Bob taking turns weekly from {@code from}, as shifts until {@code to}. */
  private static List<Shift> weeklyShifts(ZoneId zone, String from, String to) {
    return weekly(zone, from).shifts(at(zone, from), at(zone, to));
  }

  /** A layer whose members take turns of one {@code unit} each from {@code start}. */
  private static Rotation rotation(
      String name, Length.Unit unit, String start, List<Window> windows, UUID... members) {
    return new Rotation(
        name, List.of(members), new Length(1, unit), LocalDateTime.parse(start), windows);
  }

  private static Duration lasts(Shift shift) {
    return Duration.between(shift.start(), shift.end());
  }

  private static Instant at(ZoneId zone, String local) {
    return ZonedDateTime.of(LocalDateTime.parse(local), zone).toInstant();
  }

  private static LocalDateTime local(ZoneId zone, Instant instant) {
    return LocalDateTime.ofInstant(instant, zone);
  }
}
