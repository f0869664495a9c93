package io.tocsin.web;

import io.tocsin.directory.UserService;
import io.tocsin.incident.Actor;
import io.tocsin.incident.Incident;
import io.tocsin.incident.Incidents;
import io.tocsin.incident.postmortem.Postmortem;
import io.tocsin.incident.postmortem.Postmortems;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * {@code /incidents/<n>/postmortem}: the write-up of a resolved incident, started from its
 * timeline. The form edits every field at once; repeated rows (timeline, follow-ups) come as
 * parallel lists, and a row left empty is dropped, which is how a row is removed without
 * JavaScript. The Markdown export is the API's.
 */
@Controller
class PostmortemPage {

  /** Empty rows offered under the timeline and the follow-ups. */
  private static final int BLANK_ROWS = 2;

  private final Incidents incidents;
  private final Postmortems postmortems;
  private final UserService users;

  PostmortemPage(Incidents incidents, Postmortems postmortems, UserService users) {
    this.incidents = incidents;
    this.postmortems = postmortems;
    this.users = users;
  }

  /** A checklist item as the form shows it. */
  record Check(String key, String label, boolean done) {}

  @GetMapping("/incidents/{number}/postmortem")
  String page(@PathVariable long number, Model model) {
    Incident incident = incidents.byNumber(number);
    model.addAttribute("incident", incident);
    Postmortem postmortem = find(incident);
    model.addAttribute("postmortem", postmortem);
    if (postmortem != null) {
      List<Postmortem.TimelineItem> timeline = new ArrayList<>(postmortem.timeline());
      List<Postmortem.FollowUp> followUps = new ArrayList<>(postmortem.followUps());
      for (int i = 0; i < BLANK_ROWS; i++) {
        timeline.add(new Postmortem.TimelineItem(null, null));
        followUps.add(new Postmortem.FollowUp(null, null, null, false));
      }
      List<Check> checks = new ArrayList<>();
      for (Postmortem.ChecklistItem item : Postmortem.ChecklistItem.values()) {
        checks.add(
            new Check(
                item.key(),
                item.label(),
                Boolean.TRUE.equals(postmortem.checklist().get(item.key()))));
      }
      model.addAttribute("timeline", timeline);
      model.addAttribute("followUps", followUps);
      model.addAttribute("checks", checks);
      model.addAttribute("statuses", EnumText.allowed(Postmortem.Status.class));
      model.addAttribute("people", users.list(null, null, Page.MAX_LIMIT).items());
    }
    return "web/postmortem";
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/{number}/postmortem/start")
  String start(@PathVariable long number, RedirectAttributes redirect) {
    Incident incident = incidents.byNumber(number);
    return Forms.run(
        redirect,
        back(number),
        "The postmortem is started from the incident's timeline.",
        () ->
            postmortems.create(
                incident,
                new Postmortems.Changes(null, null, null, null, null, null, null, null),
                Actor.current()));
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/{number}/postmortem")
  String save(
      @PathVariable long number,
      @RequestParam MultiValueMap<String, String> form,
      RedirectAttributes redirect) {
    Incident incident = incidents.byNumber(number);
    return Forms.run(
        redirect,
        back(number),
        "The postmortem is saved.",
        () ->
            postmortems.update(
                incident,
                new Postmortems.Changes(
                    form.getFirst("status"),
                    form.getFirst("summary"),
                    form.getFirst("impact"),
                    timeline(form),
                    form.getFirst("rootCause"),
                    form.getFirst("resolution"),
                    followUps(form),
                    checklist(form)),
                Actor.current()));
  }

  private static List<Postmortem.TimelineItem> timeline(MultiValueMap<String, String> form) {
    List<String> times = form.getOrDefault("timelineAt", List.of());
    List<String> texts = form.getOrDefault("timelineText", List.of());
    List<Postmortem.TimelineItem> items = new ArrayList<>();
    for (int i = 0; i < Math.max(times.size(), texts.size()); i++) {
      String at = i < times.size() ? times.get(i).trim() : "";
      String text = i < texts.size() ? texts.get(i).trim() : "";
      if (at.isEmpty() && text.isEmpty()) {
        continue;
      }
      String field = "timeline[" + items.size() + "].at";
      try {
        items.add(new Postmortem.TimelineItem(at.isEmpty() ? null : Instant.parse(at), text));
      } catch (DateTimeParseException e) {
        throw new InvalidInputException(field, "must be a UTC time like 2026-11-30T03:12:00Z");
      }
    }
    return items;
  }

  private static List<Postmortem.FollowUp> followUps(MultiValueMap<String, String> form) {
    List<String> descriptions = form.getOrDefault("followUpDescription", List.of());
    List<String> owners = form.getOrDefault("followUpOwner", List.of());
    List<String> dues = form.getOrDefault("followUpDue", List.of());
    List<String> done = form.getOrDefault("followUpDone", List.of());
    List<Postmortem.FollowUp> followUps = new ArrayList<>();
    for (int i = 0; i < descriptions.size(); i++) {
      String description = descriptions.get(i).trim();
      if (description.isEmpty()) {
        continue;
      }
      String owner = i < owners.size() ? owners.get(i) : "";
      String due = i < dues.size() ? dues.get(i) : "";
      String field = "followUps[" + followUps.size() + "]";
      try {
        followUps.add(
            new Postmortem.FollowUp(
                description,
                owner.isBlank() ? null : UUID.fromString(owner),
                due.isBlank() ? null : LocalDate.parse(due),
                done.contains(String.valueOf(i))));
      } catch (IllegalArgumentException | DateTimeParseException e) {
        throw new InvalidInputException(field + ".dueDate", "must be a date like 2026-12-31");
      }
    }
    return followUps;
  }

  /** Every item, ticked or not: an unticked checkbox sends nothing. */
  private static Map<String, Boolean> checklist(MultiValueMap<String, String> form) {
    List<String> ticked = form.getOrDefault("checklist", List.of());
    Map<String, Boolean> checklist = new LinkedHashMap<>();
    for (Postmortem.ChecklistItem item : Postmortem.ChecklistItem.values()) {
      checklist.put(item.key(), ticked.contains(item.key()));
    }
    return checklist;
  }

  private @Nullable Postmortem find(Incident incident) {
    try {
      return postmortems.get(incident);
    } catch (NotFoundException e) {
      return null;
    }
  }

  private static String back(long number) {
    return "/incidents/" + number + "/postmortem";
  }
}
