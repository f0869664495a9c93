package io.tocsin.config;

import io.tocsin.config.ConfigDocument.InhibitionEntry;
import io.tocsin.config.ConfigDocument.IntegrationEntry;
import io.tocsin.config.ConfigDocument.MemberEntry;
import io.tocsin.config.ConfigDocument.PolicyEntry;
import io.tocsin.config.ConfigDocument.ScheduleEntry;
import io.tocsin.config.ConfigDocument.ServiceEntry;
import io.tocsin.config.ConfigDocument.SilenceEntry;
import io.tocsin.config.ConfigDocument.TeamEntry;
import io.tocsin.config.ConfigDocument.TemplateEntry;
import io.tocsin.correlate.InhibitionRules;
import io.tocsin.correlate.SilenceState;
import io.tocsin.correlate.Silences;
import io.tocsin.directory.integration.EmailRules;
import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.integration.Integration;
import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.directory.team.Team;
import io.tocsin.directory.team.TeamRole;
import io.tocsin.directory.team.TeamService;
import io.tocsin.incident.Actor;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.Routing;
import io.tocsin.ingest.heartbeat.Heartbeats;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.Templates;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.Schedules;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Page;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes an installation's setup what a {@link ConfigDocument} says: what the document has and
 * Tocsin lacks is created, what differs is changed, and what Tocsin has and the document lacks is
 * deleted, all in one transaction. A dry run does the same work and rolls it back, so it answers
 * with the exact changes and refuses exactly what the real import would refuse.
 */
@Service
public class ConfigImport {

  /** One object the import creates, updates or deletes; {@code fields} are the ones it changes. */
  public record Change(String action, String kind, String name, List<String> fields) {}

  /** The key of an integration the import created: shown once, like every new key. */
  public record NewKey(String service, String integration, String key) {}

  public record Result(
      boolean dryRun,
      List<Change> changes,
      int created,
      int updated,
      int deleted,
      int unchanged,
      List<NewKey> integrationKeys) {}

  private final ConfigExport export;
  private final TeamService teams;
  private final ServiceCatalog services;
  private final IntegrationService integrations;
  private final Routing routing;
  private final Schedules schedules;
  private final EscalationPolicies policies;
  private final InhibitionRules inhibitionRules;
  private final Silences silences;
  private final Templates templates;
  private final Heartbeats heartbeats;
  private final TransactionTemplate transactions;
  private final JsonMapper json;
  private final Clock clock;

  ConfigImport(
      ConfigExport export,
      TeamService teams,
      ServiceCatalog services,
      IntegrationService integrations,
      Routing routing,
      Schedules schedules,
      EscalationPolicies policies,
      InhibitionRules inhibitionRules,
      Silences silences,
      Templates templates,
      Heartbeats heartbeats,
      TransactionTemplate transactions,
      JsonMapper json,
      Clock clock) {
    this.export = export;
    this.teams = teams;
    this.services = services;
    this.integrations = integrations;
    this.routing = routing;
    this.schedules = schedules;
    this.policies = policies;
    this.inhibitionRules = inhibitionRules;
    this.silences = silences;
    this.templates = templates;
    this.heartbeats = heartbeats;
    this.transactions = transactions;
    this.json = json;
    this.clock = clock;
  }

  public Result apply(ConfigDocument document, boolean dryRun) {
    ConfigDocument wanted = Normalized.of(document);
    return Objects.requireNonNull(
        transactions.execute(
            status -> {
              ConfigExport.Snapshot before = export.read();
              Run run = new Run(before.document(), wanted, before.names());
              Result result = run.apply(dryRun);
              if (dryRun) {
                status.setRollbackOnly();
              }
              return result;
            }));
  }

  /** One import: the state before, the document, and what has been done so far. */
  private final class Run {
    private final ConfigDocument current;
    private final Map<String, ServiceEntry> currentServices;
    private final ConfigDocument wanted;
    private final Names names;
    private final List<Change> changes = new ArrayList<>();
    private final List<NewKey> keys = new ArrayList<>();
    private int unchanged;

    Run(ConfigDocument current, ConfigDocument wanted, Names names) {
      this.current = current;
      this.currentServices = byKey(current.services(), ServiceEntry::name);
      this.wanted = wanted;
      this.names = names;
    }

