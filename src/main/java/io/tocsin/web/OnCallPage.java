package io.tocsin.web;

import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.oncall.CalendarFeedLinks;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.Schedules;
import io.tocsin.oncall.Shift;
import io.tocsin.platform.Page;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * {@code /oncall}: who is on call now and next in every schedule, shown in the schedule's time zone
 * and the viewer's, the viewer's own shifts of the next four weeks and their calendar feed; and
 * {@code /policies}: the escalation policies, and who each service's policy would page now, level
 * by level, with the gaps.
 */
@Controller
class OnCallPage {

  static final Duration AHEAD = Duration.ofDays(28);
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE d MMM HH:mm");

  private final Schedules schedules;
  private final EscalationPolicies policies;
  private final ServiceCatalog services;
  private final CalendarFeedLinks feeds;
  private final UserService users;
  private final Clock clock;

  OnCallPage(
      Schedules schedules,
      EscalationPolicies policies,
      ServiceCatalog services,
      CalendarFeedLinks feeds,
      UserService users,
      Clock clock) {
    this.schedules = schedules;
    this.policies = policies;
    this.services = services;
    this.feeds = feeds;
    this.users = users;
    this.clock = clock;
  }

  /** A schedule's present and next shift, as the page shows them. */
  record ScheduleRow(
      UUID id,
      String name,
      String timeZone,
      @Nullable String now,
      @Nullable String until,
      @Nullable String next,
      @Nullable String nextFrom) {}

  /** One of the viewer's shifts. */
  record MyShift(UUID scheduleId, String schedule, String from, String to) {}

  /** The shift under way at a moment, if any, and the first one after it. */
  record NowAndNext(@Nullable Shift now, @Nullable Shift next) {

    /** From a schedule's final shifts starting at {@code at}, in order. */
    static NowAndNext of(List<Shift> shifts, Instant at) {
      Shift current = shifts.isEmpty() || shifts.get(0).start().isAfter(at) ? null : shifts.get(0);
      Shift following =
          shifts.stream()
              .filter(shift -> current == null || !shift.start().isBefore(current.end()))
              .findFirst()
              .orElse(null);
      return new NowAndNext(current, following);
    }

    /**
     * When the present shift ends; a shift that reaches {@code horizon}, where the lookup stopped,
     * may go on past it.
     */
    @Nullable String until(Instant horizon, ZoneId schedule, ZoneId viewer) {
      if (now == null) {
        return null;
      }
      return (now.end().isBefore(horizon) ? "until " : "until at least ")
          + both(now.end(), schedule, viewer);
    }
  }

  /** A target of a level: whom it names, and whom it would page now or why nobody. */
  record TargetRow(
      String kind,
      String name,
      @Nullable UUID scheduleId,
      List<String> people,
      @Nullable String problem) {}

  record LevelRow(int level, int delayMinutes, List<TargetRow> targets, boolean gap) {}

  record PolicyRow(
      UUID id,
      String name,
      String description,
      int repeat,
      List<LevelRow> levels,
      List<String> services) {}

  /** Who a service's policy pages now; {@code policy} is null when it has none. */
  record ServiceRow(String name, @Nullable String policy, List<LevelRow> levels, boolean gap) {}

  @GetMapping("/oncall")
  String onCall(@ModelAttribute("zone") ZoneId mine, Model model) {
    SignedInUser me = ConsoleModel.signedIn();
    Instant now = clock.instant();
    Map<UUID, String> names = new HashMap<>();
    List<ScheduleRow> rows = new ArrayList<>();
    for (Schedules.Schedule schedule : schedules.list(null, Page.MAX_LIMIT).items()) {
      ZoneId zone = ZoneId.of(schedule.timeZone());
      Instant horizon = now.plus(AHEAD);
      NowAndNext shifts = NowAndNext.of(schedules.shifts(schedule.id(), now, horizon), now);
      Shift current = shifts.now();
      Shift following = shifts.next();
      rows.add(
          new ScheduleRow(
              schedule.id(),
              schedule.name(),
              schedule.timeZone(),
              current == null ? null : name(current.user(), names),
              shifts.until(horizon, zone, mine),
              following == null ? null : name(following.user(), names),
              following == null ? null : both(following.start(), zone, mine)));
    }
    List<MyShift> myShifts =
        schedules.shiftsOf(me.id(), now, now.plus(AHEAD)).stream()
            .map(
                shift ->
                    new MyShift(
                        shift.scheduleId(),
                        shift.scheduleName(),
                        WHEN.format(shift.shift().start().atZone(mine)),
                        WHEN.format(shift.shift().end().atZone(mine))))
            .toList();
    model.addAttribute("me", me);
    model.addAttribute("schedules", rows);
    model.addAttribute("myShifts", myShifts);
    return "web/oncall";
  }

