package io.tocsin.web;

import io.tocsin.directory.UserService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.incident.Actor;
import io.tocsin.incident.Incident;
import io.tocsin.incident.Incidents;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Page;
import io.tocsin.platform.Severity;
import java.time.Duration;
import java.time.ZoneId;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
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

/**
 * The incident actions a responder takes without an alert to start from: declaring an incident by
 * hand (the outage no alert caught), and snoozing one. Both go through the incident module's API,
 * as the REST calls do.
 */
@Controller
class IncidentActions {

  private final Incidents incidents;
  private final ServiceCatalog services;
  private final UserService users;
  private final Times times;

  IncidentActions(Incidents incidents, ServiceCatalog services, UserService users, Times times) {
    this.incidents = incidents;
    this.services = services;
    this.users = users;
    this.times = times;
  }

  @GetMapping("/incidents/new")
  String declareForm(Model model) {
    model.addAttribute("services", services.list(null, null, Page.MAX_LIMIT).items());
    model.addAttribute("people", users.list(null, null, Page.MAX_LIMIT).items());
    model.addAttribute("severities", EnumText.allowed(Severity.class));
    return "web/incident-new";
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/new")
  String declare(
      @RequestParam(required = false) @Nullable String title,
      @RequestParam(required = false) @Nullable String serviceId,
      @RequestParam(required = false) @Nullable String severity,
      @RequestParam(required = false) @Nullable String assigneeId,
      @RequestParam(required = false) @Nullable String description,
      RedirectAttributes redirect) {
    AtomicReference<@Nullable Incident> declared = new AtomicReference<>();
    String back =
        Forms.run(
            redirect,
            "/incidents/new",
            null,
            () ->
                declared.set(
                    incidents.declare(
                        new Incidents.Declaration(
                            title == null ? "" : title,
                            id("serviceId", serviceId, "choose the service that is down"),
                            severity == null || severity.isBlank()
                                ? Severity.CRITICAL
                                : EnumText.parse(Severity.class, "severity", severity),
                            assigneeId == null || assigneeId.isBlank()
                                ? null
                                : id("assigneeId", assigneeId, "is not a person"),
                            description),
                        Actor.current())));
    Incident incident = declared.get();
    if (incident == null) {
      redirect.addFlashAttribute("title", title);
      redirect.addFlashAttribute("description", description);
      return back;
    }
    redirect.addFlashAttribute(
        "notice", incident.reference() + " declared; its service's escalation policy is paged.");
    return "redirect:/incidents/" + incident.number();
  }

  /**
   * Snoozes for one of the offered durations ({@code PT15M}, {@code PT1H}, {@code PT4H}), or for
   * {@code minutes} when a person chose their own.
   */
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/{number}/snooze")
  String snooze(
      @PathVariable long number,
      @RequestParam(required = false) @Nullable String duration,
      @RequestParam(required = false) @Nullable String minutes,
      @ModelAttribute("zone") ZoneId zone,
      RedirectAttributes redirect) {
    Incident incident = incidents.byNumber(number);
    AtomicReference<@Nullable Incident> snoozed = new AtomicReference<>();
    String back =
        Forms.run(
            redirect,
            "/incidents/" + number,
            null,
            () ->
                snoozed.set(
                    incidents.snooze(
                        incident.id(), snoozeFor(duration, minutes), Actor.current())));
    Incident done = snoozed.get();
    if (done != null) {
      redirect.addFlashAttribute(
          "notice",
          done.reference()
              + " snoozed until "
              + times.at(done.snoozedUntil(), zone)
              + "; then it is open again and pages.");
    }
    return back;
  }

  private static Duration snoozeFor(@Nullable String duration, @Nullable String minutes) {
    if (minutes != null && !minutes.isBlank()) {
      try {
        return Duration.ofMinutes(Long.parseLong(minutes.trim()));
      } catch (NumberFormatException e) {
        throw new InvalidInputException(
            "minutes", "'" + minutes.trim() + "' is not a number of minutes");
      }
    }
    if (duration == null || duration.isBlank()) {
      throw new InvalidInputException("minutes", "choose how long to snooze");
    }
    try {
      return Duration.parse(duration.trim());
    } catch (java.time.format.DateTimeParseException e) {
      throw new InvalidInputException("minutes", "choose how long to snooze");
    }
  }

  private static UUID id(String field, @Nullable String text, String problem) {
    if (text == null || text.isBlank()) {
      throw new InvalidInputException(field, problem);
    }
    try {
      return UUID.fromString(text.trim());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field, problem);
    }
  }
}
