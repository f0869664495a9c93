package io.tocsin.web;

import io.tocsin.directory.UserService;
import io.tocsin.oncall.Schedules;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Page;
import io.tocsin.platform.UnknownValueException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * {@code /schedules/new} and {@code /schedules/{id}/edit}: a schedule made and edited from the
 * console (name, time zone, layers with their members in order, first handoff, shift length and the
 * windows they are on call in), through the same module API and rules as {@code /api/v1/schedules}.
 * The form works without JavaScript (the layers it has and an empty one, each with empty member
 * slots and an empty window); with htmx, the next two weeks' shifts are drawn again as it is typed,
 * by the schedule page's own timeline.
 */
@Controller
class ScheduleEditor {

  /** Empty member slots under a layer's members, so one is added without JavaScript. */
  private static final int BLANK_MEMBERS = 2;

  private static final int PREVIEW_DAYS = 14;

  private static final Pattern LAYER_FIELD = Pattern.compile("^layers\\[(\\d+)\\]");

  private static final Pattern WINDOW_FIELD =
      Pattern.compile("^\\.restrictions\\[(\\d+)\\](?:\\.(\\w+))?");

  // Business hours are the usual window; the times do nothing until a day is ticked.
  private static final WindowRow BLANK_WINDOW = new WindowRow(List.of(), "09:00", "17:00");

  private static final List<Day> DAYS =
      Arrays.stream(DayOfWeek.values())
          .map(
              day ->
                  new Day(EnumText.canonical(day), day.getDisplayName(TextStyle.SHORT, Locale.UK)))
          .toList();

  private final Schedules schedules;
  private final SchedulePages pages;
  private final UserService users;
  private final Clock clock;

  ScheduleEditor(Schedules schedules, SchedulePages pages, UserService users, Clock clock) {
    this.schedules = schedules;
    this.pages = pages;
    this.users = users;
    this.clock = clock;
  }

  /**
   * A layer as the form shows it; {@code members} are user ids in turn order, {@code windows} the
   * only times it has someone on call (none: all the time).
   */
  record LayerRow(
      String name,
      String start,
      String count,
      String unit,
      List<String> members,
      List<WindowRow> windows) {}

  /** A restriction window: {@code days} as the API spells them ("monday"), local times. */
  record WindowRow(List<String> days, String from, String to) {}

  /** A day's checkbox: its value and its label. */
  record Day(String value, String label) {}

  /** The form as typed, or the schedule as stored. */
  record ScheduleForm(String name, String description, String timeZone, List<LayerRow> layers) {}

  /** A person a layer may take turns with. */
  record Person(String id, String name) {}

  @GetMapping("/schedules/new")
  String create(@ModelAttribute("zone") ZoneId mine, Model model) {
    if (!model.containsAttribute("form")) {
      model.addAttribute("form", new ScheduleForm("", "", mine.getId(), List.of()));
    }
    return form(null, mine, model);
  }

