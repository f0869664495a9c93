package io.tocsin.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class TimeBoundsTests {

  @Test
  void anApiTimeIsRefusedOutside1970To9999NamingTheField() {
    assertThat(TimeBounds.require("at", Instant.EPOCH)).isEqualTo(Instant.EPOCH);
    assertThat(TimeBounds.require("at", TimeBounds.LATEST)).isEqualTo(TimeBounds.LATEST);
    assertThatThrownBy(() -> TimeBounds.require("endsAt", Instant.parse("+10000-01-01T00:00:00Z")))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("endsAt"))
        .hasMessageContaining("9999-12-31T23:59:59Z");
    assertThatThrownBy(() -> TimeBounds.require("start", Instant.EPOCH.minusNanos(1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("1970-01-01T00:00:00Z");
  }

  @Test
  void aSendersTimeBefore1970MeansNotGivenButAfter9999IsRefused() {
    assertThat(TimeBounds.sent("startsAt", Instant.parse("0001-01-01T00:00:00Z"))).isNull();
    assertThat(TimeBounds.sent("startsAt", Instant.MIN)).isNull();
    assertThatThrownBy(() -> TimeBounds.sent("endsAt", Instant.MAX))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("endsAt"));
  }

  @Test
  void aScheduleStartIsBoundedAsAWallClockTime() {
    assertThatThrownBy(
            () ->
                TimeBounds.require(
                    "layers[0].start", LocalDateTime.parse("-999999999-01-01T00:00")))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("layers[0].start"))
        .hasMessageContaining("1970-01-01T00:00");
    LocalDateTime start = LocalDateTime.parse("2026-06-01T09:00");
    assertThat(TimeBounds.require("layers[0].start", start)).isEqualTo(start);
  }
}
