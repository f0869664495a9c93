package io.tocsin.web;

import io.tocsin.directory.AuditEvent;
import io.tocsin.directory.AuditLog;
import io.tocsin.directory.Role;
import io.tocsin.directory.TeamScope;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.integration.Integration;
import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.directory.sso.SsoProviders;
import io.tocsin.directory.team.Team;
import io.tocsin.directory.team.TeamRole;
import io.tocsin.directory.team.TeamService;
import io.tocsin.incident.Incident;
import io.tocsin.incident.Incidents;
import io.tocsin.notify.DeadLetters;
import io.tocsin.notify.Outbox;
import io.tocsin.platform.DatabaseUpkeep;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import io.tocsin.platform.RetentionProperties;
import io.tocsin.platform.UnknownValueException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * {@code /admin}: users and their roles, teams and their members, every service's integrations with
 * their keys, the audit trail, and the notifications that could not be delivered. Admins only:
 * anyone else gets a page saying so, and 403 for a POST.
 */
@Controller
class AdminPages {

  private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

  private final UserService users;
  private final TeamService teams;
  private final ServiceCatalog services;
  private final IntegrationService integrations;
  private final AuditLog audit;
  private final DeadLetters deadLetters;
  private final Incidents incidents;
  private final Clock clock;
  private final PublicAddress address;
  private final SsoProviders sso;

  private final TeamScope scope;
  private final RetentionProperties retention;
  private final DatabaseUpkeep upkeep;

  AdminPages(
      UserService users,
      TeamService teams,
      ServiceCatalog services,
      IntegrationService integrations,
      AuditLog audit,
      DeadLetters deadLetters,
      Incidents incidents,
      Clock clock,
      PublicAddress address,
      SsoProviders sso,
      TeamScope scope,
      RetentionProperties retention,
      DatabaseUpkeep upkeep) {
    this.upkeep = upkeep;
    this.scope = scope;
    this.retention = retention;
    this.users = users;
    this.teams = teams;
    this.services = services;
    this.integrations = integrations;
    this.audit = audit;
    this.deadLetters = deadLetters;
    this.incidents = incidents;
    this.clock = clock;
    this.address = address;
    this.sso = sso;
  }

  /** A team with its members' names. */
  record TeamView(UUID id, String name, List<MemberView> members) {}

  /** A member of a team. */
  record MemberView(UUID userId, String name, String teamRole) {}

  /**
   * An integration as the list shows it; {@code groupBy} and {@code groupLabels} as its grouping
   * form takes them.
   */
  record IntegrationRow(
      UUID id,
      String name,
      String kind,
      UUID serviceId,
      String service,
      int activeKeys,
      String groupBy,
      String groupLabels,
      @Nullable String address) {}

  /** An audit entry, its time in the viewer's zone. */
  record AuditRow(String at, String actor, String kind, @Nullable String target, String summary) {}

  /** A dead letter as the list shows it. */
  record DeadLetterRow(
      UUID id,
      String failedAt,
      String recipient,
      String channel,
      @Nullable Long incident,
      int attempts,
      @Nullable String error) {}

  @GetMapping("/admin")
  String usersPage(@RequestParam(required = false) @Nullable String cursor, Model model) {
    Page<User> page = users.list(null, Page.after(cursor), Page.DEFAULT_LIMIT);
    model.addAttribute("users", page.items());
    model.addAttribute("next", page.nextCursor());
    model.addAttribute("roles", EnumText.allowed(Role.class));
    model.addAttribute("section", "users");
    model.addAttribute("sso", sso.setup());
    model.addAttribute("baseUrl", address.baseUrl());
    model.addAttribute("ownTeamsOnly", scope.visibility() == TeamScope.Visibility.OWN);
    Map<String, String> kept = new LinkedHashMap<>();
    retention
        .kinds()
        .forEach(
            (kind, keep) -> kept.put(kind, keep.map(d -> d.toDays() + " days").orElse("for ever")));
    model.addAttribute("retention", kept);
    model.addAttribute("upkeep", upkeep.latest().orElse(null));
    return "web/admin";
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/admin/users")
  String createUser(
      @RequestParam String name,
      @RequestParam String email,
      @RequestParam String role,
      @RequestParam(required = false, defaultValue = "UTC") String timeZone,
      @RequestParam String password,
      RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        "/admin",
        "Created " + email.trim() + ".",
        () ->
            users.create(
                new UserService.NewUser(
                    name, email, EnumText.parse(Role.class, "role", role), timeZone, password)));
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/admin/users/{id}/role")
  String changeRole(@PathVariable UUID id, @RequestParam String role, RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        "/admin",
        null,
        () -> {
          User user =
              users.update(
                  id,
                  new UserService.UserChanges(
                      null, null, EnumText.parse(Role.class, "role", role), null, null));
          redirect.addFlashAttribute(
              "notice", user.email() + " is now " + user.role().canonical() + ".");
        });
  }

