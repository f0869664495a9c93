package io.tocsin.web;

import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.UserService;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.ContactMethod;
import io.tocsin.notify.ContactMethods;
import io.tocsin.notify.NotificationRules;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.UnknownValueException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * {@code /profile}: the signed-in person's contact methods (add, verify with the code they were
 * sent, test, delete) and what their notification rules do, with what keeps pages from reaching
 * them.
 */
@Controller
class ProfilePage {

  private final ContactMethods methods;
  private final NotificationRules rules;
  private final UserService users;

  ProfilePage(ContactMethods methods, NotificationRules rules, UserService users) {
    this.methods = methods;
    this.rules = rules;
    this.users = users;
  }

  /** A method as the page lists it. */
  record MethodRow(
      UUID id, String type, String name, String target, boolean verified, String settings) {}

  /** A rule step as the page lists it. */
  record StepRow(String method, int delayMinutes) {}

  @GetMapping("/profile")
  String profile(Model model) {
    SignedInUser me = SignedInUser.current();
    if (me == null) {
      return "redirect:/login?next=/profile";
    }
    List<ContactMethod> mine = methods.list(me.id());
    Map<UUID, String> names = new HashMap<>();
    mine.forEach(method -> names.put(method.id(), method.name()));
    NotificationRules.Rules current = rules.get(me.id());
    Map<String, List<StepRow>> steps = new java.util.LinkedHashMap<>();
    current
        .steps()
        .forEach(
            (urgency, list) ->
                steps.put(
                    urgency,
                    list.stream()
                        .map(
                            step ->
                                new StepRow(
                                    names.getOrDefault(step.contactMethodId(), "a deleted method"),
                                    step.delayMinutes() == null ? 0 : step.delayMinutes()))
                        .toList()));
    model.addAttribute("me", me);
    model.addAttribute("user", users.get(me.id()));
    model.addAttribute(
        "methods",
        mine.stream()
            .map(
                method ->
                    new MethodRow(
                        method.id(),
                        method.type().text(),
                        method.name(),
                        method.target(),
                        method.verified(),
                        methods.visibleSettings(method).toString()))
            .toList());
    model.addAttribute("steps", steps);
    model.addAttribute("problems", current.problems());
    model.addAttribute("types", EnumText.allowed(ChannelType.class));
    return "web/profile";
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/profile/methods")
  String add(
      @RequestParam String type,
      @RequestParam(required = false) @Nullable String name,
      @RequestParam String target,
      @RequestParam(required = false) @Nullable String topic,
      RedirectAttributes redirect) {
    return act(
        redirect,
        me -> {
          Map<String, String> settings = new HashMap<>();
          if (topic != null && !topic.isBlank()) {
            settings.put("topic", topic);
          }
          ContactMethod method =
              methods.create(me, new ContactMethods.NewMethod(type, name, target, settings));
          String secret = method.settings().get("secret");
          redirect.addFlashAttribute(
              "notice",
              "Added '"
                  + method.name()
                  + "'. Send yourself a code to verify it."
                  + (secret == null ? "" : " Its signing secret, shown this once: " + secret));
        });
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/profile/methods/{id}/code")
  String sendCode(@PathVariable UUID id, RedirectAttributes redirect) {
    return act(
        redirect,
        me -> {
          methods.sendCode(me, id);
          redirect.addFlashAttribute("notice", "A code is on its way. Type it in below.");
        });
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/profile/methods/{id}/verify")
  String verify(@PathVariable UUID id, @RequestParam String code, RedirectAttributes redirect) {
    return act(
        redirect,
        me -> {
          ContactMethod method = methods.verify(me, id, code);
          redirect.addFlashAttribute("notice", "'" + method.name() + "' is verified.");
        });
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/profile/methods/{id}/test")
  String test(@PathVariable UUID id, RedirectAttributes redirect) {
    return act(
        redirect,
        me -> {
          methods.sendTest(me, id);
          redirect.addFlashAttribute("notice", "A test message is on its way.");
        });
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/profile/methods/{id}/delete")
  String delete(@PathVariable UUID id, RedirectAttributes redirect) {
    return act(
        redirect,
        me -> {
          methods.delete(me, id);
          redirect.addFlashAttribute("notice", "The contact method is gone.");
        });
  }

  /** Does an action as the signed-in person and comes back to the page with how it went. */
  private String act(RedirectAttributes redirect, java.util.function.Consumer<UUID> action) {
    SignedInUser me = SignedInUser.current();
    if (me == null) {
      return "redirect:/login?next=/profile";
    }
    try {
      action.accept(me.id());
    } catch (InvalidInputException e) {
      redirect.addFlashAttribute("problem", e.field() + ": " + e.getMessage());
    } catch (UnknownValueException | ConflictException | NotFoundException e) {
      redirect.addFlashAttribute("problem", e.getMessage());
    }
    return "redirect:/profile";
  }
}
