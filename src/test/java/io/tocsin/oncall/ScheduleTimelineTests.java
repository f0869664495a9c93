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
    List<Shift> shifts =
        weekly(BERLIN, "2026-03-16T09:00")
            .shifts(at(BERLIN, "2026-03-16T09:00"), at(BERLIN, "2026-04-06T09:00"));

    assertThat(shifts).extracting(Shift::user).containsExactly(ALICE, BOB, ALICE);
    assertThat(shifts)
        .allSatisfy(
            s -> assertThat(local(BERLIN, s.start()).toLocalTime()).isEqualTo(LocalTime.of(9, 0)));
    assertThat(Duration.between(shifts.get(1).start(), shifts.get(1).end()))
        .as("the week of the change is an hour short")
        .isEqualTo(Duration.ofHours(167));
    assertThat(shifts.get(2).start()).isEqualTo(Instant.parse("2026-03-30T07:00:00Z"));
  }

  @Test
  void aWeeklyNineOClockHandoffStaysAtNineAcrossFallBackInBerlin() {
    List<Shift> shifts =
        weekly(BERLIN, "2026-10-19T09:00")
            .shifts(at(BERLIN, "2026-10-19T09:00"), at(BERLIN, "2026-11-02T09:00"));

    assertThat(shifts).extracting(Shift::user).containsExactly(ALICE, BOB);
    assertThat(Duration.between(shifts.get(0).start(), shifts.get(0).end()))
        .as("the week of the change is an hour long")
        .isEqualTo(Duration.ofHours(169));
    assertThat(shifts.get(1).start()).isEqualTo(Instant.parse("2026-10-26T08:00:00Z"));
  }

  @Test
  void aWeeklyNineOClockHandoffStaysAtNineAcrossBothTransitionsInNewYork() {
    List<Shift> spring =
        weekly(NEW_YORK, "2026-03-02T09:00")
            .shifts(at(NEW_YORK, "2026-03-02T09:00"), at(NEW_YORK, "2026-03-16T09:00"));
    assertThat(Duration.between(spring.get(0).start(), spring.get(0).end()))
        .isEqualTo(Duration.ofHours(167));
    assertThat(spring.get(1).start()).isEqualTo(Instant.parse("2026-03-09T13:00:00Z"));

    List<Shift> fall =
        weekly(NEW_YORK, "2026-10-26T09:00")
            .shifts(at(NEW_YORK, "2026-10-26T09:00"), at(NEW_YORK, "2026-11-09T09:00"));
    assertThat(Duration.between(fall.get(0).start(), fall.get(0).end()))
        .isEqualTo(Duration.ofHours(169));
    assertThat(fall.get(1).start()).isEqualTo(Instant.parse("2026-11-02T14:00:00Z"));
    assertThat(fall)
        .allSatisfy(
            s ->
                assertThat(local(NEW_YORK, s.start()).toLocalTime()).isEqualTo(LocalTime.of(9, 0)));
  }

  @Test
  void aRestrictionWindowThatATransitionCutsIsShorterOrLongerInRealTime() {
    Rotation nights =
        new Rotation(
            "nights",
            List.of(ALICE),
            new Length(1, Length.Unit.DAYS),
            LocalDateTime.parse("2026-03-01T00:00"),
            List.of(
                new Window(
                    EnumSet.allOf(DayOfWeek.class), LocalTime.of(1, 0), LocalTime.of(4, 0))));
    ScheduleTimeline timeline = new ScheduleTimeline(BERLIN, List.of(nights), List.of());

    List<Shift> spring =
        timeline.shifts(at(BERLIN, "2026-03-29T00:00"), at(BERLIN, "2026-03-29T12:00"));
    assertThat(spring).hasSize(1);
    assertThat(Duration.between(spring.get(0).start(), spring.get(0).end()))
        .isEqualTo(Duration.ofHours(2));

    List<Shift> fall =
        timeline.shifts(at(BERLIN, "2026-10-25T00:00"), at(BERLIN, "2026-10-25T12:00"));
    assertThat(Duration.between(fall.get(0).start(), fall.get(0).end()))
        .isEqualTo(Duration.ofHours(4));
  }

  @Test
  void anOverrideAcrossAHandoffWinsForItsWholeSpanAndTheRotationResumesAfter() {
    Rotation daily =
        new Rotation(
            "primary",
            List.of(ALICE, BOB),
            new Length(1, Length.Unit.DAYS),
            LocalDateTime.parse("2026-06-01T09:00"),
            List.of());
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
    Rotation everyone =
        new Rotation(
            "24/7",
            List.of(ALICE),
            new Length(1, Length.Unit.WEEKS),
            LocalDateTime.parse("2026-06-01T00:00"),
            List.of());
    Rotation office =
        new Rotation(
            "office hours",
            List.of(BOB),
            new Length(1, Length.Unit.WEEKS),
            LocalDateTime.parse("2026-06-01T00:00"),
            List.of(
                new Window(
                    EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
                    LocalTime.of(9, 0),
                    LocalTime.of(17, 0))));
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
    assertThatThrownBy(
            () ->
                new Rotation(
                    "primary",
                    List.of(),
                    new Length(1, Length.Unit.DAYS),
                    LocalDateTime.parse("2026-06-01T09:00"),
                    List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("layer 'primary' needs at least one member");
    assertThatThrownBy(() -> new Length(0, Length.Unit.WEEKS))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at least 1 weeks");
    Rotation daily =
        new Rotation(
            "primary",
            List.of(ALICE),
            new Length(1, Length.Unit.DAYS),
            LocalDateTime.parse("2026-06-01T09:00"),
            List.of());
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
    Rotation rotation =
        new Rotation(
            "primary",
            List.of(ALICE, BOB),
            new Length(1, Length.Unit.WEEKS),
            LocalDateTime.parse(start),
            List.of());
    return new ScheduleTimeline(zone, List.of(rotation), List.of());
  }

  private static Instant at(ZoneId zone, String local) {
    return ZonedDateTime.of(LocalDateTime.parse(local), zone).toInstant();
  }

  private static LocalDateTime local(ZoneId zone, Instant instant) {
    return LocalDateTime.ofInstant(instant, zone);
  }
}
