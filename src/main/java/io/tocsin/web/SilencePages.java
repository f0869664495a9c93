package io.tocsin.web;

import io.tocsin.correlate.Muting;
import io.tocsin.correlate.Silence;
import io.tocsin.correlate.SilenceState;
import io.tocsin.correlate.Silences;
import io.tocsin.correlate.Silences.SilenceInput;
import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.AlertLookup.FiringAlert;
import io.tocsin.ingest.AlertMuting;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.ForbiddenException;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Silences and maintenance windows: the list with what each silence mutes now, the form that
 * previews which firing alerts new matchers would catch before anything is muted, and expiring.
 * Saving goes through the correlation module, with the same checks as the silence APIs.
 */
@Controller
class SilencePages {

  /** Expired silences shown below the active and pending ones; older ones are history. */
  static final int EXPIRED_SHOWN = 50;

  /** Firing alerts listed in a preview; the count covers all of them. */
  static final int PREVIEW_SHOWN = 20;

  private static final String DEFAULT_DURATION = "2h";
  private static final Pattern DURATION_PART = Pattern.compile("(\\d{1,6})\\s*([mhdw])");

  private final Silences silences;
  private final Muting muting;
  private final ServiceCatalog services;
  private final Clock clock;
  private final Times times;

  SilencePages(
      Silences silences, Muting muting, ServiceCatalog services, Clock clock, Times times) {
    this.silences = silences;
    this.muting = muting;
    this.services = services;
    this.clock = clock;
    this.times = times;
  }

  /** A silence as the list shows it. */
  record Row(
      UUID id,
      String state,
      List<String> matchers,
      String createdBy,
      String comment,
      Instant startsAt,
      Instant endsAt,
      @Nullable Integer mutes) {}

  /** A firing alert a preview lists. */
  record Caught(String name, String service, List<String> labels) {}

  @GetMapping("/silences")
  String list(Model model) {
    Instant now = clock.instant();
    List<Silence> current = new ArrayList<>();
    List<Silence> expired = new ArrayList<>();
    for (Silence silence : silences.list(List.of(), null)) {
      (silence.state(now) == SilenceState.EXPIRED ? expired : current).add(silence);
    }
    expired.sort(Comparator.comparing(Silence::endsAt).reversed());
    List<Silence> shown = new ArrayList<>(current);
    shown.addAll(expired.subList(0, Math.min(EXPIRED_SHOWN, expired.size())));
    Muting.MutedCounts muted = muting.mutedCounts(current);
    Map<UUID, Integer> counts = muted.counts();
    model.addAttribute("countsPartial", muted.partial());
    model.addAttribute("examined", Muting.EXAMINED);
    model.addAttribute(
        "rows",
        shown.stream()
            .map(
                s -> {
                  SilenceState state = s.state(now);
                  return new Row(
                      s.id(),
                      EnumText.canonical(state),
                      s.matchers().stream().map(LabelMatcher::toString).toList(),
                      s.createdBy(),
                      s.comment(),
                      s.startsAt(),
                      s.endsAt(),
                      state == SilenceState.ACTIVE ? counts.getOrDefault(s.id(), 0) : null);
                })
            .toList());
    model.addAttribute("moreExpired", expired.size() > EXPIRED_SHOWN);
    return "web/silences";
  }

  /**
   * The new-silence form, filled from the query (the alert list's "Silence…" link, or the form's
   * own Preview button, which works without JavaScript), with the preview of what it would mute.
   */
  @GetMapping("/silences/new")
  String form(
      @RequestParam(required = false) @Nullable String matchers,
      @RequestParam(required = false) @Nullable String duration,
      @RequestParam(required = false) @Nullable String endsAt,
      @RequestParam(required = false) @Nullable String comment,
      Model model) {
    model.addAttribute("matchers", matchers == null ? "" : matchers);
    model.addAttribute("duration", duration == null ? DEFAULT_DURATION : duration);
    model.addAttribute("endsAt", endsAt == null ? "" : endsAt);
    model.addAttribute("comment", comment == null ? "" : comment);
    model.addAttribute("services", services.list(null, null, Page.MAX_LIMIT).items());
    preview(matchers, model);
    return "web/silence-new";
  }

