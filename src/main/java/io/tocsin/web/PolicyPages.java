package io.tocsin.web;

import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.Schedules;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Page;
import io.tocsin.platform.UnknownValueException;
import java.util.ArrayList;
import java.util.List;
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
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * {@code /policies/new} and {@code /policies/{id}}: an escalation policy made and edited from the
 * console, through the same module API and rules as {@code /api/v1/escalation-policies}. The form
 * works without JavaScript: it offers the policy's levels and two empty ones, each with its delay
 * and a list of people and schedules to choose from; a level with nobody chosen is left out.
 */
@Controller
class PolicyPages {

  /** Empty levels offered under the policy's own, so a level is added without JavaScript. */
  private static final int BLANK_LEVELS = 2;

  private static final Pattern LEVEL_FIELD = Pattern.compile("^levels\\[(\\d+)\\]");

  private final EscalationPolicies policies;
  private final Schedules schedules;
  private final UserService users;

  PolicyPages(EscalationPolicies policies, Schedules schedules, UserService users) {
    this.policies = policies;
    this.schedules = schedules;
    this.users = users;
  }

  /** A level as the form shows it: its delay and the chosen targets as {@code type:id}. */
  record LevelRow(int delayMinutes, List<String> targets) {}

  /** The form as typed, or the policy as stored. */
  record PolicyForm(String name, String description, int repeat, List<LevelRow> levels) {}

  /** A person or schedule a level may page, {@code value} being {@code user:<id>} or so. */
  record TargetChoice(String value, String name) {}

  @GetMapping("/policies/new")
  String create(Model model) {
    if (!model.containsAttribute("form")) {
      model.addAttribute("form", new PolicyForm("", "", 0, List.of()));
    }
    return form(null, model);
  }