  @GetMapping("/schedules/{id}/edit")
  String edit(@PathVariable UUID id, @ModelAttribute("zone") ZoneId mine, Model model) {
    Schedules.Schedule schedule = schedules.get(id);
    if (!model.containsAttribute("form")) {
      List<LayerRow> layers = new ArrayList<>();
      for (Schedules.Layer layer : schedule.layers()) {
        Schedules.Length length = Objects.requireNonNull(layer.rotation());
        layers.add(
            new LayerRow(
                Objects.requireNonNullElse(layer.name(), ""),
                Objects.requireNonNullElse(layer.start(), ""),
                String.valueOf(length.count()),
                Objects.requireNonNullElse(length.unit(), "weeks"),
                Objects.requireNonNullElse(layer.members(), List.<UUID>of()).stream()
                    .map(UUID::toString)
                    .toList(),
                Objects.requireNonNullElse(layer.restrictions(), List.<Schedules.Restriction>of())
                    .stream()
                    .map(
                        r ->
                            new WindowRow(
                                Objects.requireNonNullElse(r.days(), List.<String>of()),
                                Objects.requireNonNullElse(r.from(), ""),
                                Objects.requireNonNullElse(r.to(), "")))
                    .toList()));
      }
      model.addAttribute(
          "form",
          new ScheduleForm(schedule.name(), schedule.description(), schedule.timeZone(), layers));
    }
    return form(id, mine, model);
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/schedules")
  String created(@RequestParam MultiValueMap<String, String> form, RedirectAttributes redirect) {
    ScheduleForm typed = read(form);
    try {
      Schedules.Schedule schedule = schedules.create(input(typed));
      redirect.addFlashAttribute("notice", "Created the schedule " + schedule.name() + ".");
      return "redirect:/schedules/" + schedule.id();
    } catch (InvalidInputException | UnknownValueException | ConflictException e) {
      refuse(redirect, typed, e);
      return "redirect:/schedules/new";
    }
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/schedules/{id}/edit")
  String saved(
      @PathVariable UUID id,
      @RequestParam MultiValueMap<String, String> form,
      RedirectAttributes redirect) {
    ScheduleForm typed = read(form);
    try {
      Schedules.Schedule schedule = schedules.replace(id, input(typed));
      redirect.addFlashAttribute("notice", "Saved the schedule " + schedule.name() + ".");
      return "redirect:/schedules/" + id;
    } catch (InvalidInputException | UnknownValueException | ConflictException e) {
      refuse(redirect, typed, e);
      return "redirect:/schedules/" + id + "/edit";
    }
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/schedules/{id}/delete")
  String delete(@PathVariable UUID id, RedirectAttributes redirect) {
    String name = schedules.get(id).name();
    return Forms.delete(
        redirect,
        "/oncall",
        "/schedules/" + id + "/edit#delete",
        "Deleted the schedule " + name + ".",
        () -> schedules.delete(id));
  }

  /** The next two weeks of the schedule as typed, or what it still lacks; writes nothing. */
  @PreAuthorize("hasRole('VIEWER')")
  @PostMapping("/schedules/preview")
  String preview(
      @RequestParam MultiValueMap<String, String> form,
      @ModelAttribute("zone") ZoneId mine,
      Model model) {
    preview(read(form), mine, model);
    return "web/schedule-edit :: preview";
  }

  private void preview(ScheduleForm form, ZoneId mine, Model model) {
    Instant start = clock.instant().truncatedTo(ChronoUnit.HOURS);
    try {
      // The shifts do not depend on the name: the preview does not wait for one.
      ScheduleForm named =
          form.name().isBlank()
              ? new ScheduleForm("preview", form.description(), form.timeZone(), form.layers())
              : form;
      Schedules.Breakdown breakdown =
          schedules.preview(
              input(named), start, start.plus(java.time.Duration.ofDays(PREVIEW_DAYS)));
      pages.timeline(breakdown, start, PREVIEW_DAYS, mine, model);
      model.addAttribute("previewProblem", null);
    } catch (InvalidInputException | UnknownValueException e) {
      model.addAttribute("previewProblem", "The preview waits for: " + words(e) + ".");
    }
  }

  private String form(@Nullable UUID id, ZoneId mine, Model model) {
    ScheduleForm form = (ScheduleForm) Objects.requireNonNull(model.getAttribute("form"));
    List<LayerRow> rows = new ArrayList<>();
    for (LayerRow layer : form.layers()) {
      List<String> slots = new ArrayList<>(layer.members());
      for (int i = 0; i < BLANK_MEMBERS; i++) {
        slots.add("");
      }
      List<WindowRow> windows = new ArrayList<>(layer.windows());
      windows.add(BLANK_WINDOW);
      rows.add(
          new LayerRow(layer.name(), layer.start(), layer.count(), layer.unit(), slots, windows));
    }
    // Midnight today has always passed: a new layer has somebody on call at once.
    String today = LocalDate.now(clock.withZone(mine)).atStartOfDay().toString();
    rows.add(new LayerRow("", today, "1", "weeks", List.of("", "", ""), List.of(BLANK_WINDOW)));
    model.addAttribute("rows", rows);
    model.addAttribute("days", DAYS);
    model.addAttribute("scheduleId", id);
    model.addAttribute(
        "people",
        users.list(null, null, Page.MAX_LIMIT).items().stream()
            .map(user -> new Person(user.id().toString(), user.name()))
            .toList());
    model.addAttribute("zones", ZoneId.getAvailableZoneIds().stream().sorted().toList());
    model.addAttribute("units", List.of("hours", "days", "weeks"));
    preview(form, mine, model);
    return "web/schedule-edit";
  }

  /**
   * The form's layers in order; a layer with no member chosen is dropped, and so is a window with
   * no day ticked.
   */
  private static ScheduleForm read(MultiValueMap<String, String> form) {
    List<LayerRow> layers = new ArrayList<>();
    for (int row = 0; form.containsKey("layer" + row + "Start"); row++) {
      List<String> members =
          form.getOrDefault("layer" + row + "Member", List.of()).stream()
              .filter(member -> !member.isBlank())
              .toList();
      if (!members.isEmpty()) {
        layers.add(
            new LayerRow(
                value(form, "layer" + row + "Name"),
                value(form, "layer" + row + "Start"),
                value(form, "layer" + row + "Count"),
                value(form, "layer" + row + "Unit"),
                members,
                windows(form, "layer" + row + "Window")));
      }
    }
    return new ScheduleForm(
        value(form, "name"), value(form, "description"), value(form, "timeZone"), layers);
  }

  private static List<WindowRow> windows(MultiValueMap<String, String> form, String prefix) {
    List<WindowRow> windows = new ArrayList<>();
    for (int w = 0; form.containsKey(prefix + w + "From"); w++) {
      List<String> days =
          form.getOrDefault(prefix + w + "Day", List.of()).stream()
              .filter(day -> !day.isBlank())
              .toList();
      if (!days.isEmpty()) {
        windows.add(
            new WindowRow(days, value(form, prefix + w + "From"), value(form, prefix + w + "To")));
      }
    }
    return windows;
  }

  private static String value(MultiValueMap<String, String> form, String name) {
    return Objects.requireNonNullElse(form.getFirst(name), "").trim();
  }

  /** The input the module checks. */
  private static Schedules.ScheduleInput input(ScheduleForm form) {
    List<Schedules.Layer> layers = new ArrayList<>();
    for (int i = 0; i < form.layers().size(); i++) {
      LayerRow row = form.layers().get(i);
      List<UUID> members = new ArrayList<>();
      for (int m = 0; m < row.members().size(); m++) {
        try {
          members.add(UUID.fromString(row.members().get(m)));
        } catch (IllegalArgumentException e) {
          throw new InvalidInputException("layers[" + i + "].members[" + m + "]", "is not a user");
        }
      }
      Integer count;
      try {
        count = Integer.valueOf(row.count());
      } catch (NumberFormatException e) {
        throw new InvalidInputException(
            "layers[" + i + "].rotation.count", "must be a whole number");
      }
      List<Schedules.Restriction> restrictions =
          row.windows().stream()
              .map(w -> new Schedules.Restriction(w.days(), w.from(), w.to()))
              .toList();
      layers.add(
          new Schedules.Layer(
              row.name(),
              members,
              new Schedules.Length(count, row.unit()),
              row.start(),
              restrictions));
    }
    return new Schedules.ScheduleInput(form.name(), form.description(), form.timeZone(), layers);
  }

  private static void refuse(RedirectAttributes redirect, ScheduleForm typed, RuntimeException e) {
    redirect.addFlashAttribute("form", typed);
    if (e instanceof InvalidInputException invalid) {
      Matcher layer = LAYER_FIELD.matcher(invalid.field());
      String field =
          layer.find()
              ? "layer" + layer.group(1)
              : invalid.field().startsWith("layers") ? "layers" : invalid.field();
      String said = words(e);
      Forms.refuse(redirect, field, "Not saved: " + said + ".");
    } else if (e instanceof UnknownValueException unknown) {
      Forms.refuse(redirect, "layers", Objects.requireNonNull(unknown.getMessage()));
    } else {
      Forms.refuse(redirect, "name", Objects.requireNonNull(e.getMessage()));
    }
  }

  /** A refusal in words: "layer 1's first handoff must be …", not {@code layers[0].start}. */
  private static String words(RuntimeException e) {
    String field =
        e instanceof InvalidInputException invalid
            ? invalid.field()
            : e instanceof UnknownValueException unknown ? unknown.field() : "";
    String message = Objects.requireNonNullElse(e.getMessage(), "");
    Matcher layer = LAYER_FIELD.matcher(field);
    if (layer.find()) {
      String rest = field.substring(layer.end());
      Matcher window = WINDOW_FIELD.matcher(rest);
      String what =
          window.find()
              ? "on-call window "
                  + (Integer.parseInt(window.group(1)) + 1)
                  + (window.group(2) == null ? "" : ", " + window.group(2))
              : rest.startsWith(".members")
                  ? "members"
                  : rest.startsWith(".rotation")
                      ? "shift length"
                      : rest.startsWith(".start") ? "first handoff" : "layer";
      return "layer " + (Integer.parseInt(layer.group(1)) + 1) + ", " + what + ": " + message;
    }
    return switch (field) {
      case "name" -> "a name: it " + message;
      case "timeZone" -> "the time zone: " + message;
      case "layers" -> "a layer with a member: " + message;
      default -> field + " " + message;
    };
  }
}
