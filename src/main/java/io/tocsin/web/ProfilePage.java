package io.tocsin.web;

import io.tocsin.directory.Role;
import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.UserService;
import io.tocsin.directory.team.Team;
import io.tocsin.directory.team.TeamService;
import io.tocsin.directory.token.ApiTokenService;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.ContactMethod;
import io.tocsin.notify.ContactMethods;
import io.tocsin.notify.NotificationRules;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import io.tocsin.platform.UnknownValueException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
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

  /** Blank rows offered under a rule's steps, so a step is added without JavaScript. */
  private static final int BLANK_STEPS = 2;

  private static final SecurityContextRepository SESSIONS =
      new HttpSessionSecurityContextRepository();

  private final ContactMethods methods;
  private final NotificationRules rules;
  private final UserService users;
  private final ApiTokenService tokens;
  private final TeamService teams;
  private final java.time.Clock clock;

  ProfilePage(
      ContactMethods methods,
      NotificationRules rules,
      UserService users,
      ApiTokenService tokens,
      TeamService teams,
      java.time.Clock clock) {
    this.teams = teams;
    this.methods = methods;
    this.rules = rules;
    this.users = users;
    this.tokens = tokens;
    this.clock = clock;
  }

  /** A method as the page lists it. */
  record MethodRow(
      UUID id, String type, String name, String target, boolean verified, String settings) {}

  /** A rule step as the page lists and edits it; a blank row has no method. */
  record StepRow(@Nullable UUID methodId, String method, int delayMinutes) {}

  @GetMapping("/profile")
  String profile(Model model) {
    SignedInUser me = ConsoleModel.signedIn();
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
                                    step.contactMethodId(),
                                    names.getOrDefault(step.contactMethodId(), "a deleted method"),
                                    step.delayMinutes() == null ? 0 : step.delayMinutes()))
                        .toList()));
    Map<String, List<StepRow>> editable = new java.util.LinkedHashMap<>();
    steps.forEach(
        (urgency, list) -> {
          List<StepRow> rows = new java.util.ArrayList<>(list);
          for (int i = 0; i < BLANK_STEPS; i++) {
            rows.add(new StepRow(null, "", 0));
          }
          editable.put(urgency, rows);
        });
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
    model.addAttribute("editable", editable);
    List<ApiTokenService.ApiToken> mineTokens = tokens.listFor(me.id());
    model.addAttribute("tokens", mineTokens);
    // An admin may limit a token to any team; anyone else to the teams they are in.
    List<Team> all = teams.list(null, null, Page.MAX_LIMIT).items();
    Map<UUID, String> teamNames = new HashMap<>();
    all.forEach(team -> teamNames.put(team.id(), team.name()));
    model.addAttribute(
        "teamChoices",
        all.stream()
            .filter(
                team ->
                    me.role() == Role.ADMIN
                        || team.members().stream().anyMatch(m -> m.userId().equals(me.id())))
            .toList());
    Map<UUID, String> limits = new HashMap<>();
    for (ApiTokenService.ApiToken token : mineTokens) {
      List<String> limit = new ArrayList<>();
      if (token.readOnly()) {
        limit.add("read-only");
      }
      if (token.teams() != null) {
        limit.add(
            "teams "
                + String.join(
                    ", ",
                    token.teams().stream().map(t -> teamNames.getOrDefault(t, "?")).toList()));
      }
      limits.put(token.id(), limit.isEmpty() ? "as you" : String.join("; ", limit));
    }
    model.addAttribute("tokenLimits", limits);
    model.addAttribute("zones", java.time.ZoneId.getAvailableZoneIds().stream().sorted().toList());
    model.addAttribute("problems", current.problems());
    model.addAttribute("types", EnumText.allowed(ChannelType.class));
    model.addAttribute("minimumPassword", UserService.MINIMUM_PASSWORD_LENGTH);
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
          return "Added '"
              + method.name()
              + "'. Send yourself a code to verify it."
              + (secret == null ? "" : " Its signing secret, shown this once: " + secret);
        });
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/profile/methods/{id}/verify")
  String verify(@PathVariable UUID id, @RequestParam String code, RedirectAttributes redirect) {
    return act(redirect, me -> "'" + methods.verify(me, id, code).name() + "' is verified.");
  }

  /** A method's buttons: send a code to verify it, send a test message, or delete it. */
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/profile/methods/{id}/{action}")
  String methodAction(
      @PathVariable UUID id, @PathVariable String action, RedirectAttributes redirect) {
    return act(
        redirect,
        me ->
            switch (action) {
              case "code" -> {
                methods.sendCode(me, id);
                yield "A code is on its way. Type it in below.";
              }
              case "test" -> {
                methods.sendTest(me, id);
                yield "A test message is on its way.";
              }
              case "delete" -> {
                methods.delete(me, id);
                yield "The contact method is gone.";
              }
              default ->
                  throw new NotFoundException(
                      "A contact method takes code, test or delete; '" + action + "' is none.");
            });
  }

  /**
   * Replaces both urgencies' steps from the form's rows ({@code <urgency>Method}, {@code
   * <urgency>Delay}, in order); a row without a method is dropped, which is how a step is removed.
   */
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/profile/rules")
  String saveRules(
      @RequestParam org.springframework.util.MultiValueMap<String, String> form,
      RedirectAttributes redirect) {
    return act(
        redirect,
        me -> {
          Map<String, List<NotificationRules.Step>> wanted = new java.util.LinkedHashMap<>();
          for (String urgency : EnumText.allowed(NotificationRules.Urgency.class)) {
            List<String> chosen = form.getOrDefault(urgency + "Method", List.of());
            List<String> delays = form.getOrDefault(urgency + "Delay", List.of());
            List<NotificationRules.Step> list = new java.util.ArrayList<>();
            for (int i = 0; i < chosen.size(); i++) {
              if (!chosen.get(i).isBlank()) {
                list.add(
                    new NotificationRules.Step(
                        parseId(urgency, chosen.get(i)),
                        minutes(urgency + "[" + list.size() + "].delayMinutes", delays, i)));
              }
            }
            wanted.put(urgency, list);
          }
          rules.replace(me, wanted);
          return "Your notification rules are saved.";
        });
  }

  @PreAuthorize("hasRole('VIEWER')")
  @PostMapping("/profile/time-zone")
  String timeZone(@RequestParam String timeZone, RedirectAttributes redirect) {
    return act(
        redirect,
        "Times are shown in " + timeZone + " now.",
        me -> users.update(me, new UserService.UserChanges(null, null, null, timeZone, null)));
  }

  /**
   * Changes the signed-in person's own password, as the API's {@code PATCH /api/v1/users/{id}}
   * does: the current password first, the directory's length rules, and every other session of
   * theirs ends while this one stays signed in.
   */
  @PreAuthorize("hasRole('VIEWER')")
  @PostMapping("/profile/password")
  String changePassword(
      @RequestParam String currentPassword,
      @RequestParam String password,
      @RequestParam String passwordAgain,
      HttpServletRequest request,
      HttpServletResponse response,
      RedirectAttributes redirect) {
    SignedInUser me = ConsoleModel.signedIn();
    if (!users.hasPassword(me.id(), currentPassword)) {
      // A stolen session must not be enough to take the account over for good.
      Forms.refuse(redirect, "currentPassword", "The current password is wrong.");
    } else if (!password.equals(passwordAgain)) {
      Forms.refuse(redirect, "passwordAgain", "The two new passwords are not the same.");
    } else {
      try {
        users.update(me.id(), new UserService.UserChanges(null, null, null, null, password));
        keepThisSession(me, request, response);
        redirect.addFlashAttribute(
            "notice", "Your password is changed. Your other sessions are signed out.");
      } catch (InvalidInputException e) {
        Forms.refuse(redirect, "password", "The new password " + e.getMessage() + ".");
      }
    }
    return "redirect:/profile";
  }

  /**
   * The change ended every session of the person, this one too; this one has just proven the
   * current password, so it adopts the new version, but only if this change alone made it.
   */
  private void keepThisSession(
      SignedInUser me, HttpServletRequest request, HttpServletResponse response) {
    Long version = me.sessionVersion();
    if (version == null) {
      return;
    }
    users
        .signedIn(me.id())
        .filter(now -> Objects.equals(now.sessionVersion(), version + 1))
        .ifPresent(
            now -> {
              SecurityContext context = SecurityContextHolder.getContext();
              context.setAuthentication(
                  UsernamePasswordAuthenticationToken.authenticated(
                      now, null, now.getAuthorities()));
              SESSIONS.saveContext(context, request, response);
            });
  }

  /** Issues a token; the page shows it this once and never again. */
  @PreAuthorize("hasRole('VIEWER')")
  @PostMapping("/profile/tokens")
  String issueToken(
      @RequestParam String name,
      @RequestParam(required = false) @Nullable Integer expiresInDays,
      @RequestParam(defaultValue = "false") boolean readOnly,
      @RequestParam(name = "team", required = false) @Nullable List<UUID> limitedTo,
      RedirectAttributes redirect) {
    return act(
        redirect,
        me -> {
          if (expiresInDays != null && (expiresInDays < 1 || expiresInDays > 3650)) {
            throw new InvalidInputException("expiresInDays", "must be 1 to 3650 days, or empty");
          }
          ApiTokenService.IssuedToken issued =
              tokens.issue(
                  me,
                  name,
                  expiresInDays == null
                      ? null
                      : clock.instant().plus(java.time.Duration.ofDays(expiresInDays)),
                  readOnly,
                  limitedTo == null || limitedTo.isEmpty() ? null : limitedTo,
                  ApiTokenService.presented());
          redirect.addFlashAttribute("newToken", issued.secret());
          return "Token '"
              + issued.token().name()
              + "' is ready. Copy it now: it is shown only once.";
        });
  }

  @PreAuthorize("hasRole('VIEWER')")
  @PostMapping("/profile/tokens/{id}/revoke")
  String revokeToken(@PathVariable UUID id, RedirectAttributes redirect) {
    return act(
        redirect, "The token no longer works.", me -> tokens.revoke(id, ConsoleModel.signedIn()));
  }

  private static UUID parseId(String urgency, String text) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(urgency + ".contactMethodId", "is not a contact method");
    }
  }

  private static Integer minutes(String field, List<String> delays, int row) {
    String text = row < delays.size() ? delays.get(row).trim() : "";
    try {
      return text.isEmpty() ? 0 : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(field, "must be a whole number of minutes");
    }
  }

  /** Does an action as the signed-in person and comes back to the page with {@code notice}. */
  private String act(
      RedirectAttributes redirect, String notice, java.util.function.Consumer<UUID> action) {
    return act(
        redirect,
        me -> {
          action.accept(me);
          return notice;
        });
  }

  /**
   * Does an action as the signed-in person and comes back to the page with the notice the action
   * returns, or with why it was refused.
   */
  private String act(
      RedirectAttributes redirect, java.util.function.Function<UUID, String> action) {
    SignedInUser me = ConsoleModel.signedIn();
    try {
      redirect.addFlashAttribute("notice", action.apply(me.id()));
    } catch (InvalidInputException e) {
      Forms.refuse(redirect, e.field(), e.field() + " " + e.getMessage());
    } catch (UnknownValueException e) {
      Forms.refuse(redirect, e.field(), e.getMessage());
    } catch (ConflictException | NotFoundException e) {
      Forms.refuse(redirect, null, Objects.requireNonNull(e.getMessage()));
    }
    return "redirect:/profile";
  }
}
