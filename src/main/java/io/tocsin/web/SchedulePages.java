package io.tocsin.web;

import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.UserService;
import io.tocsin.oncall.CalendarFeedLinks;
import io.tocsin.oncall.Schedules;
import io.tocsin.oncall.Shift;
import io.tocsin.platform.Page;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * {@code /schedules/{id}}: a schedule as a timeline over a window of 7 or 14 days — one row per
 * layer, one for the overrides and the final row of who is actually on call — with the final shifts
 * as a table too, who is on call now and next, its calendar feed, and overrides to add (by form, or
 * by dragging across the final row) and delete.
 *
 * <p>The timeline is server-rendered SVG: the console's Content-Security-Policy allows no inline
 * styles, and SVG places blocks by attributes, so the page needs no script to draw it.
 */
@Controller
class SchedulePages {

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE d MMM HH:mm");
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE d");
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("d");
  private static final List<Integer> SPANS = List.of(7, 14);

  /** Enough colours that neighbouring people rarely share one. */
  private static final int COLOURS = 6;

  private final Schedules schedules;
  private final CalendarFeedLinks feeds;
  private final UserService users;
  private final Clock clock;

  SchedulePages(Schedules schedules, CalendarFeedLinks feeds, UserService users, Clock clock) {
    this.schedules = schedules;
    this.feeds = feeds;
    this.users = users;
    this.clock = clock;
  }

  /** A block of a timeline row; {@code x} and {@code width} are percentages of the window. */
  record Block(String person, String x, String width, String when, int colour) {}

  /** A labelled row of the timeline; {@code summary} is its text for screen readers. */
  record Track(String id, String label, List<Block> blocks, String summary) {}

  /** A day boundary on the axis, in the viewer's zone; one too near the end goes unlabelled. */
  record Tick(@Nullable String label, String x) {}

  /** A final shift as the table lists it, in the schedule's zone and the viewer's. */
  record ShiftRow(
      String person,
      String from,
      String to,
      @Nullable String yourFrom,
      @Nullable String yourTo,
      String source) {}

  record OverrideRow(UUID id, String person, String from, String to, String by) {}

