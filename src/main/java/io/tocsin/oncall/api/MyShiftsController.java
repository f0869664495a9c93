package io.tocsin.oncall.api;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.directory.SignedInUser;
import io.tocsin.oncall.Schedules;
import io.tocsin.platform.InvalidInputException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/me/shifts}: when the signed-in user is on call, in every schedule. */
@RestController
class MyShiftsController {

  private static final Duration MAX_SPAN = Duration.ofDays(366);

  private final Schedules schedules;
  private final Clock clock;

  MyShiftsController(Schedules schedules, Clock clock) {
    this.schedules = schedules;
    this.clock = clock;
  }

  record MyShifts(Instant from, Instant to, List<Schedules.UserShift> items) {}

  @Operation(
      summary = "The signed-in user's shifts in every schedule",
      description = "from defaults to now, to to 28 days after from; at most 366 days.")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/api/v1/me/shifts")
  MyShifts myShifts(
      @RequestParam(required = false) @Nullable Instant from,
      @RequestParam(required = false) @Nullable Instant to) {
    SignedInUser me = SignedInUser.current();
    if (me == null) {
      throw new InvalidInputException("user", "only a signed-in user has shifts");
    }
    Instant start = from == null ? clock.instant() : from;
    Instant end = to == null ? start.plus(Duration.ofDays(28)) : to;
    if (!end.isAfter(start) || Duration.between(start, end).compareTo(MAX_SPAN) > 0) {
      throw new InvalidInputException("to", "must be after from, by at most 366 days");
    }
    return new MyShifts(start, end, schedules.shiftsOf(me.id(), start, end));
  }
}
