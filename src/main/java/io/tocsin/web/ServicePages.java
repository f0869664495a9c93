package io.tocsin.web;

import io.tocsin.correlate.InhibitionRule;
import io.tocsin.correlate.InhibitionRules;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.directory.team.TeamService;
import io.tocsin.incident.IncidentQueries;
import io.tocsin.ingest.AlertMuting;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.PagingHold;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import io.tocsin.replay.DependencySuggestions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
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
 * {@code /services} and {@code /services/{id}}: the catalog, and one service with its owner, who it
 * pages now, its integrations with setup snippets, its dependencies drawn as a graph, the
 * inhibition rules that name it and its grouping settings, which admins edit here.
 */
@Controller
class ServicePages {

  /** Neighbours drawn on each side; the text list below the drawing names them all. */
  private static final int DRAWN_NEIGHBOURS = 12;

  private final ServiceCatalog services;
  private final TeamService teams;
  private final IntegrationService integrations;
  private final EscalationPolicies policies;
  private final IncidentQueries queries;
  private final InhibitionRules rules;
  private final Clock clock;
  private final PublicAddress address;
  private final PagingHold hold;
  private final DependencySuggestions suggestions;

  ServicePages(
      ServiceCatalog services,
      TeamService teams,
      IntegrationService integrations,
      EscalationPolicies policies,
      IncidentQueries queries,
      InhibitionRules rules,
      Clock clock,
      PublicAddress address,
      PagingHold hold,
      DependencySuggestions suggestions) {
    this.suggestions = suggestions;
    this.services = services;
    this.teams = teams;
    this.integrations = integrations;
    this.policies = policies;
    this.queries = queries;
    this.rules = rules;
    this.clock = clock;
    this.address = address;
    this.hold = hold;
  }

  /** A service as a row of the catalog. */
  record Row(
      UUID id,
      String name,
      @Nullable String team,
      @Nullable String policy,
      int integrations,
      String openIncidents) {}

  /** An integration with the snippets that reach it. */
  record IntegrationView(
      UUID id,
      String name,
      String kind,
      int activeKeys,
      List<IntegrationSnippets.Snippet> snippets) {}

  /** An inhibition rule as the service page lists it. */
  record RuleView(UUID id, String name, String source, String target, String equal) {}

  @GetMapping("/services")
  String list(@RequestParam(required = false) @Nullable String cursor, Model model) {
    Page<CatalogService> page = services.list(null, Page.after(cursor), Page.DEFAULT_LIMIT);
    List<UUID> ids = page.items().stream().map(CatalogService::id).toList();
    Map<UUID, Integer> integrationCounts = integrations.countByService(ids);
    Map<UUID, EscalationPolicies.Policy> policyOf = policies.ofServices(ids);
    // Counted in the database, a symptom's incidents too: a storm's thousands are counted right.
    Map<UUID, Integer> openCounts = queries.openTouchingEachService();
    Map<UUID, String> teamNames = new HashMap<>();
    List<Row> rows = new ArrayList<>();
    for (CatalogService service : page.items()) {
      EscalationPolicies.Policy policy = policyOf.get(service.id());
      int openCount = openCounts.getOrDefault(service.id(), 0);
      rows.add(
          new Row(
              service.id(),
              service.name(),
              service.ownerTeamId() == null
                  ? null
                  : teamNames.computeIfAbsent(service.ownerTeamId(), this::teamName),
              policy == null ? null : policy.name(),
              integrationCounts.getOrDefault(service.id(), 0),
              String.valueOf(openCount)));
    }
    model.addAttribute("rows", rows);
    model.addAttribute("next", page.nextCursor());
    model.addAttribute("suggestions", suggestions.list(DependencySuggestions.Status.SUGGESTED));
    choices(null, model);
    if (!model.containsAttribute("form")) {
      model.addAttribute("form", new ServiceForm("", "", null, List.of(), null));
    }
    return "web/services";
  }

  @GetMapping("/services/{id}")
  String service(@PathVariable UUID id, Model model) {
    CatalogService service = services.lookUp(id);
    model.addAttribute("service", service);
    model.addAttribute(
        "team", service.ownerTeamId() == null ? null : teamName(service.ownerTeamId()));
    onCall(service, model);
    model.addAttribute("openIncidents", queries.openTouching(id, 10));
    model.addAttribute("integrations", integrationViews(service));
    model.addAttribute("masked", IntegrationSnippets.MASKED);
    dependencies(service, model);
    model.addAttribute("rules", rules.concerning(service.name()).stream().map(this::view).toList());
    model.addAttribute("serviceLabel", AlertMuting.SERVICE_LABEL);
    model.addAttribute("groupBy", String.join(", ", service.groupBy()));
    model.addAttribute("groupDelay", groupDelay(service));
    model.addAttribute("defaultGroupDelay", hold.defaultDelay().toSeconds());
    choices(id, model);
    if (!model.containsAttribute("form")) {
      EscalationPolicies.Policy policy = policies.ofService(id).orElse(null);
      model.addAttribute(
          "form",
          new ServiceForm(
              service.name(),
              service.description(),
              service.ownerTeamId(),
              service.dependencies(),
              policy == null ? null : policy.id()));
    }
    return "web/service";
  }