  /** The preview alone, which htmx swaps in as the matchers change. */
  @GetMapping("/silences/preview")
  String previewFragment(@RequestParam(required = false) @Nullable String matchers, Model model) {
    preview(matchers, model);
    return "web/silence-new :: preview";
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/silences")
  String create(
      @RequestParam(defaultValue = "") String matchers,
      @RequestParam(defaultValue = "") String duration,
      @RequestParam(defaultValue = "") String endsAt,
      @RequestParam(defaultValue = "") String comment,
      @ModelAttribute("zone") ZoneId zone,
      RedirectAttributes redirect) {
    try {
      Instant end =
          endsAt.isBlank()
              ? clock.instant().plus(duration(duration))
              : Objects.requireNonNull(Forms.localTime("endsAt", endsAt, zone));
      Silence silence =
          silences.create(new SilenceInput(parse(matchers), null, end, email(), comment));
      redirect.addFlashAttribute(
          "notice", "Silenced " + silence.matchers() + " until " + times.at(end, zone) + ".");
      return "redirect:/silences";
    } catch (InvalidInputException e) {
      Forms.refuse(redirect, e.field(), e.getMessage());
      return "redirect:"
          + UriComponentsBuilder.fromPath("/silences/new")
              .queryParam("matchers", "{matchers}")
              .queryParam("duration", "{duration}")
              .queryParam("endsAt", "{endsAt}")
              .queryParam("comment", "{comment}")
              .encode()
              .buildAndExpand(matchers, duration, endsAt, comment)
              .toUriString();
    }
  }

  /** A maintenance window silences every alert of the chosen services for its duration. */
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/silences/maintenance")
  String maintenance(
      @RequestParam(name = "service", required = false) @Nullable List<UUID> serviceIds,
      @RequestParam(defaultValue = "") String startsAt,
      @RequestParam(defaultValue = "") String endsAt,
      @RequestParam(defaultValue = "") String comment,
      @ModelAttribute("zone") ZoneId zone,
      RedirectAttributes redirect) {
    try {
      silences.maintenanceWindow(
          serviceIds,
          Forms.localTime("startsAt", startsAt, zone),
          Forms.localTime("endsAt", endsAt, zone),
          email(),
          comment);
      redirect.addFlashAttribute("notice", "The maintenance window is scheduled.");
      return "redirect:/silences";
    } catch (InvalidInputException e) {
      Forms.refuse(redirect, "window-" + e.field(), e.getMessage());
    } catch (NotFoundException e) {
      Forms.refuse(redirect, "window-services", e.getMessage());
    } catch (ForbiddenException e) {
      Forms.refuse(redirect, "window-services", e.getMessage());
    }
    return "redirect:/silences/new#maintenance";
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/silences/{id}/expire")
  String expire(@PathVariable UUID id, RedirectAttributes redirect) {
    return Forms.run(redirect, "/silences", "The silence is expired.", () -> silences.expire(id));
  }

  private void preview(@Nullable String text, Model model) {
    model.addAttribute("previewed", false);
    if (text == null || text.isBlank()) {
      return;
    }
    try {
      Muting.Caught caught = muting.caught(parse(text), PREVIEW_SHOWN);
      model.addAttribute("previewed", true);
      model.addAttribute("caughtTotal", caught.total());
      model.addAttribute("caughtPartial", caught.partial());
      model.addAttribute("examined", Muting.EXAMINED);
      model.addAttribute("caught", caught.alerts().stream().map(SilencePages::caught).toList());
    } catch (InvalidInputException e) {
      model.addAttribute("previewProblem", e.getMessage());
    }
  }

  private static Caught caught(FiringAlert alert) {
    return new Caught(
        alert.labels().getOrDefault("alertname", alert.fingerprint()),
        alert.labels().getOrDefault(AlertMuting.SERVICE_LABEL, ""),
        alert.labels().entrySet().stream()
            .filter(e -> !e.getKey().equals(AlertMuting.SERVICE_LABEL))
            .sorted(Map.Entry.comparingByKey())
            .map(e -> e.getKey() + "=" + e.getValue())
            .toList());
  }

  /** Matchers one per line, or several on a line in Alertmanager's {@code {a="b", c=~"d"}}. */
  static List<LabelMatcher> parse(String text) {
    List<LabelMatcher> matchers = new ArrayList<>();
    for (String line : text.split("\\R")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        matchers.addAll(LabelMatcher.parseAll(line));
      } catch (InvalidInputException e) {
        throw new InvalidInputException("matchers", e.getMessage());
      }
    }
    return matchers;
  }

  /** A duration such as {@code 90m}, {@code 2h}, {@code 1d 12h} or {@code 1w}. */
  static Duration duration(String text) {
    String compact = text.trim().toLowerCase(java.util.Locale.ROOT);
    Matcher part = DURATION_PART.matcher(compact);
    Duration total = Duration.ZERO;
    int end = 0;
    while (part.find() && compact.substring(end, part.start()).isBlank()) {
      long amount = Long.parseLong(part.group(1));
      ChronoUnit unit =
          switch (part.group(2)) {
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            case "d" -> ChronoUnit.DAYS;
            default -> ChronoUnit.WEEKS;
          };
      total = total.plus(unit.getDuration().multipliedBy(amount));
      end = part.end();
    }
    if (end == 0 || !compact.substring(end).isBlank() || total.isZero()) {
      throw new InvalidInputException(
          "duration", "'" + text + "' is not a duration such as 90m, 2h, 1d 12h or 1w");
    }
    return total;
  }

  private static @Nullable String email() {
    SignedInUser me = SignedInUser.current();
    return me == null ? null : me.email();
  }
}
