package io.tocsin.replay;

import io.tocsin.config.ConfigDocument;
import io.tocsin.config.ConfigImport;
import io.tocsin.correlate.InhibitionRule;
import io.tocsin.correlate.InhibitionRules;
import io.tocsin.correlate.Silence;
import io.tocsin.correlate.SilenceState;
import io.tocsin.correlate.Silences;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.incident.CauseReachability;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.Schedules;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The configuration as it is now, and with a candidate document laid over it. In a candidate, what
 * is left out stays as now: a service entry changes only the settings it gives of the service it
 * names (its dependencies, grouping labels, flap window, resolving when its alerts resolve, group
 * delay, escalation policy), a schedule or an escalation policy replaces the one of its name or
 * adds one, and a list of inhibition rules or of silences replaces all of them.
 */
@Component
class ReplayConfigurations {

  private final ServiceCatalog services;
  private final IntegrationService integrations;
  private final Silences silences;
  private final InhibitionRules rules;
  private final ObjectProvider<CauseReachability> reachability;
  private final EscalationPolicies policies;
  private final Schedules schedules;
  private final UserService users;
  private final Clock clock;

  ReplayConfigurations(
      ServiceCatalog services,
      IntegrationService integrations,
      Silences silences,
      InhibitionRules rules,
      ObjectProvider<CauseReachability> reachability,
      EscalationPolicies policies,
      Schedules schedules,
      UserService users,
      Clock clock) {
    this.policies = policies;
    this.schedules = schedules;
    this.users = users;
    this.services = services;
    this.integrations = integrations;
    this.silences = silences;
    this.rules = rules;
    this.reachability = reachability;
    this.clock = clock;
  }

  ReplayConfiguration current() {
    Map<UUID, CatalogService> all = new LinkedHashMap<>();
    for (UUID id : services.names().keySet()) {
      try {
        all.put(id, services.get(id));
      } catch (NotFoundException e) {
        // Deleted while being read: its alerts go to nobody, as live.
      }
    }
    Map<UUID, Grouping> groupings = new HashMap<>();
    return new ReplayConfiguration(
        all,
        services.dependencyGraph(),
        integration -> groupings.computeIfAbsent(integration, this::grouping),
        silences.list(List.of(), null),
        rules.list(),
        (service, severity) -> {
          CauseReachability reach = reachability.getIfAvailable();
          return reach == null || reach.reachesSomeone(service, severity);
        },
        Map.of(),
        Map.of(),
        Map.of());
  }

  /** The configuration {@code now} with the candidate's changes: what it leaves out stays. */
  ReplayConfiguration with(ReplayConfiguration now, ConfigDocument candidate) {
    refuseWhatIsNotReplayed(candidate);
    return build(now, candidate, false);
  }

  /**
   * The configuration a whole document makes, as its import would: a service it leaves out is
   * deleted (its alerts reach nobody), a setting it leaves out takes its default, and no inhibition
   * rule or silence stays that it does not list. Paging stays as now: the import's dry run says
   * which of its changes a replay does not try.
   */
  ReplayConfiguration whole(ReplayConfiguration now, ConfigDocument document) {
    return build(now, document, true);
  }