  @GetMapping("/schedules/{id}")
  String schedule(
      @PathVariable UUID id,
      @RequestParam(required = false) @Nullable String from,
      @RequestParam(required = false) @Nullable Integer days,
      @ModelAttribute("zone") ZoneId mine,
      Model model) {
    SignedInUser me = ConsoleModel.signedIn();
    Instant now = clock.instant();
    int span = span(days);
    Instant start = windowStart(from, now);
    Instant end = start.plus(Duration.ofDays(span));
    Schedules.Breakdown breakdown = schedules.breakdown(id, start, end);
    Schedules.Schedule schedule = breakdown.schedule();
    ZoneId zone = ZoneId.of(schedule.timeZone());
    Map<UUID, String> names = new HashMap<>();
    Map<UUID, Integer> colours = new LinkedHashMap<>();
    Window window = new Window(start, end, zone, mine);

    List<Track> tracks = layerTracks(breakdown, window, names, colours);
    tracks.add(
        track(
            "overrides",
            "Overrides",
            breakdown.overrides().stream()
                .map(o -> new Shift(o.userId(), o.start(), o.end(), "override"))
                .toList(),
            window,
            names,
            colours));
    tracks.add(track("final", "Final: who is on call", breakdown.shifts(), window, names, colours));

    Instant horizon = now.plus(OnCallPage.AHEAD);
    OnCallPage.NowAndNext nowAndNext =
        OnCallPage.NowAndNext.of(schedules.shifts(id, now, horizon), now);

    model.addAttribute("me", me);
    model.addAttribute("schedule", schedule);
    model.addAttribute("scheduleZone", zone.getId());
    model.addAttribute("yourZone", mine.getId());
    model.addAttribute("sameZone", zone.equals(mine));
    model.addAttribute("tracks", tracks);
    model.addAttribute("ticks", ticks(window, span));
    boolean nowShown = !now.isBefore(start) && now.isBefore(end);
    model.addAttribute("nowX", nowShown ? window.percent(now) : null);
    // The label must not fall off either edge of the axis.
    double nowAt =
        (double) Duration.between(start, now).toMillis()
            / (end.toEpochMilli() - start.toEpochMilli());
    model.addAttribute("nowAnchor", nowAt < .03 ? "start" : nowAt > .97 ? "end" : "middle");
    model.addAttribute(
        "shifts",
        breakdown.shifts().stream()
            .map(
                s ->
                    new ShiftRow(
                        name(s.user(), names),
                        WHEN.format(s.start().atZone(zone)),
                        WHEN.format(s.end().atZone(zone)),
                        zone.equals(mine) ? null : WHEN.format(s.start().atZone(mine)),
                        zone.equals(mine) ? null : WHEN.format(s.end().atZone(mine)),
                        s.source()))
            .toList());
    model.addAttribute(
        "overrides",
        breakdown.overrides().stream()
            .map(
                o ->
                    new OverrideRow(
                        o.id(),
                        name(o.userId(), names),
                        OnCallPage.both(o.start(), zone, mine),
                        OnCallPage.both(o.end(), zone, mine),
                        o.createdBy()))
            .toList());
    Shift current = nowAndNext.now();
    Shift next = nowAndNext.next();
    model.addAttribute("onCallNow", current == null ? null : name(current.user(), names));
    model.addAttribute("until", nowAndNext.until(horizon, zone, mine));
    model.addAttribute("onCallNext", next == null ? null : name(next.user(), names));
    model.addAttribute("nextFrom", next == null ? null : OnCallPage.both(next.start(), zone, mine));
    model.addAttribute(
        "windowLabel",
        WHEN.format(start.atZone(mine))
            + " to "
            + WHEN.format(end.atZone(mine))
            + " ("
            + mine.getId()
            + ")");
    model.addAttribute("days", span);
    model.addAttribute("from", start.toString());
    model.addAttribute("fromMillis", start.toEpochMilli());
    model.addAttribute("toMillis", end.toEpochMilli());
    model.addAttribute("earlier", start.minus(Duration.ofDays(span)).toString());
    model.addAttribute("later", end.toString());
    model.addAttribute("spans", SPANS);
    model.addAttribute("people", users.list(null, null, Page.MAX_LIMIT).items());
    return "web/schedule";
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/schedules/{id}/overrides")
  String addOverride(
      @PathVariable UUID id,
      @RequestParam(required = false) @Nullable UUID userId,
      @RequestParam(required = false) @Nullable String start,
      @RequestParam(required = false) @Nullable String end,
      @RequestParam(required = false) @Nullable String from,
      @RequestParam(required = false) @Nullable Integer days,
      @ModelAttribute("zone") ZoneId mine,
      RedirectAttributes redirect) {
    SignedInUser me = ConsoleModel.signedIn();
    String back = back(id, from, days);
    return Forms.run(
        redirect,
        back,
        "The override is in place.",
        () ->
            schedules.addOverride(
                id,
                userId,
                Forms.localTime("start", start, mine),
                Forms.localTime("end", end, mine),
                me.email()));
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/schedules/{id}/overrides/{overrideId}/delete")
  String deleteOverride(
      @PathVariable UUID id,
      @PathVariable UUID overrideId,
      @RequestParam(required = false) @Nullable String from,
      @RequestParam(required = false) @Nullable Integer days,
      RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        back(id, from, days),
        "The override is gone.",
        () -> schedules.deleteOverride(id, overrideId));
  }

  /** The API lets every viewer make a schedule's feed URL, so the page does too. */
  @PreAuthorize("hasRole('VIEWER')")
  @PostMapping("/schedules/{id}/calendar-feed")
  String calendarFeed(
      @PathVariable UUID id,
      @RequestParam(required = false) @Nullable String from,
      @RequestParam(required = false) @Nullable Integer days,
      RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        back(id, from, days),
        "A new calendar address is ready; the old one no longer works.",
        () -> redirect.addFlashAttribute("feedUrl", absolute(feeds.newScheduleFeed(id))));
  }

  /**
   * The timeline of {@code breakdown} over {@code days} from {@code start}, its layers and final
   * shifts drawn as this page draws them: the schedule editor's preview ({@code schedule ::
   * timeline}).
   */
  /** One track per layer, in the schedule's order; a list the caller adds the final track to. */
  private List<Track> layerTracks(
      Schedules.Breakdown breakdown,
      Window window,
      Map<UUID, String> names,
      Map<UUID, Integer> colours) {
    List<Track> tracks = new ArrayList<>();
    for (int i = 0; i < breakdown.layers().size(); i++) {
      tracks.add(
          track(
              "layer-" + (i + 1),
              "Layer: " + breakdown.schedule().layers().get(i).name(),
              breakdown.layers().get(i),
              window,
              names,
              colours));
    }
    return tracks;
  }