    Result apply(boolean dryRun) {
      Diff<TeamEntry> teamDiff = diff("team", current.teams(), wanted.teams(), TeamEntry::name);
      Diff<ServiceEntry> serviceDiff =
          diff("service", current.services(), wanted.services(), ServiceEntry::name);
      List<IntegrationEntry> currentIntegrations = integrationsOf(current);
      Diff<IntegrationEntry> integrationDiff =
          diff("integration", currentIntegrations, integrationsOf(wanted), IntegrationEntry::name);
      Diff<ScheduleEntry> scheduleDiff =
          diff("schedule", current.schedules(), wanted.schedules(), ScheduleEntry::name);
      Diff<PolicyEntry> policyDiff =
          diff(
              "escalation policy",
              current.escalationPolicies(),
              wanted.escalationPolicies(),
              PolicyEntry::name);
      Diff<InhibitionEntry> ruleDiff =
          diff(
              "inhibition rule",
              current.inhibitionRules(),
              wanted.inhibitionRules(),
              InhibitionEntry::name);
      Diff<SilenceEntry> silenceDiff =
          diff("silence", current.silences(), wanted.silences(), Normalized::silenceKey);
      Diff<TemplateEntry> templateDiff =
          diff("template", current.templates(), wanted.templates(), Normalized::templateKey);

      // Order matters: what others refer to is created first and deleted last.
      teamDiff.created().forEach(this::createTeam);
      teamDiff.changed().forEach(this::updateTeam);
      serviceDiff.created().forEach(this::createService);
      serviceDiff.changed().forEach(this::updateService);
      for (ServiceEntry service : serviceDiff.removed()) {
        services.update(id(service), dependencies(List.of()));
      }
      Objects.requireNonNull(wanted.services()).forEach(this::setDependencies);
      Map<String, IntegrationEntry> integrationsBefore =
          byKey(currentIntegrations, IntegrationEntry::name);
      integrationDiff.removed().forEach(this::deleteIntegration);
      for (IntegrationEntry changed : integrationDiff.changed()) {
        // Another kind is another integration, with a new key; new heartbeat times or a new
        // grouping are not.
        IntegrationEntry before = Objects.requireNonNull(integrationsBefore.get(changed.name()));
        if (Objects.equals(before.kind(), changed.kind())) {
          UUID id = existingIntegration(changed).id();
          if (!Objects.equals(before.grouping(), changed.grouping())) {
            integrations.update(id, null, grouping(changed));
          }
          if (!Objects.equals(before.email(), changed.email())) {
            integrations.update(id, null, null, emailRules(changed));
          }
          configureHeartbeat(id, changed);
          if (!Objects.equals(before.routing(), changed.routing())) {
            route(id, changed);
          }
        } else {
          deleteIntegration(changed);
          createIntegration(changed);
        }
      }
      integrationDiff.created().forEach(this::createIntegration);
      scheduleDiff.created().forEach(this::createSchedule);
      scheduleDiff.changed().forEach(this::replaceSchedule);
      policyDiff.created().forEach(this::createPolicy);
      policyDiff.changed().forEach(this::replacePolicy);
      wanted.services().forEach(this::assignPolicy);
      Map<String, UUID> ruleIds = new HashMap<>();
      inhibitionRules.list().forEach(rule -> ruleIds.put(rule.name(), rule.id()));
      ruleDiff
          .removed()
          .forEach(
              rule -> inhibitionRules.delete(Objects.requireNonNull(ruleIds.get(rule.name()))));
      ruleDiff
          .changed()
          .forEach(
              rule -> inhibitionRules.delete(Objects.requireNonNull(ruleIds.get(rule.name()))));
      ruleDiff.changed().forEach(this::createRule);
      ruleDiff.created().forEach(this::createRule);
      Instant now = clock.instant();
      Map<String, UUID> silenceIds = new HashMap<>();
      silences.list(List.of(), null).stream()
          .filter(silence -> silence.state(now) != SilenceState.EXPIRED)
          .forEach(
              silence ->
                  silenceIds.put(
                      Normalized.silenceKey(ConfigExport.silenceEntry(silence)), silence.id()));
      silenceDiff
          .removed()
          .forEach(
              s ->
                  silences.expire(
                      Objects.requireNonNull(silenceIds.get(Normalized.silenceKey(s)))));
      silenceDiff
          .changed()
          .forEach(
              s ->
                  silences.update(
                      Objects.requireNonNull(silenceIds.get(Normalized.silenceKey(s))), input(s)));
      silenceDiff.created().forEach(this::createSilence);
      templateDiff.removed().forEach(this::resetTemplate);
      templateDiff.changed().forEach(this::saveTemplate);
      templateDiff.created().forEach(this::saveTemplate);
      for (ServiceEntry service : serviceDiff.removed()) {
        UUID id = id(service);
        policies.assign(id, null);
        services.delete(id);
      }
      policyDiff.removed().forEach(p -> policies.delete(names.policyId(p.name(), "policy")));
      scheduleDiff.removed().forEach(s -> schedules.delete(names.scheduleId(s.name(), "schedule")));
      teamDiff.removed().forEach(t -> teams.delete(names.teamId(t.name(), "team")));

      int created = count("create");
      int updated = count("update");
      int deleted = count("delete");
      return new Result(
          dryRun,
          List.copyOf(changes),
          created,
          updated,
          deleted,
          unchanged,
          dryRun ? List.of() : List.copyOf(keys));
    }