  private ReplayConfiguration build(
      ReplayConfiguration now, ConfigDocument candidate, boolean whole) {
    Map<String, UUID> byName = new HashMap<>();
    now.services().values().forEach(s -> byName.put(s.name().toLowerCase(Locale.ROOT), s.id()));
    Map<UUID, CatalogService> changed =
        whole ? new LinkedHashMap<>() : new LinkedHashMap<>(now.services());
    CandidatePaging paging = candidatePaging(candidate, whole);
    Map<String, UUID> policyIds = paging.policyIds();
    Map<UUID, Optional<UUID>> policyOfService = new HashMap<>();
    boolean dependenciesChanged = whole;
    List<ConfigDocument.ServiceEntry> entries =
        candidate.services() == null ? List.of() : candidate.services();
    for (int i = 0; i < entries.size(); i++) {
      ConfigDocument.ServiceEntry entry = entries.get(i);
      String field = "services[" + i + "]";
      UUID id =
          whole
              ? byName.get(String.valueOf(entry.name()).toLowerCase(Locale.ROOT))
              : serviceId(byName, entry.name(), field + ".name");
      if (id == null) {
        // New in the document: it has no alerts to replay.
        continue;
      }
      CatalogService service = Objects.requireNonNull(now.services().get(id));
      List<UUID> dependencies = whole ? List.of() : service.dependencies();
      if (entry.dependsOn() != null) {
        List<UUID> named = new ArrayList<>();
        for (int d = 0; d < entry.dependsOn().size(); d++) {
          String name = entry.dependsOn().get(d);
          if (whole) {
            Optional.ofNullable(byName.get(String.valueOf(name).toLowerCase(Locale.ROOT)))
                .ifPresent(named::add);
          } else {
            named.add(serviceId(byName, name, field + ".dependsOn[" + d + "]"));
          }
        }
        dependencies = List.copyOf(named);
        dependenciesChanged = true;
      }
      List<String> groupBy = whole ? ServiceCatalog.DEFAULT_GROUP_BY : service.groupBy();
      int flapWindow =
          whole ? ServiceCatalog.DEFAULT_FLAP_WINDOW_MINUTES : service.flapWindowMinutes();
      boolean autoResolve = whole || service.autoResolve();
      if (entry.escalationPolicy() != null) {
        UUID policy = policyIds.get(entry.escalationPolicy().toLowerCase(Locale.ROOT));
        if (policy == null) {
          throw new InvalidInputException(
              field + ".escalationPolicy",
              "no escalation policy is named '" + entry.escalationPolicy() + "'");
        }
        policyOfService.put(id, Optional.of(policy));
      } else if (whole) {
        policyOfService.put(id, Optional.empty());
      }
      Integer groupDelay = whole ? null : service.groupDelaySeconds();
      if (entry.groupDelaySeconds() != null) {
        if (entry.groupDelaySeconds() < 0
            || entry.groupDelaySeconds() > ServiceCatalog.MAX_GROUP_DELAY_SECONDS) {
          throw new InvalidInputException(
              field + ".groupDelaySeconds",
              "must be 0 to " + ServiceCatalog.MAX_GROUP_DELAY_SECONDS + " seconds");
        }
        groupDelay = entry.groupDelaySeconds();
      }
      changed.put(
          id,
          new CatalogService(
              service.id(),
              service.name(),
              service.description(),
              service.ownerTeamId(),
              service.runbookUrls(),
              service.labels(),
              dependencies,
              entry.groupBy() == null ? groupBy : List.copyOf(entry.groupBy()),
              entry.flapWindowMinutes() == null ? flapWindow : entry.flapWindowMinutes(),
              groupDelay,
              service.aliases(),
              entry.autoResolve() == null ? autoResolve : entry.autoResolve(),
              service.createdAt(),
              service.updatedAt()));
    }
    DependencyGraph graph = now.graph();
    if (dependenciesChanged) {
      List<Map.Entry<UUID, UUID>> edges = new ArrayList<>();
      changed.values().forEach(s -> s.dependencies().forEach(d -> edges.add(Map.entry(s.id(), d))));
      graph = DependencyGraph.of(edges);
    }
    List<ConfigDocument.SilenceEntry> silenceEntries =
        candidate.silences() == null && whole ? List.of() : candidate.silences();
    List<ConfigDocument.InhibitionEntry> ruleEntries =
        candidate.inhibitionRules() == null && whole ? List.of() : candidate.inhibitionRules();
    List<Silence> silenced = silenceEntries == null ? now.silences() : silences(silenceEntries);
    if (whole) {
      // A document holds the silences in force or to come; an import leaves the ended ones be.
      Instant at = clock.instant();
      List<Silence> kept = new ArrayList<>(silenced);
      now.silences().stream().filter(s -> s.state(at) == SilenceState.EXPIRED).forEach(kept::add);
      silenced = kept;
    }
    return new ReplayConfiguration(
        changed,
        graph,
        now.grouping(),
        silenced,
        ruleEntries == null ? now.inhibitionRules() : inhibitionRules(ruleEntries),
        now.reachesSomeone(),
        policyOfService,
        paging.policies(),
        paging.schedules());
  }

  /**
   * A candidate's schedules and escalation policies, checked as their import would check them, each
   * under the id of the one of its name (a new one under an id of its own), and the policies' ids
   * by name as the services of the candidate may name them.
   */
  private record CandidatePaging(
      Map<UUID, Schedules.Schedule> schedules,
      Map<UUID, EscalationPolicies.Policy> policies,
      Map<String, UUID> policyIds) {}