  void timeline(Schedules.Breakdown breakdown, Instant start, int days, ZoneId mine, Model model) {
    Schedules.Schedule schedule = breakdown.schedule();
    Window window =
        new Window(start, start.plus(Duration.ofDays(days)), ZoneId.of(schedule.timeZone()), mine);
    Map<UUID, String> names = new HashMap<>();
    Map<UUID, Integer> colours = new LinkedHashMap<>();
    List<Track> tracks = layerTracks(breakdown, window, names, colours);
    tracks.add(track("final", "Final: who is on call", breakdown.shifts(), window, names, colours));
    model.addAttribute("tracks", tracks);
    model.addAttribute("ticks", ticks(window, days));
    model.addAttribute("nowX", null);
    model.addAttribute("nowAnchor", "middle");
    model.addAttribute("fromMillis", window.start().toEpochMilli());
    model.addAttribute("toMillis", window.end().toEpochMilli());
    model.addAttribute("yourZone", mine.getId());
  }

  static String absolute(String path) {
    return ServletUriComponentsBuilder.fromCurrentContextPath().path(path).toUriString();
  }

  /** The window's bounds and zones, and where an instant falls in it. */
  private record Window(Instant start, Instant end, ZoneId zone, ZoneId viewer) {

    String percent(Instant at) {
      double whole = Duration.between(start, end).toMillis();
      double part = Duration.between(start, at).toMillis();
      return String.format(Locale.ROOT, "%.3f", Math.max(0, Math.min(100, part * 100 / whole)));
    }

    String width(Instant from, Instant to) {
      double whole = Duration.between(start, end).toMillis();
      Instant a = from.isBefore(start) ? start : from;
      Instant b = to.isAfter(end) ? end : to;
      return String.format(Locale.ROOT, "%.3f", Duration.between(a, b).toMillis() * 100 / whole);
    }

    String when(Instant from, Instant to) {
      String there = WHEN.format(from.atZone(zone)) + " to " + WHEN.format(to.atZone(zone));
      return zone.equals(viewer)
          ? there + " " + zone.getId()
          : there
              + " "
              + zone.getId()
              + " ("
              + WHEN.format(from.atZone(viewer))
              + " to "
              + WHEN.format(to.atZone(viewer))
              + " your time)";
    }
  }

  private Track track(
      String id,
      String label,
      List<Shift> shifts,
      Window window,
      Map<UUID, String> names,
      Map<UUID, Integer> colours) {
    List<Block> blocks = new ArrayList<>();
    List<String> said = new ArrayList<>();
    for (Shift shift : shifts) {
      if (!shift.end().isAfter(window.start()) || !shift.start().isBefore(window.end())) {
        continue;
      }
      String person = name(shift.user(), names);
      String when = window.when(shift.start(), shift.end());
      blocks.add(
          new Block(
              person,
              window.percent(shift.start()),
              window.width(shift.start(), shift.end()),
              when,
              colours.computeIfAbsent(shift.user(), user -> colours.size() % COLOURS)));
      said.add(person + ", " + when);
    }
    String summary =
        label + ": " + (said.isEmpty() ? "nobody in this window" : String.join("; ", said));
    return new Track(id, label, blocks, summary);
  }

  /** Midnights in the viewer's zone, each labelled with its day. */
  private static List<Tick> ticks(Window window, int span) {
    List<Tick> ticks = new ArrayList<>();
    LocalDate day = window.start().atZone(window.viewer()).toLocalDate().plusDays(1);
    while (true) {
      Instant midnight = day.atStartOfDay(window.viewer()).toInstant();
      if (!midnight.isBefore(window.end())) {
        return ticks;
      }
      ticks.add(
          new Tick((span > 7 ? DATE : DAY).format(day.atStartOfDay()), window.percent(midnight)));
      day = day.plusDays(1);
    }
  }

  private static int span(@Nullable Integer days) {
    return days != null && SPANS.contains(days) ? days : SPANS.get(0);
  }

  /** The window starts where the URL says, or at the start of the current hour. */
  private static Instant windowStart(@Nullable String from, Instant now) {
    if (from != null && !from.isBlank()) {
      try {
        return Instant.parse(from).truncatedTo(ChronoUnit.MINUTES);
      } catch (DateTimeParseException e) {
        // A mangled link shows the present window rather than an error page.
      }
    }
    return now.truncatedTo(ChronoUnit.HOURS);
  }

  private static String back(UUID id, @Nullable String from, @Nullable Integer days) {
    String query = "?days=" + span(days);
    if (from != null && !from.isBlank()) {
      try {
        query += "&from=" + Instant.parse(from);
      } catch (DateTimeParseException e) {
        // Back to the present window, as the page itself would show.
      }
    }
    return "/schedules/" + id + query;
  }

  private String name(UUID id, Map<UUID, String> names) {
    return names.computeIfAbsent(id, key -> Names.user(users, key));
  }
}