  @GetMapping("/admin/teams")
  String teamsPage(@RequestParam(required = false) @Nullable String cursor, Model model) {
    Page<Team> page = teams.list(null, Page.after(cursor), Page.DEFAULT_LIMIT);
    Map<UUID, String> names = new HashMap<>();
    model.addAttribute(
        "teams",
        page.items().stream()
            .map(
                team ->
                    new TeamView(
                        team.id(),
                        team.name(),
                        team.members().stream()
                            .map(
                                member ->
                                    new MemberView(
                                        member.userId(),
                                        names.computeIfAbsent(
                                            member.userId(), key -> Names.user(users, key)),
                                        EnumText.canonical(member.teamRole())))
                            .toList()))
            .toList());
    model.addAttribute("next", page.nextCursor());
    model.addAttribute("people", users.list(null, null, Page.MAX_LIMIT).items());
    model.addAttribute("teamRoles", EnumText.allowed(TeamRole.class));
    model.addAttribute("section", "teams");
    return "web/admin-teams";
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/admin/teams")
  String createTeam(@RequestParam String name, RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        "/admin/teams",
        "Created the team " + name.trim() + ".",
        () -> teams.create(name, List.of()));
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/admin/teams/{id}/members")
  String addMember(
      @PathVariable UUID id,
      @RequestParam UUID userId,
      @RequestParam(required = false, defaultValue = "member") String teamRole,
      RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        "/admin/teams",
        "Added " + Names.user(users, userId) + " to the team.",
        () -> {
          List<Team.Member> members = new ArrayList<>(teams.get(id).members());
          members.removeIf(member -> member.userId().equals(userId));
          members.add(
              new Team.Member(userId, EnumText.parse(TeamRole.class, "teamRole", teamRole)));
          teams.update(id, null, members);
        });
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/admin/teams/{id}/members/{userId}/remove")
  String removeMember(
      @PathVariable UUID id, @PathVariable UUID userId, RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        "/admin/teams",
        "Removed " + Names.user(users, userId) + " from the team.",
        () -> {
          List<Team.Member> members = new ArrayList<>(teams.get(id).members());
          members.removeIf(member -> member.userId().equals(userId));
          teams.update(id, null, members);
        });
  }