  /**
   * The candidate's paging. Laid over the configuration, it names people by email and the schedules
   * and policies as they are or as it changes them; a whole document names only its own.
   */
  private CandidatePaging candidatePaging(ConfigDocument candidate, boolean whole) {
    Map<String, UUID> scheduleIds = new HashMap<>();
    Map<String, UUID> policyIds = new HashMap<>();
    Map<String, UUID> savedSchedules = new HashMap<>();
    Page.all(after -> schedules.list(after, Page.MAX_LIMIT), Schedules.Schedule::id)
        .forEach(s -> savedSchedules.put(s.name().toLowerCase(Locale.ROOT), s.id()));
    Map<String, UUID> savedPolicies = new HashMap<>();
    Page.all(after -> policies.list(after, Page.MAX_LIMIT), EscalationPolicies.Policy::id)
        .forEach(p -> savedPolicies.put(p.name().toLowerCase(Locale.ROOT), p.id()));
    if (!whole) {
      scheduleIds.putAll(savedSchedules);
      policyIds.putAll(savedPolicies);
    }
    Map<UUID, Schedules.Schedule> changedSchedules = new HashMap<>();
    Map<UUID, EscalationPolicies.Policy> changedPolicies = new HashMap<>();
    List<ConfigDocument.ScheduleEntry> scheduleEntries =
        candidate.schedules() == null ? List.of() : candidate.schedules();
    List<ConfigDocument.PolicyEntry> policyEntries =
        candidate.escalationPolicies() == null ? List.of() : candidate.escalationPolicies();
    if (scheduleEntries.isEmpty() && policyEntries.isEmpty()) {
      return new CandidatePaging(changedSchedules, changedPolicies, policyIds);
    }
    Map<String, UUID> people = new HashMap<>();
    Page.all(after -> users.list(null, after, Page.MAX_LIMIT), User::id)
        .forEach(user -> people.put(user.email().toLowerCase(Locale.ROOT), user.id()));
    BiFunction<String, String, UUID> person =
        (email, field) -> known(people, email, field, "person");
    for (int i = 0; i < scheduleEntries.size(); i++) {
      ConfigDocument.ScheduleEntry entry = scheduleEntries.get(i);
      String field = "schedules[" + i + "]";
      UUID id = idFor(entry.name(), field, savedSchedules, scheduleIds);
      changedSchedules.put(
          id, refusedAt(field, () -> schedules.check(id, entry.input(field + ".layers", person))));
    }
    for (int i = 0; i < policyEntries.size(); i++) {
      ConfigDocument.PolicyEntry entry = policyEntries.get(i);
      String field = "escalationPolicies[" + i + "]";
      UUID id = idFor(entry.name(), field, savedPolicies, policyIds);
      EscalationPolicies.PolicyInput input =
          entry.input(
              field + ".levels", person, (name, at) -> known(scheduleIds, name, at, "schedule"));
      changedPolicies.put(
          id, refusedAt(field, () -> policies.check(id, input, changedSchedules.keySet())));
    }
    return new CandidatePaging(changedSchedules, changedPolicies, policyIds);
  }

  /**
   * The id of what the candidate names: the saved one's of that name, so that what refers to it
   * follows the candidate's, or a new one; {@code ids} learns it.
   */
  private static UUID idFor(
      @Nullable String name, String field, Map<String, UUID> saved, Map<String, UUID> ids) {
    if (name == null || name.isBlank()) {
      throw new InvalidInputException(field + ".name", "is required");
    }
    String key = name.toLowerCase(Locale.ROOT);
    UUID id = saved.getOrDefault(key, UUID.randomUUID());
    ids.put(key, id);
    return id;
  }

  /** What {@code check} answers; its refusal names the field inside the candidate's entry. */
  private static <T> T refusedAt(String field, Supplier<T> check) {
    try {
      return check.get();
    } catch (InvalidInputException e) {
      throw new InvalidInputException(field + "." + e.field(), e.getMessage());
    }
  }

  private static UUID known(Map<String, UUID> ids, String name, String field, String what) {
    UUID id = ids.get(name.toLowerCase(Locale.ROOT));
    if (id == null) {
      throw new InvalidInputException(field, "no " + what + " is known as '" + name + "'");
    }
    return id;
  }

  /** The service settings a replay tries; a service's other settings decide no incident. */
  private static final Set<String> REPLAYED_SERVICE_FIELDS =
      Set.of(
          "dependsOn",
          "groupBy",
          "groupDelaySeconds",
          "escalationPolicy",
          "flapWindowMinutes",
          "autoResolve",
          "description",
          "ownerTeam",
          "runbookUrls",
          "labels",
          "aliases");

