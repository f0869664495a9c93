package io.tocsin.config;

import io.tocsin.config.ConfigDocument.InhibitionEntry;
import io.tocsin.config.ConfigDocument.IntegrationEntry;
import io.tocsin.config.ConfigDocument.LayerEntry;
import io.tocsin.config.ConfigDocument.LengthEntry;
import io.tocsin.config.ConfigDocument.LevelEntry;
import io.tocsin.config.ConfigDocument.MemberEntry;
import io.tocsin.config.ConfigDocument.PolicyEntry;
import io.tocsin.config.ConfigDocument.RestrictionEntry;
import io.tocsin.config.ConfigDocument.ScheduleEntry;
import io.tocsin.config.ConfigDocument.ServiceEntry;
import io.tocsin.config.ConfigDocument.SilenceEntry;
import io.tocsin.config.ConfigDocument.TargetEntry;
import io.tocsin.config.ConfigDocument.TeamEntry;
import io.tocsin.config.ConfigDocument.TemplateEntry;
import io.tocsin.correlate.InhibitionRules;
import io.tocsin.correlate.Silence;
import io.tocsin.correlate.SilenceState;
import io.tocsin.correlate.Silences;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.integration.Integration;
import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.directory.team.Team;
import io.tocsin.directory.team.TeamService;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.RouteRule;
import io.tocsin.ingest.Routing;
import io.tocsin.ingest.heartbeat.Heartbeats;
import io.tocsin.notify.Templates;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.Schedules;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.Page;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * Reads the whole setup into a {@link ConfigDocument}, with names in place of ids and every list in
 * a fixed order.
 */
@Service
public class ConfigExport {

  private final UserService users;
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
  private final Clock clock;

  ConfigExport(
      UserService users,
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
      Clock clock) {
    this.users = users;
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
    this.clock = clock;
  }

  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(YAMLWriteFeature.MINIMIZE_QUOTES).build();

  /** The setup as it is now, read in one transaction so that its parts agree. */
  @Transactional(readOnly = true)
  public ConfigDocument export() {
    return read().document();
  }

  /** The setup as it is now, as the YAML document that an import reads back. */
  @Transactional(readOnly = true)
  public String yaml() {
    return YAML.writeValueAsString(export());
  }

  /** The document and the names it was written with, which an import goes on to use. */
  record Snapshot(ConfigDocument document, Names names) {}

  Snapshot read() {
    Names names = names();
    return new Snapshot(
        new ConfigDocument(
            ConfigDocument.VERSION,
            teams(names),
            services(names),
            schedules(names),
            policies(names),
            inhibitionRules(),
            silences(),
            templates()),
        names);
  }

  /** Ids to names and back, for every kind of object a document refers to by name. */
  private Names names() {
    return new Names(
        Page.all(after -> users.list(null, after, Page.MAX_LIMIT), User::id),
        Page.all(after -> teams.list(null, after, Page.MAX_LIMIT), Team::id),
        Page.all(after -> services.list(null, after, Page.MAX_LIMIT), CatalogService::id),
        Page.all(after -> schedules.list(after, Page.MAX_LIMIT), Schedules.Schedule::id),
        Page.all(after -> policies.list(after, Page.MAX_LIMIT), EscalationPolicies.Policy::id));
  }

  private List<TeamEntry> teams(Names names) {
    return names.teams().stream()
        .sorted(Comparator.comparing(Team::name))
        .map(
            team ->
                new TeamEntry(
                    team.name(),
                    team.members().stream()
                        .map(
                            m ->
                                new MemberEntry(
                                    names.email(m.userId()), EnumText.canonical(m.teamRole())))
                        .sorted(
                            Comparator.comparing(
                                m ->
                                    Objects.requireNonNull(m.user())
                                        .toLowerCase(java.util.Locale.ROOT)))
                        .toList()))
        .toList();
  }

  private List<ServiceEntry> services(Names names) {
    Map<UUID, UUID> policyOf = policies.policiesOfServices();
    Map<UUID, List<IntegrationEntry>> integrationsOf = new TreeMap<>();
    for (Integration integration :
        Page.all(after -> integrations.list(after, Page.MAX_LIMIT), Integration::id)) {
      integrationsOf
          .computeIfAbsent(integration.serviceId(), id -> new ArrayList<>())
          .add(
              new IntegrationEntry(
                  integration.name(),
                  EnumText.canonical(integration.kind()),
                  groupingEntry(integration.grouping()),
                  integration.kind() == IntegrationKind.HEARTBEAT
                      ? heartbeat(integration.id())
                      : null,
                  integration.email() == null
                      ? null
                      : new ConfigDocument.EmailEntry(
                          integration.email().dedupPattern(), integration.email().resolvePattern()),
                  rulesOf(integration.id())));
    }
    return names.services().stream()
        .sorted(Comparator.comparing(CatalogService::name))
        .map(
            service ->
                new ServiceEntry(
                    service.name(),
                    service.description(),
                    service.ownerTeamId() == null ? null : names.team(service.ownerTeamId()),
                    service.runbookUrls(),
                    new TreeMap<>(service.labels()),
                    service.dependencies().stream().map(names::service).sorted().toList(),
                    service.groupBy(),
                    service.flapWindowMinutes(),
                    service.groupDelaySeconds(),
                    service.autoResolve(),
                    service.aliases().isEmpty() ? null : service.aliases(),
                    policyOf.containsKey(service.id())
                        ? names.policy(policyOf.get(service.id()))
                        : null,
                    integrationsOf.getOrDefault(service.id(), List.of()).stream()
                        .sorted(Comparator.comparing(IntegrationEntry::name))
                        .toList()))
        .toList();
  }