  @GetMapping("/admin/integrations")
  String integrationsPage(
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable UUID service,
      Model model) {
    // A service's page links here with the service chosen for its new integration.
    model.addAttribute("preselected", service);
    Page<Integration> page = integrations.list(Page.after(cursor), Page.DEFAULT_LIMIT);
    Map<UUID, String> names = new HashMap<>();
    model.addAttribute(
        "integrations",
        page.items().stream()
            .map(
                integration ->
                    new IntegrationRow(
                        integration.id(),
                        integration.name(),
                        EnumText.canonical(integration.kind()),
                        integration.serviceId(),
                        names.computeIfAbsent(
                            integration.serviceId(), key -> Names.service(services, key)),
                        integration.activeKeys(),
                        EnumText.canonical(integration.grouping().by()),
                        String.join(", ", integration.grouping().labels()),
                        integration.email() == null ? null : integration.email().address()))
            .toList());
    model.addAttribute("next", page.nextCursor());
    model.addAttribute("services", services.list(null, null, Page.MAX_LIMIT).items());
    model.addAttribute("kinds", EnumText.allowed(IntegrationKind.class));
    model.addAttribute("groupings", EnumText.allowed(Grouping.By.class));
    model.addAttribute("section", "integrations");
    Object key = model.getAttribute("revealedKey");
    Object revealedFor = model.getAttribute("revealedFor");
    if (key != null && revealedFor != null) {
      model.addAttribute(
          "revealedSnippets",
          IntegrationSnippets.of(
              integrations.get(UUID.fromString(revealedFor.toString())),
              address.baseUrl(),
              key.toString()));
    }
    return "web/admin-integrations";
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/admin/integrations")
  String createIntegration(
      @RequestParam(required = false) @Nullable UUID serviceId,
      @RequestParam String name,
      @RequestParam String kind,
      @RequestParam(required = false, defaultValue = "") String groupBy,
      @RequestParam(required = false, defaultValue = "") String groupLabels,
      RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        "/admin/integrations",
        null,
        () -> {
          if (serviceId == null) {
            throw new InvalidInputException("serviceId", "choose a service");
          }
          IntegrationService.WithKey created =
              integrations.create(
                  serviceId,
                  name,
                  EnumText.parse(IntegrationKind.class, "kind", kind),
                  groupBy.isBlank() ? null : grouping(groupBy, groupLabels));
          reveal(redirect, created.integration(), created.key(), "Created");
        });
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/admin/integrations/{id}/rotate")
  String rotateKey(
      @PathVariable UUID id,
      @RequestParam(required = false, defaultValue = "0") int graceMinutes,
      RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        "/admin/integrations",
        null,
        () -> {
          Instant graceUntil =
              graceMinutes <= 0 ? null : clock.instant().plus(Duration.ofMinutes(graceMinutes));
          String key = integrations.rotateKey(id, graceUntil);
          reveal(redirect, integrations.get(id), key, "Rotated the key of");
        });
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/admin/integrations/{id}/grouping")
  String changeGrouping(
      @PathVariable UUID id,
      @RequestParam String groupBy,
      @RequestParam(required = false, defaultValue = "") String groupLabels,
      RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        "/admin/integrations",
        null,
        () -> {
          String name = integrations.get(id).name();
          // Refused at the top of the page: the fields next to which errors show belong to the
          // form that adds an integration.
          Grouping changed;
          try {
            changed = integrations.update(id, null, grouping(groupBy, groupLabels)).grouping();
          } catch (InvalidInputException e) {
            Forms.refuse(redirect, null, unchanged(name) + e.field() + " " + e.getMessage());
            return;
          } catch (UnknownValueException e) {
            Forms.refuse(redirect, null, unchanged(name) + e.getMessage());
            return;
          }
          redirect.addFlashAttribute(
              "notice", "'" + name + "' now groups by " + EnumText.canonical(changed.by()) + ".");
        });
  }

  private static String unchanged(String integration) {
    return "The grouping of '" + integration + "' is unchanged: ";
  }

  /** A grouping as the integration forms send it: labels comma-separated. */
  private static Grouping grouping(String groupBy, String groupLabels) {
    return Grouping.of(
        "grouping",
        EnumText.parse(Grouping.By.class, "grouping.by", groupBy),
        ServicePages.labels(groupLabels));
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/admin/integrations/{id}/delete")
  String deleteIntegration(@PathVariable UUID id, RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        "/admin/integrations",
        "Deleted the integration; its keys no longer work.",
        () -> integrations.delete(id));
  }

  @GetMapping("/admin/audit")
  String auditPage(
      @RequestParam(required = false) @Nullable String actor,
      @RequestParam(required = false) @Nullable String kind,
      @RequestParam(required = false) @Nullable String from,
      @RequestParam(required = false) @Nullable String to,
      @RequestParam(required = false) @Nullable String cursor,
      @ModelAttribute("zone") ZoneId zone,
      Model model) {
    model.addAttribute("actor", blankToNull(actor));
    model.addAttribute("kind", blankToNull(kind));
    model.addAttribute("from", blankToNull(from));
    model.addAttribute("to", blankToNull(to));
    model.addAttribute("section", "audit");
    try {
      Page<AuditEvent> page =
          audit.list(
              blankToNull(actor),
              blankToNull(kind),
              Forms.localTime("from", from, zone),
              Forms.localTime("to", to, zone),
              Page.after(cursor),
              Page.DEFAULT_LIMIT);
      Map<String, String> named = new HashMap<>();
      model.addAttribute(
          "entries",
          page.items().stream()
              .map(
                  event ->
                      new AuditRow(
                          SHOWN.format(event.occurredAt().atZone(zone)),
                          event.actorName(),
                          event.kind(),
                          event.target() == null ? null : named(event.target(), named),
                          named(event.summary(), named)))
              .toList());
      model.addAttribute("next", page.nextCursor());
    } catch (InvalidInputException e) {
      model.addAttribute("entries", List.of());
      model.addAttribute("problem", e.getMessage());
      model.addAttribute("problemField", e.field());
    }
    return "web/admin-audit";
  }