  @GetMapping("/policies/{id}")
  String edit(@PathVariable UUID id, Model model) {
    EscalationPolicies.Policy policy = policies.get(id);
    if (!model.containsAttribute("form")) {
      List<LevelRow> levels = new ArrayList<>();
      for (EscalationPolicies.Level level : policy.levels()) {
        List<String> targets = new ArrayList<>();
        for (EscalationPolicies.Target target :
            Objects.requireNonNullElse(level.targets(), List.<EscalationPolicies.Target>of())) {
          targets.add(target.type() + ":" + target.id());
        }
        levels.add(new LevelRow(Objects.requireNonNullElse(level.delayMinutes(), 30), targets));
      }
      model.addAttribute(
          "form", new PolicyForm(policy.name(), policy.description(), policy.repeat(), levels));
    }
    model.addAttribute("policy", policy);
    return form(id, model);
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/policies")
  String created(@RequestParam MultiValueMap<String, String> form, RedirectAttributes redirect) {
    PolicyForm typed = read(form);
    try {
      EscalationPolicies.Policy policy = policies.create(input(typed));
      redirect.addFlashAttribute("notice", "Created the escalation policy " + policy.name() + ".");
      return "redirect:/policies/" + policy.id();
    } catch (InvalidInputException | UnknownValueException | ConflictException e) {
      refuse(redirect, typed, e);
      return "redirect:/policies/new";
    }
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/policies/{id}")
  String saved(
      @PathVariable UUID id,
      @RequestParam MultiValueMap<String, String> form,
      RedirectAttributes redirect) {
    PolicyForm typed = read(form);
    try {
      EscalationPolicies.Policy policy = policies.replace(id, input(typed));
      redirect.addFlashAttribute("notice", "Saved the escalation policy " + policy.name() + ".");
    } catch (InvalidInputException | UnknownValueException | ConflictException e) {
      refuse(redirect, typed, e);
    }
    return "redirect:/policies/" + id;
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/policies/{id}/delete")
  String delete(@PathVariable UUID id, RedirectAttributes redirect) {
    String name = policies.get(id).name();
    return Forms.delete(
        redirect,
        "/policies",
        "/policies/" + id + "#delete",
        "Deleted the escalation policy " + name + ".",
        () -> policies.delete(id));
  }

  private String form(@Nullable UUID id, Model model) {
    PolicyForm form = (PolicyForm) Objects.requireNonNull(model.getAttribute("form"));
    List<LevelRow> rows = new ArrayList<>(form.levels());
    for (int i = 0; i < BLANK_LEVELS; i++) {
      rows.add(new LevelRow(30, List.of()));
    }
    model.addAttribute("rows", rows);
    model.addAttribute("policyId", id);
    List<TargetChoice> people = new ArrayList<>();
    for (User user : users.list(null, null, Page.MAX_LIMIT).items()) {
      people.add(new TargetChoice("user:" + user.id(), user.name()));
    }
    List<TargetChoice> rotations = new ArrayList<>();
    for (Schedules.Schedule schedule : schedules.list(null, Page.MAX_LIMIT).items()) {
      rotations.add(new TargetChoice("schedule:" + schedule.id(), schedule.name()));
    }
    model.addAttribute("people", people);
    model.addAttribute("scheduleChoices", rotations);
    return "web/policy";
  }

  /** The form's rows in order; a row with nobody chosen is dropped, which is how one is removed. */
  private static PolicyForm read(MultiValueMap<String, String> form) {
    List<LevelRow> levels = new ArrayList<>();
    for (int row = 0; form.containsKey("level" + row + "Delay"); row++) {
      List<String> targets = form.getOrDefault("level" + row + "Targets", List.of());
      if (!targets.isEmpty()) {
        levels.add(new LevelRow(minutes(form.getFirst("level" + row + "Delay"), row), targets));
      }
    }
    String repeat = Objects.requireNonNullElse(form.getFirst("repeat"), "0").trim();
    int times;
    try {
      times = repeat.isEmpty() ? 0 : Integer.parseInt(repeat);
    } catch (NumberFormatException e) {
      throw new InvalidInputException("repeat", "must be a whole number");
    }
    return new PolicyForm(
        Objects.requireNonNullElse(form.getFirst("name"), ""),
        Objects.requireNonNullElse(form.getFirst("description"), ""),
        times,
        levels);
  }

  private static int minutes(@Nullable String text, int row) {
    try {
      return text == null || text.isBlank() ? 30 : Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          "levels[" + row + "].delayMinutes", "must be a whole number of minutes");
    }
  }

  private static EscalationPolicies.PolicyInput input(PolicyForm form) {
    List<EscalationPolicies.Level> levels = new ArrayList<>();
    for (LevelRow row : form.levels()) {
      List<EscalationPolicies.Target> targets = new ArrayList<>();
      for (String value : row.targets()) {
        int colon = value.indexOf(':');
        UUID id;
        try {
          id = UUID.fromString(value.substring(colon + 1));
        } catch (IllegalArgumentException e) {
          throw new InvalidInputException("levels", "'" + value + "' is not a person or schedule");
        }
        targets.add(new EscalationPolicies.Target(colon < 0 ? "" : value.substring(0, colon), id));
      }
      levels.add(new EscalationPolicies.Level(row.delayMinutes(), targets));
    }
    return new EscalationPolicies.PolicyInput(
        form.name(), form.description(), form.repeat(), levels);
  }

  /**
   * Sends the form back as typed, with the refusal next to its field: a level's problem next to
   * that level (the typed levels are the ones kept, so their numbers match the refusal's).
   */
  private static void refuse(RedirectAttributes redirect, PolicyForm typed, RuntimeException e) {
    redirect.addFlashAttribute("form", typed);
    if (e instanceof InvalidInputException invalid) {
      Matcher level = LEVEL_FIELD.matcher(invalid.field());
      String field =
          level.find()
              ? "level" + level.group(1)
              : invalid.field().startsWith("levels") ? "levels" : invalid.field();
      String name =
          level.find(0)
              ? "Level " + (Integer.parseInt(level.group(1)) + 1)
              : switch (field) {
                case "name" -> "The name";
                case "repeat" -> "Repeat";
                case "levels" -> "The levels";
                default -> invalid.field();
              };
      Forms.refuse(redirect, field, name + ": " + invalid.getMessage() + ".");
    } else if (e instanceof UnknownValueException unknown) {
      Forms.refuse(redirect, "levels", Objects.requireNonNull(unknown.getMessage()));
    } else {
      Forms.refuse(redirect, "name", Objects.requireNonNull(e.getMessage()));
    }
  }
}
