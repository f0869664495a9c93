package io.tocsin.web;

import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.oncall.Schedules;
import io.tocsin.oncall.Shift;
import io.tocsin.platform.Page;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * {@code /oncall}: who is on call now and next in every schedule, shown in the schedule's time zone
 * and the viewer's, and the viewer's own shifts of the next four weeks.
 */
@Controller
class OnCallPage {

  private static final Duration AHEAD = Duration.ofDays(28);
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE d MMM HH:mm");

  private final Schedules schedules;
  private final UserService users;
  private final Clock clock;

  OnCallPage(Schedules schedules, UserService users, Clock clock) {
    this.schedules = schedules;
    this.users = users;
    this.clock = clock;
  }

  /** A schedule's present and next shift, as the page shows them. */
  record ScheduleRow(
      String name,
      String timeZone,
      @Nullable String now,
      @Nullable String until,
      @Nullable String next,
      @Nullable String nextFrom) {}

  /** One of the viewer's shifts. */
  record MyShift(String schedule, String from, String to) {}

  @GetMapping("/oncall")
  String onCall(Model model) {
    SignedInUser me = SignedInUser.current();
    if (me == null) {
      return "redirect:/login?next=/oncall";
    }
    ZoneId mine = users.get(me.id()).timeZone();
    Instant now = clock.instant();
    List<ScheduleRow> rows = new ArrayList<>();
    for (Schedules.Schedule schedule : schedules.list(null, Page.MAX_LIMIT).items()) {
      ZoneId zone = ZoneId.of(schedule.timeZone());
      List<Shift> shifts = schedules.shifts(schedule.id(), now, now.plus(AHEAD));
      Shift current = shifts.isEmpty() || shifts.get(0).start().isAfter(now) ? null : shifts.get(0);
      Shift following =
          shifts.stream()
              .filter(shift -> current == null || !shift.start().isBefore(current.end()))
              .findFirst()
              .orElse(null);
      rows.add(
          new ScheduleRow(
              schedule.name(),
              schedule.timeZone(),
              current == null ? null : name(current.user()),
              current == null ? null : both(current.end(), zone, mine),
              following == null ? null : name(following.user()),
              following == null ? null : both(following.start(), zone, mine)));
    }
    List<MyShift> myShifts =
        schedules.shiftsOf(me.id(), now, now.plus(AHEAD)).stream()
            .map(
                shift ->
                    new MyShift(
                        shift.scheduleName(),
                        WHEN.format(shift.shift().start().atZone(mine)),
                        WHEN.format(shift.shift().end().atZone(mine))))
            .toList();
    model.addAttribute("me", me);
    model.addAttribute("zone", mine.getId());
    model.addAttribute("schedules", rows);
    model.addAttribute("myShifts", myShifts);
    return "web/oncall";
  }

  /** A moment in the schedule's zone, and in the viewer's when it differs. */
  private static String both(Instant at, ZoneId schedule, ZoneId viewer) {
    String there = WHEN.format(at.atZone(schedule));
    return schedule.equals(viewer)
        ? there
        : there + " (" + WHEN.format(at.atZone(viewer)) + " your time)";
  }

  private String name(UUID id) {
    return users.find(id).map(User::name).orElse("deleted user");
  }
}