  /**
   * What the service form shows: as typed when a save was refused, else the service as it is; a new
   * service's form starts empty.
   */
  record ServiceForm(
      String name,
      String description,
      @Nullable UUID teamId,
      List<UUID> dependencies,
      @Nullable UUID policyId) {

    /** What the catalog is given: the form's fields, every other setting left as it is. */
    ServiceCatalog.ServiceInput input() {
      return new ServiceCatalog.ServiceInput(
          name, description, teamId, null, null, dependencies, null, null, null, null, null);
    }
  }

  /** A choice in the form: a team, a policy, or a service to depend on. */
  record Choice(UUID id, String name) {}

  /**
   * Creates a service through the catalog, as {@code POST /api/v1/services} does, and points it at
   * its escalation policy, as {@code PUT /api/v1/services/{id}/escalation-policy} does.
   */
  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/services")
  String create(@RequestParam MultiValueMap<String, String> fields, RedirectAttributes redirect) {
    ServiceForm form = read(fields);
    try {
      requirePolicy(form.policyId());
      CatalogService created = services.create(form.input());
      if (form.policyId() != null) {
        policies.assign(created.id(), form.policyId());
      }
      redirect.addFlashAttribute(
          "notice",
          "Created " + created.name() + ". Add an integration below so that its alerts reach it.");
      return "redirect:/services/" + created.id();
    } catch (InvalidInputException | io.tocsin.platform.ConflictException | NotFoundException e) {
      refuse(redirect, form, e);
    }
    return "redirect:/services#new-service";
  }

  /** Saves a service's name, description, team, dependencies and escalation policy. */
  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/services/{id}")
  String update(
      @PathVariable UUID id,
      @RequestParam MultiValueMap<String, String> fields,
      RedirectAttributes redirect) {
    ServiceForm form = read(fields);
    try {
      requirePolicy(form.policyId());
      services.update(id, form.input());
      if (form.teamId() == null) {
        services.removeOwner(id);
      }
      UUID current = policies.ofService(id).map(EscalationPolicies.Policy::id).orElse(null);
      if (!java.util.Objects.equals(current, form.policyId())) {
        policies.assign(id, form.policyId());
      }
      redirect.addFlashAttribute("notice", "Saved " + form.name().trim() + ".");
    } catch (InvalidInputException | io.tocsin.platform.ConflictException e) {
      refuse(redirect, form, e);
    }
    return "redirect:/services/" + id + "#edit-service";
  }

  /**
   * Says on the form what was refused (an invalid field by its name; a name taken or a reference
   * gone at the name) and keeps what was typed.
   */
  private static void refuse(RedirectAttributes redirect, ServiceForm form, RuntimeException e) {
    if (e instanceof InvalidInputException invalid) {
      Forms.refuse(redirect, "service-" + invalid.field(), sentence(invalid));
    } else {
      Forms.refuse(redirect, "service-name", java.util.Objects.requireNonNull(e.getMessage()));
    }
    redirect.addFlashAttribute("form", form);
  }

  private void requirePolicy(@Nullable UUID policyId) {
    if (policyId != null && policies.findById(policyId).isEmpty()) {
      throw new InvalidInputException("policyId", "that escalation policy no longer exists");
    }
  }

  /** The refusal as a sentence that names the field in words, not its JSON name. */
  private static String sentence(InvalidInputException e) {
    String field =
        switch (e.field()) {
          case "name" -> "The name";
          case "description" -> "The description";
          case "ownerTeamId" -> "The team";
          case "dependencies" -> "The dependencies";
          case "policyId" -> "The escalation policy";
          default -> e.field();
        };
    return field + " " + e.getMessage() + ".";
  }

  /** The teams, policies and other services the service form offers. */
  private void choices(@Nullable UUID self, Model model) {
    model.addAttribute(
        "teamChoices",
        teams.list(null, null, Page.MAX_LIMIT).items().stream()
            .map(team -> new Choice(team.id(), team.name()))
            .toList());
    model.addAttribute(
        "policyChoices",
        policies.list(null, Page.MAX_LIMIT).items().stream()
            .map(policy -> new Choice(policy.id(), policy.name()))
            .toList());
    model.addAttribute(
        "serviceChoices",
        services.names().entrySet().stream()
            .filter(entry -> !entry.getKey().equals(self))
            .map(entry -> new Choice(entry.getKey(), entry.getValue()))
            .toList());
  }