    private int count(String action) {
      return (int) changes.stream().filter(c -> c.action().equals(action)).count();
    }

    /**
     * The objects of one kind that the document adds, changes and drops; records the changes, the
     * fields of each change read from the two entries' JSON trees.
     */
    private <T> Diff<T> diff(
        String kind, @Nullable List<T> before, @Nullable List<T> after, Function<T, String> key) {
      Map<String, T> old = byKey(before, key);
      Map<String, T> wantedByKey = byKey(after, key);
      List<T> created = new ArrayList<>();
      List<T> changed = new ArrayList<>();
      List<T> removed = new ArrayList<>();
      wantedByKey.forEach(
          (name, entry) -> {
            T previous = old.get(name);
            if (previous == null) {
              created.add(entry);
              changes.add(new Change("create", kind, name, List.of()));
            } else {
              List<String> fields = changedFields(previous, entry);
              if (fields.isEmpty()) {
                unchanged++;
              } else {
                changed.add(entry);
                changes.add(new Change("update", kind, name, fields));
              }
            }
          });
      old.forEach(
          (name, entry) -> {
            if (!wantedByKey.containsKey(name)) {
              removed.add(entry);
              changes.add(new Change("delete", kind, name, List.of()));
            }
          });
      return new Diff<>(created, changed, removed);
    }

    private List<String> changedFields(Object before, Object after) {
      JsonNode old = json.valueToTree(before);
      JsonNode now = json.valueToTree(after);
      Set<String> fields = new java.util.TreeSet<>();
      old.propertyNames().forEach(fields::add);
      now.propertyNames().forEach(fields::add);
      fields.remove("integrations");
      return fields.stream().filter(f -> !Objects.equals(old.get(f), now.get(f))).toList();
    }

    private void createTeam(TeamEntry team) {
      Team created = teams.create(Objects.requireNonNull(team.name()), members(team));
      names.addTeam(created.id(), created.name());
    }

    private void updateTeam(TeamEntry team) {
      teams.update(names.teamId(team.name(), "team"), null, members(team));
    }

    private List<Team.Member> members(TeamEntry team) {
      List<Team.Member> members = new ArrayList<>();
      for (MemberEntry member : Objects.requireNonNull(team.members())) {
        String field = "teams[" + team.name() + "].members";
        members.add(
            new Team.Member(
                names.userId(member.user(), field),
                EnumText.parse(TeamRole.class, field + ".role", String.valueOf(member.role()))));
      }
      return members;
    }

    private void createService(ServiceEntry service) {
      CatalogService created = services.create(input(service));
      names.addService(created.id(), created.name());
    }

    private void updateService(ServiceEntry service) {
      UUID id = id(service);
      services.update(id, input(service));
      if (service.ownerTeam() == null) {
        services.removeOwner(id);
      }
      if (service.groupDelaySeconds() == null) {
        services.useDefaultGroupDelay(id);
      }
    }

    private ServiceCatalog.ServiceInput input(ServiceEntry service) {
      return new ServiceCatalog.ServiceInput(
          service.name(),
          service.description(),
          service.ownerTeam() == null
              ? null
              : names.teamId(service.ownerTeam(), "services[" + service.name() + "].ownerTeam"),
          service.runbookUrls(),
          service.labels(),
          null,
          service.groupBy(),
          service.flapWindowMinutes(),
          service.groupDelaySeconds(),
          service.autoResolve(),
          // Left out means none: the document is the whole truth, as for every other list.
          service.aliases() == null ? List.of() : service.aliases());
    }