  /**
   * Whether a replay under the imported document covers this change of its import: services'
   * settings but their integrations; schedules, escalation policies, inhibition rules and silences;
   * and teams and templates, which decide no incident and no page.
   */
  static boolean replays(ConfigImport.Change change) {
    return switch (change.kind()) {
      case "service" -> REPLAYED_SERVICE_FIELDS.containsAll(change.fields());
      case "schedule", "escalation policy", "inhibition rule", "silence", "team", "template" ->
          true;
      default -> false;
    };
  }

  /**
   * A candidate's change that a replay would not try is refused rather than left out, so that no
   * answer seems to cover it: paging is replayed as set up now.
   */
  private static void refuseWhatIsNotReplayed(ConfigDocument candidate) {
    String notYet = "a replay does not try changes to ";
    if (candidate.teams() != null) {
      throw new InvalidInputException("teams", notYet + "teams, which decide no incident");
    }
    if (candidate.templates() != null) {
      throw new InvalidInputException("templates", notYet + "templates, which decide no page");
    }
    List<ConfigDocument.ServiceEntry> services =
        candidate.services() == null ? List.of() : candidate.services();
    for (int i = 0; i < services.size(); i++) {
      ConfigDocument.ServiceEntry entry = services.get(i);
      String field = "services[" + i + "].";
      if (entry.integrations() != null) {
        throw new InvalidInputException(
            field + "integrations", notYet + "integrations and their routing yet");
      }
    }
  }

  private Grouping grouping(UUID integration) {
    try {
      return integrations.grouping(integration);
    } catch (NotFoundException e) {
      return new Grouping(Grouping.By.SERVICE, List.of());
    }
  }

  private static UUID serviceId(Map<String, UUID> byName, @Nullable String name, String field) {
    if (name == null || name.isBlank()) {
      throw new InvalidInputException(field, "is required");
    }
    UUID id = byName.get(name.toLowerCase(Locale.ROOT));
    if (id == null) {
      throw new InvalidInputException(
          field,
          "no service is named '"
              + name
              + "': a replay changes services that exist, whose alerts it replays");
    }
    return id;
  }

  private List<InhibitionRule> inhibitionRules(List<ConfigDocument.InhibitionEntry> entries) {
    List<InhibitionRule> candidate = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      ConfigDocument.InhibitionEntry entry = entries.get(i);
      String field = "inhibitionRules[" + i + "]";
      List<LabelMatcher> targets = matchers(entry.targetMatchers(), field + ".targetMatchers");
      List<LabelMatcher> sources = matchers(entry.sourceMatchers(), field + ".sourceMatchers");
      if (sources.isEmpty() || targets.isEmpty()) {
        throw new InvalidInputException(
            field, "needs at least one source matcher and one target matcher");
      }
      candidate.add(
          new InhibitionRule(
              UUID.randomUUID(),
              entry.name() == null ? "rule " + (i + 1) : entry.name(),
              sources,
              targets,
              entry.equal() == null ? List.of() : entry.equal(),
              clock.instant()));
    }
    return candidate;
  }

  private List<Silence> silences(List<ConfigDocument.SilenceEntry> entries) {
    List<Silence> candidate = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      ConfigDocument.SilenceEntry entry = entries.get(i);
      String field = "silences[" + i + "]";
      List<LabelMatcher> matchers = matchers(entry.matchers(), field + ".matchers");
      if (matchers.isEmpty()) {
        throw new InvalidInputException(field + ".matchers", "needs at least one matcher");
      }
      if (entry.startsAt() == null || entry.endsAt() == null) {
        throw new InvalidInputException(field, "needs startsAt and endsAt");
      }
      if (!entry.startsAt().isBefore(entry.endsAt())) {
        throw new InvalidInputException(field + ".endsAt", "must be after startsAt");
      }
      candidate.add(
          new Silence(
              UUID.randomUUID(),
              matchers,
              entry.startsAt(),
              entry.endsAt(),
              entry.createdBy() == null ? "replay" : entry.createdBy(),
              entry.comment() == null ? "" : entry.comment(),
              clock.instant()));
    }
    return candidate;
  }

  private static List<LabelMatcher> matchers(@Nullable List<String> texts, String field) {
    List<LabelMatcher> matchers = new ArrayList<>();
    if (texts != null) {
      for (int i = 0; i < texts.size(); i++) {
        try {
          matchers.addAll(LabelMatcher.parseAll(texts.get(i)));
        } catch (InvalidInputException e) {
          throw new InvalidInputException(field + "[" + i + "]", e.getMessage());
        }
      }
    }
    return matchers;
  }
}