  /** The API lets every signed-in user make their own feed URL, so the page does too. */
  @PreAuthorize("hasRole('VIEWER')")
  @PostMapping("/oncall/calendar-feed")
  String calendarFeed(RedirectAttributes redirect) {
    SignedInUser me = ConsoleModel.signedIn();
    return Forms.run(
        redirect,
        "/oncall",
        "A new calendar address is ready; the old one no longer works.",
        () ->
            redirect.addFlashAttribute(
                "feedUrl", SchedulePages.absolute(feeds.newUserFeed(me.id()))));
  }

  @GetMapping("/policies")
  String policies(Model model) {
    SignedInUser me = ConsoleModel.signedIn();
    // One resolver for the page: a schedule that several levels and services page is looked up
    // once.
    Function<EscalationPolicies.Target, EscalationPolicies.ResolvedTarget> resolver =
        policies.resolverAt(clock.instant());
    List<CatalogService> catalog = services.list(null, null, Page.MAX_LIMIT).items();
    Map<UUID, UUID> chosen = policies.policiesOfServices();
    Map<UUID, EscalationPolicies.Policy> byId = new HashMap<>();
    Map<UUID, List<LevelRow>> levelsById = new HashMap<>();
    List<PolicyRow> policyRows = new ArrayList<>();
    for (EscalationPolicies.Policy policy : policies.list(null, Page.MAX_LIMIT).items()) {
      List<LevelRow> levels = levels(policy, resolver);
      byId.put(policy.id(), policy);
      levelsById.put(policy.id(), levels);
      policyRows.add(
          new PolicyRow(
              policy.id(),
              policy.name(),
              policy.description(),
              policy.repeat(),
              levels,
              catalog.stream()
                  .filter(service -> policy.id().equals(chosen.get(service.id())))
                  .map(CatalogService::name)
                  .toList()));
    }
    List<ServiceRow> serviceRows = new ArrayList<>();
    for (CatalogService service : catalog) {
      UUID policyId = chosen.get(service.id());
      EscalationPolicies.Policy policy = policyId == null ? null : byId.get(policyId);
      if (policy == null && policyId != null) {
        // Beyond the first page of policies: look it up on its own.
        policy = policies.findById(policyId).orElse(null);
        if (policy != null) {
          levelsById.put(policy.id(), levels(policy, resolver));
        }
      }
      if (policy == null) {
        serviceRows.add(new ServiceRow(service.name(), null, List.of(), true));
      } else {
        List<LevelRow> levels = Objects.requireNonNull(levelsById.get(policy.id()));
        serviceRows.add(
            new ServiceRow(
                service.name(), policy.name(), levels, levels.stream().anyMatch(LevelRow::gap)));
      }
    }
    model.addAttribute("me", me);
    model.addAttribute("policies", policyRows);
    model.addAttribute("services", serviceRows);
    return "web/policies";
  }

  private List<LevelRow> levels(
      EscalationPolicies.Policy policy,
      Function<EscalationPolicies.Target, EscalationPolicies.ResolvedTarget> resolver) {
    return policies.levelsNow(policy, resolver).stream()
        .map(
            level -> {
              List<TargetRow> targets =
                  level.targets().stream()
                      .map(
                          target ->
                              new TargetRow(
                                  target.type() == EscalationPolicies.TargetType.USER
                                      ? "person"
                                      : "schedule",
                                  target.name(),
                                  target.type() == EscalationPolicies.TargetType.SCHEDULE
                                      ? target.id()
                                      : null,
                                  target.people().stream().map(User::name).toList(),
                                  target.problem()))
                      .toList();
              return new LevelRow(
                  level.level(),
                  level.delayMinutes(),
                  targets,
                  targets.stream().allMatch(target -> target.people().isEmpty()));
            })
        .toList();
  }

  /** A moment in the schedule's zone, and in the viewer's when it differs. */
  static String both(Instant at, ZoneId schedule, ZoneId viewer) {
    String there = WHEN.format(at.atZone(schedule));
    return schedule.equals(viewer)
        ? there
        : there + " (" + WHEN.format(at.atZone(viewer)) + " your time)";
  }

  private String name(UUID id, Map<UUID, String> names) {
    return names.computeIfAbsent(id, key -> Names.user(users, key));
  }
}