    private void setDependencies(ServiceEntry service) {
      UUID id = id(service);
      List<UUID> wantedIds = new ArrayList<>();
      for (String name : Objects.requireNonNull(service.dependsOn())) {
        wantedIds.add(names.serviceId(name, "services[" + service.name() + "].dependsOn"));
      }
      ServiceEntry before = currentServices.get(service.name());
      if (!Objects.equals(before == null ? List.of() : before.dependsOn(), service.dependsOn())) {
        services.update(id, dependencies(wantedIds));
      }
    }

    private void assignPolicy(ServiceEntry service) {
      ServiceEntry before = currentServices.get(service.name());
      if (!Objects.equals(
          before == null ? null : before.escalationPolicy(), service.escalationPolicy())) {
        policies.assign(
            id(service),
            service.escalationPolicy() == null
                ? null
                : names.policyId(
                    service.escalationPolicy(),
                    "services[" + service.name() + "].escalationPolicy"));
      }
    }

    private UUID id(ServiceEntry service) {
      return names.serviceId(service.name(), "services[" + service.name() + "]");
    }

    private final Map<String, Integration> existingIntegrations = new HashMap<>();

    private void deleteIntegration(IntegrationEntry entry) {
      integrations.delete(existingIntegration(entry).id());
    }

    private Integration existingIntegration(IntegrationEntry entry) {
      if (existingIntegrations.isEmpty()) {
        for (Integration integration :
            Page.all(after -> integrations.list(after, Page.MAX_LIMIT), Integration::id)) {
          existingIntegrations.put(
              names.service(integration.serviceId()) + "/" + integration.name(), integration);
        }
      }
      return Objects.requireNonNull(existingIntegrations.get(entry.name()));
    }

    private void configureHeartbeat(UUID integrationId, IntegrationEntry entry) {
      ConfigDocument.HeartbeatEntry heartbeat = entry.heartbeat();
      if (heartbeat == null) {
        return;
      }
      String service = Objects.requireNonNull(entry.name()).split("/", 2)[0];
      heartbeats.configure(
          integrationId,
          names.serviceId(service, "services[" + service + "]"),
          java.time.Duration.parse(String.valueOf(heartbeat.interval())),
          java.time.Duration.parse(String.valueOf(heartbeat.grace())));
    }

    private void createIntegration(IntegrationEntry entry) {
      String service = Objects.requireNonNull(entry.name()).split("/", 2)[0];
      String name = entry.name().split("/", 2)[1];
      String field = "services[" + service + "].integrations[" + name + "].kind";
      IntegrationService.WithKey created =
          integrations.create(
              names.serviceId(service, field),
              name,
              EnumText.parse(IntegrationKind.class, field, String.valueOf(entry.kind())),
              grouping(entry),
              emailRules(entry));
      configureHeartbeat(created.integration().id(), entry);
      if (entry.routing() != null) {
        route(created.integration().id(), entry);
      }
      keys.add(new NewKey(service, name, created.key()));
    }

    /** Sets the rules, a refusal naming the integration as well as the rule and its field. */
    private void route(UUID integrationId, IntegrationEntry entry) {
      String[] name = Objects.requireNonNull(entry.name()).split("/", 2);
      try {
        routing.replace(integrationId, entry.routing() == null ? List.of() : entry.routing());
      } catch (InvalidInputException e) {
        throw new InvalidInputException(
            "services[" + name[0] + "].integrations[" + name[1] + "]." + e.field(), e.getMessage());
      }
    }

    /** The email rules of an entry that {@link Normalized} has checked; null for other kinds. */
    private @Nullable EmailRules emailRules(IntegrationEntry entry) {
      ConfigDocument.EmailEntry email = entry.email();
      return email == null ? null : new EmailRules(email.dedupPattern(), email.resolvePattern());
    }

    /** The grouping of an entry that {@link Normalized} has checked. */
    private Grouping grouping(IntegrationEntry entry) {
      ConfigDocument.GroupingEntry grouping = Objects.requireNonNull(entry.grouping());
      return new Grouping(
          EnumText.parse(Grouping.By.class, "grouping.by", String.valueOf(grouping.by())),
          Objects.requireNonNull(grouping.labels()));
    }