  /**
   * The service form as posted: a field left out is empty, a blank choice is none, and a choice
   * that is not an id is refused.
   */
  private static ServiceForm read(MultiValueMap<String, String> fields) {
    return new ServiceForm(
        field(fields, "name"),
        field(fields, "description"),
        id(field(fields, "teamId")),
        ids(fields.get("dependencies")),
        id(field(fields, "policyId")));
  }

  private static String field(MultiValueMap<String, String> fields, String name) {
    String value = fields.getFirst(name);
    return value == null ? "" : value;
  }

  private static @Nullable UUID id(String text) {
    if (text.isBlank()) {
      return null;
    }
    try {
      return UUID.fromString(text.trim());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("id", "'" + text + "' is not an id");
    }
  }

  private static List<UUID> ids(@Nullable List<String> texts) {
    List<UUID> ids = new ArrayList<>();
    for (String text : texts == null ? List.<String>of() : texts) {
      UUID id = id(text);
      if (id != null) {
        ids.add(id);
      }
    }
    return ids;
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/services/{id}/inhibition-rules")
  String addRule(
      @PathVariable UUID id,
      @RequestParam String name,
      @RequestParam String source,
      @RequestParam String target,
      @RequestParam(required = false, defaultValue = "") String equal,
      RedirectAttributes redirect) {
    String back = "/services/" + id + "#rules";
    return Forms.run(
        redirect,
        back,
        "Added the inhibition rule '" + name.trim() + "'.",
        () -> {
          try {
            rules.create(
                new InhibitionRules.RuleInput(
                    name, matchers("source", source), matchers("target", target), labels(equal)));
          } catch (InvalidInputException e) {
            // Errors name equal[0] or sourceMatchers[1].value; the form has one field for each.
            String field = e.field();
            throw new InvalidInputException(
                field.startsWith("equal")
                    ? "equal"
                    : field.startsWith("sourceMatchers")
                        ? "source"
                        : field.startsWith("targetMatchers") ? "target" : field,
                e.getMessage());
          }
        });
  }

  /** A suggested dependency's two buttons: add the dependency, or never suggest it again. */
  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/services/suggestions/{id}/{decision}")
  String decide(@PathVariable UUID id, @PathVariable String decision, RedirectAttributes redirect) {
    DependencySuggestions.DependencySuggestion suggestion = suggestions.get(id);
    String pair = suggestion.service().name() + " depends on " + suggestion.dependsOn().name();
    boolean accept = decision.equals("accept");
    return Forms.run(
        redirect,
        "/services#suggestions",
        accept ? "Added the dependency: " + pair + "." : "Dismissed: " + pair + ".",
        () -> {
          if (accept) {
            suggestions.accept(id);
          } else if (decision.equals("dismiss")) {
            suggestions.dismiss(id);
          } else {
            throw new NotFoundException(
                "A suggestion is accepted or dismissed; '" + decision + "' is neither.");
          }
        });
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/services/{id}/delete")
  String delete(@PathVariable UUID id, RedirectAttributes redirect) {
    String name = services.get(id).name();
    return Forms.delete(
        redirect,
        "/services",
        "/services/" + id + "#delete",
        "Deleted the service " + name + ".",
        () -> services.delete(id));
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/services/{id}/inhibition-rules/{ruleId}/delete")
  String deleteRule(@PathVariable UUID id, @PathVariable UUID ruleId, RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        "/services/" + id + "#rules",
        "Deleted the inhibition rule.",
        () -> rules.delete(ruleId));
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/services/{id}/grouping")
  String grouping(
      @PathVariable UUID id,
      @RequestParam(required = false, defaultValue = "") String groupBy,
      @RequestParam String flapWindowMinutes,
      @RequestParam(required = false, defaultValue = "") String groupDelaySeconds,
      @RequestParam(required = false, defaultValue = "false") boolean autoResolve,
      RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        "/services/" + id + "#grouping",
        "Saved the grouping settings.",
        () -> {
          Integer delay =
              groupDelaySeconds.isBlank()
                  ? null
                  : number(groupDelaySeconds, "groupDelaySeconds", "seconds");
          services.update(
              id,
              new ServiceCatalog.ServiceInput(
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  labels(groupBy),
                  number(flapWindowMinutes, "flapWindowMinutes", "minutes"),
                  delay,
                  autoResolve,
                  null));
          if (delay == null) {
            services.useDefaultGroupDelay(id);
          }
        });
  }

  /** How long a new incident of the service waits before its first page, in words. */
  private String groupDelay(CatalogService service) {
    long seconds = hold.delayOf(service).toSeconds();
    String delay = seconds + " s" + (service.groupDelaySeconds() == null ? " (the default)" : "");
    if (hold.holdFor(service).isEmpty()) {
      // A service with no dependencies is the end of every chain: nothing could take it over.
      return service.dependencies().isEmpty()
          ? "never held: no dependencies"
          : delay + ": pages at once";
    }
    return delay;
  }

  private void onCall(CatalogService service, Model model) {
    EscalationPolicies.Policy policy = policies.ofService(service.id()).orElse(null);
    model.addAttribute("policy", policy);
    if (policy == null || policy.levels().isEmpty()) {
      return;
    }
    Function<EscalationPolicies.Target, EscalationPolicies.ResolvedTarget> resolver =
        policies.resolverAt(clock.instant());
    List<String> people = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<EscalationPolicies.Target> targets = policy.levels().get(0).targets();
    for (EscalationPolicies.Target target :
        targets == null ? List.<EscalationPolicies.Target>of() : targets) {
      EscalationPolicies.ResolvedTarget resolved = resolver.apply(target);
      resolved.people().forEach(user -> people.add(user.name()));
      if (resolved.problem() != null) {
        problems.add(resolved.problem());
      }
    }
    model.addAttribute("pagedNow", people.stream().distinct().toList());
    model.addAttribute("pageProblem", problems.isEmpty() ? null : String.join("; ", problems));
  }

  private List<IntegrationView> integrationViews(CatalogService service) {
    String base = address.baseUrl();
    return integrations.listForService(service.id()).stream()
        .map(
            integration ->
                new IntegrationView(
                    integration.id(),
                    integration.name(),
                    EnumText.canonical(integration.kind()),
                    integration.activeKeys(),
                    IntegrationSnippets.of(integration, base, IntegrationSnippets.MASKED)))
        .toList();
  }

  private void dependencies(CatalogService service, Model model) {
    DependencyGraph graph = services.dependencyGraph();
    Map<UUID, DependencyDrawing.Service> known = new HashMap<>();
    Function<UUID, DependencyDrawing.Service> lookup = id -> known.computeIfAbsent(id, this::drawn);
    List<DependencyDrawing.Service> needs = service.dependencies().stream().map(lookup).toList();
    List<DependencyDrawing.Service> neededBy =
        graph.directDependents(service.id()).stream().map(lookup).toList();
    model.addAttribute(
        "graph",
        DependencyDrawing.of(
            new DependencyDrawing.Service(service.name(), "/services/" + service.id()),
            neededBy.subList(0, Math.min(DRAWN_NEIGHBOURS, neededBy.size())),
            needs.subList(0, Math.min(DRAWN_NEIGHBOURS, needs.size()))));
    model.addAttribute("needs", needs);
    model.addAttribute("neededBy", neededBy);
    List<UUID> direct = service.dependencies();
    model.addAttribute(
        "needsThroughOthers",
        graph.closure(service.id()).stream()
            .filter(other -> !direct.contains(other))
            .limit(Page.DEFAULT_LIMIT)
            .map(lookup)
            .toList());
  }

  private DependencyDrawing.Service drawn(UUID id) {
    try {
      return new DependencyDrawing.Service(services.get(id).name(), "/services/" + id);
    } catch (NotFoundException e) {
      return new DependencyDrawing.Service(Names.DELETED_SERVICE, "/services");
    }
  }

  private RuleView view(InhibitionRule rule) {
    return new RuleView(
        rule.id(),
        rule.name(),
        matcherText(rule.sourceMatchers()),
        matcherText(rule.targetMatchers()),
        String.join(", ", rule.equal()));
  }

  private static String matcherText(List<LabelMatcher> matchers) {
    return matchers.stream().map(LabelMatcher::toString).collect(Collectors.joining(", "));
  }

  /** Matchers as typed, {@code alertname="DatabaseDown", cluster=~"eu-.*"}. */
  private static List<LabelMatcher> matchers(String field, String text) {
    if (text.isBlank()) {
      return List.of();
    }
    try {
      return LabelMatcher.parseAll(text);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(field, e.getMessage());
    }
  }

  /** A comma-separated list of label names. */
  static List<String> labels(String text) {
    return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static Integer number(String text, String field, String unit) {
    try {
      return Integer.valueOf(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(field, "must be a whole number of " + unit);
    }
  }

  private String teamName(UUID id) {
    try {
      return teams.get(id).name();
    } catch (NotFoundException e) {
      return "deleted team";
    }
  }
}