  private @Nullable List<RouteRule> rulesOf(UUID integrationId) {
    List<RouteRule> rules = routing.rules(integrationId);
    return rules.isEmpty() ? null : rules;
  }

  static ConfigDocument.GroupingEntry groupingEntry(Grouping grouping) {
    return new ConfigDocument.GroupingEntry(EnumText.canonical(grouping.by()), grouping.labels());
  }

  private ConfigDocument.HeartbeatEntry heartbeat(UUID integrationId) {
    return heartbeats
        .status(integrationId)
        .map(s -> new ConfigDocument.HeartbeatEntry(s.interval().toString(), s.grace().toString()))
        .orElse(DEFAULT_HEARTBEAT);
  }

  /** What a heartbeat integration that nobody configured waits for. */
  static final ConfigDocument.HeartbeatEntry DEFAULT_HEARTBEAT =
      new ConfigDocument.HeartbeatEntry(
          Heartbeats.DEFAULT_INTERVAL.toString(), Heartbeats.DEFAULT_GRACE.toString());

  private List<ScheduleEntry> schedules(Names names) {
    return names.schedules().stream()
        .sorted(Comparator.comparing(Schedules.Schedule::name))
        .map(
            schedule ->
                new ScheduleEntry(
                    schedule.name(),
                    schedule.description(),
                    schedule.timeZone(),
                    schedule.layers().stream().map(layer -> layer(layer, names)).toList()))
        .toList();
  }

  private static LayerEntry layer(Schedules.Layer layer, Names names) {
    Schedules.Length rotation = layer.rotation();
    return new LayerEntry(
        layer.name(),
        orEmpty(layer.members()).stream().map(names::email).toList(),
        rotation == null ? null : new LengthEntry(rotation.count(), rotation.unit()),
        layer.start(),
        orEmpty(layer.restrictions()).stream()
            .map(r -> new RestrictionEntry(r.days(), r.from(), r.to()))
            .toList());
  }

  private List<PolicyEntry> policies(Names names) {
    return names.policies().stream()
        .sorted(Comparator.comparing(EscalationPolicies.Policy::name))
        .map(
            policy ->
                new PolicyEntry(
                    policy.name(),
                    policy.description(),
                    policy.repeat(),
                    policy.levels().stream()
                        .map(
                            level ->
                                new LevelEntry(
                                    level.delayMinutes(),
                                    orEmpty(level.targets()).stream()
                                        .map(target -> target(target, names))
                                        .toList()))
                        .toList()))
        .toList();
  }

  private static TargetEntry target(EscalationPolicies.Target target, Names names) {
    UUID id = java.util.Objects.requireNonNull(target.id());
    return "user".equals(target.type())
        ? new TargetEntry(names.email(id), null)
        : new TargetEntry(null, names.schedule(id));
  }

  private List<InhibitionEntry> inhibitionRules() {
    return inhibitionRules.list().stream()
        .map(
            rule ->
                new InhibitionEntry(
                    rule.name(),
                    text(rule.sourceMatchers()),
                    text(rule.targetMatchers()),
                    rule.equal()))
        .sorted(Comparator.comparing(InhibitionEntry::name))
        .toList();
  }

  private List<SilenceEntry> silences() {
    Instant now = clock.instant();
    return silences.list(List.of(), null).stream()
        .filter(silence -> silence.state(now) != SilenceState.EXPIRED)
        .map(ConfigExport::silenceEntry)
        .sorted(SILENCE_ORDER)
        .toList();
  }

  static final Comparator<SilenceEntry> SILENCE_ORDER =
      Comparator.comparing((SilenceEntry s) -> String.valueOf(s.matchers()))
          .thenComparing(s -> String.valueOf(s.startsAt()));

  static SilenceEntry silenceEntry(Silence silence) {
    return new SilenceEntry(
        text(silence.matchers()),
        silence.startsAt(),
        silence.endsAt(),
        silence.createdBy(),
        silence.comment());
  }

  private List<TemplateEntry> templates() {
    return templates.list().stream()
        .filter(Templates.MessageTemplate::custom)
        .map(
            template ->
                new TemplateEntry(
                    template.channel().text(),
                    EnumText.canonical(template.kind()),
                    template.subject(),
                    template.body()))
        .sorted(Comparator.comparing((TemplateEntry t) -> t.channel() + " " + t.kind()))
        .toList();
  }

  static List<String> text(List<LabelMatcher> matchers) {
    return matchers.stream().map(LabelMatcher::toString).toList();
  }

  private static <T> List<T> orEmpty(@Nullable List<T> list) {
    return list == null ? List.of() : list;
  }
}