  private static final java.util.regex.Pattern NAMED_ID =
      java.util.regex.Pattern.compile(
          "\\b(user|service|team) ([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\\b");

  /**
   * The audit text with "user 0190…" read as "user Riley": a person reads names, not ids. An id
   * whose user, service or team is gone stays as it is, the only trace left of it.
   */
  private String named(String text, Map<String, String> names) {
    return NAMED_ID
        .matcher(text)
        .replaceAll(
            match ->
                java.util.regex.Matcher.quoteReplacement(
                    match.group(1)
                        + " "
                        + names.computeIfAbsent(
                            match.group(1) + " " + match.group(2),
                            k -> nameOf(match.group(1), UUID.fromString(match.group(2))))));
  }

  private String nameOf(String kind, UUID id) {
    try {
      return switch (kind) {
        case "user" -> users.find(id).map(User::name).orElse(id.toString());
        case "service" -> services.get(id).name();
        default -> teams.get(id).name();
      };
    } catch (NotFoundException e) {
      return id.toString();
    }
  }

  @GetMapping("/admin/dead-letters")
  String deadLettersPage(
      @RequestParam(required = false) @Nullable String cursor,
      @ModelAttribute("zone") ZoneId zone,
      Model model) {
    Page<Outbox.Delivery> page = deadLetters.list(Page.after(cursor), Page.DEFAULT_LIMIT);
    Map<UUID, Incident> incidentOf =
        incidents.getAll(
            page.items().stream()
                .map(Outbox.Delivery::incidentId)
                .filter(Objects::nonNull)
                .collect(Collectors.toSet()));
    Map<UUID, String> names = new HashMap<>();
    model.addAttribute(
        "letters",
        page.items().stream()
            .map(
                letter -> {
                  Incident incident =
                      letter.incidentId() == null ? null : incidentOf.get(letter.incidentId());
                  return new DeadLetterRow(
                      letter.id(),
                      SHOWN.format(letter.updatedAt().atZone(zone)),
                      names.computeIfAbsent(letter.userId(), key -> Names.user(users, key)),
                      EnumText.canonical(letter.channel()),
                      incident == null ? null : incident.number(),
                      letter.attempts(),
                      letter.lastError());
                })
            .toList());
    model.addAttribute("next", page.nextCursor());
    model.addAttribute("section", "dead-letters");
    return "web/admin-dead-letters";
  }

  /** A dead letter's two buttons: replay it as a new first attempt, or discard it. */
  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/admin/dead-letters/{id}/{action}")
  String deadLetter(
      @PathVariable UUID id, @PathVariable String action, RedirectAttributes redirect) {
    boolean replay = action.equals("replay");
    return Forms.run(
        redirect,
        "/admin/dead-letters",
        replay
            ? "The message is queued again, as a new first attempt."
            : "Discarded the message; the delivery log keeps it as cancelled.",
        () -> {
          if (replay) {
            deadLetters.replay(id);
          } else if (action.equals("discard")) {
            deadLetters.discard(id);
          } else {
            throw new NotFoundException(
                "A dead letter is replayed or discarded; '" + action + "' is neither.");
          }
        });
  }

  /**
   * The "not allowed" page, with 403, where the security chain forwards a page that the viewer's
   * role may not see ({@link WebSecurity}).
   */
  @GetMapping(WebSecurity.REFUSED_PAGE)
  @ResponseStatus(HttpStatus.FORBIDDEN)
  String refused() {
    return "web/admin-denied";
  }

  /** The new key goes to the next page only, once, with where to find the setup snippets. */
  private static void reveal(
      RedirectAttributes redirect, Integration integration, String key, String what) {
    redirect.addFlashAttribute("revealedKey", key);
    redirect.addFlashAttribute("revealedFor", integration.id().toString());
    redirect.addFlashAttribute("revealedService", integration.serviceId().toString());
    redirect.addFlashAttribute("notice", what + " '" + integration.name() + "'.");
  }

  private static @Nullable String blankToNull(@Nullable String text) {
    return text == null || text.isBlank() ? null : text.trim();
  }
}