    private void createSchedule(ScheduleEntry schedule) {
      Schedules.Schedule created = schedules.create(input(schedule));
      names.addSchedule(created.id(), created.name());
    }

    private void replaceSchedule(ScheduleEntry schedule) {
      schedules.replace(names.scheduleId(schedule.name(), "schedule"), input(schedule));
    }

    private Schedules.ScheduleInput input(ScheduleEntry schedule) {
      return schedule.input("schedules[" + schedule.name() + "].layers", names::userId);
    }

    private void createPolicy(PolicyEntry policy) {
      EscalationPolicies.Policy created = policies.create(input(policy));
      names.addPolicy(created.id(), created.name());
    }

    private void replacePolicy(PolicyEntry policy) {
      policies.replace(names.policyId(policy.name(), "policy"), input(policy));
    }

    private EscalationPolicies.PolicyInput input(PolicyEntry policy) {
      return policy.input(
          "escalationPolicies[" + policy.name() + "].levels", names::userId, names::scheduleId);
    }

    private void createRule(InhibitionEntry rule) {
      String field = "inhibitionRules[" + rule.name() + "]";
      inhibitionRules.create(
          new InhibitionRules.RuleInput(
              rule.name(),
              matchers(rule.sourceMatchers(), field + ".sourceMatchers"),
              matchers(rule.targetMatchers(), field + ".targetMatchers"),
              Objects.requireNonNull(rule.equal())));
    }

    private void createSilence(SilenceEntry entry) {
      silences.create(input(entry));
    }

    private Silences.SilenceInput input(SilenceEntry silence) {
      return new Silences.SilenceInput(
          matchers(silence.matchers(), "silences[" + Normalized.silenceKey(silence) + "]"),
          silence.startsAt(),
          silence.endsAt(),
          silence.createdBy(),
          silence.comment());
    }

    private void resetTemplate(TemplateEntry template) {
      templates.reset(channel(template), kind(template), Actor.current());
    }

    private void saveTemplate(TemplateEntry template) {
      templates.save(
          channel(template),
          kind(template),
          Objects.requireNonNull(template.subject()),
          Objects.requireNonNull(template.body()),
          Actor.current());
    }
  }

  private static ChannelType channel(TemplateEntry template) {
    return EnumText.parse(
        ChannelType.class,
        "templates[" + Normalized.templateKey(template) + "].channel",
        String.valueOf(template.channel()));
  }

  private static Templates.Kind kind(TemplateEntry template) {
    return EnumText.parse(
        Templates.Kind.class,
        "templates[" + Normalized.templateKey(template) + "].kind",
        String.valueOf(template.kind()));
  }

  private static List<LabelMatcher> matchers(@Nullable List<String> texts, String field) {
    List<LabelMatcher> matchers = new ArrayList<>();
    for (String text : Objects.requireNonNull(texts)) {
      try {
        matchers.addAll(LabelMatcher.parseAll(text));
      } catch (InvalidInputException e) {
        throw new InvalidInputException(field, e.getMessage());
      }
    }
    return matchers;
  }

  private static ServiceCatalog.ServiceInput dependencies(List<UUID> ids) {
    return new ServiceCatalog.ServiceInput(
        null, null, null, null, null, ids, null, null, null, null, null);
  }

  /** Integrations keyed "service/integration", the way the diff names them. */
  private static List<IntegrationEntry> integrationsOf(ConfigDocument document) {
    List<IntegrationEntry> all = new ArrayList<>();
    for (ServiceEntry service : Objects.requireNonNull(document.services())) {
      for (IntegrationEntry integration : Objects.requireNonNull(service.integrations())) {
        all.add(
            new IntegrationEntry(
                service.name() + "/" + integration.name(),
                integration.kind(),
                integration.grouping(),
                integration.heartbeat(),
                integration.email(),
                integration.routing()));
      }
    }
    return all;
  }

  private static <T> Map<String, T> byKey(@Nullable List<T> entries, Function<T, String> key) {
    Map<String, T> map = new LinkedHashMap<>();
    if (entries != null) {
      entries.forEach(entry -> map.put(key.apply(entry), entry));
    }
    return map;
  }

  private record Diff<T>(List<T> created, List<T> changed, List<T> removed) {}
}
