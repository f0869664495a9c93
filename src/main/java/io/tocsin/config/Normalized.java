package io.tocsin.config;

import io.tocsin.config.ConfigDocument.GroupingEntry;
import io.tocsin.config.ConfigDocument.InhibitionEntry;
import io.tocsin.config.ConfigDocument.IntegrationEntry;
import io.tocsin.config.ConfigDocument.LayerEntry;
import io.tocsin.config.ConfigDocument.LevelEntry;
import io.tocsin.config.ConfigDocument.MemberEntry;
import io.tocsin.config.ConfigDocument.PolicyEntry;
import io.tocsin.config.ConfigDocument.ScheduleEntry;
import io.tocsin.config.ConfigDocument.ServiceEntry;
import io.tocsin.config.ConfigDocument.SilenceEntry;
import io.tocsin.config.ConfigDocument.TeamEntry;
import io.tocsin.config.ConfigDocument.TemplateEntry;
import io.tocsin.directory.integration.EmailRules;
import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.RouteRule;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A document as an export would write it: defaults filled in, enum values and matchers in their
 * canonical text, lists in the export's order. Importing an export then changes nothing, and the
 * diff shows only what a person really changed. Names must be there and unique per kind.
 */
final class Normalized {

  private Normalized() {}

  static ConfigDocument of(ConfigDocument document) {
    if (document.version() != null && document.version() != ConfigDocument.VERSION) {
      throw new InvalidInputException(
          "version", "must be " + ConfigDocument.VERSION + ", the version this Tocsin reads");
    }
    List<TeamEntry> teams = unique("teams", document.teams(), TeamEntry::name, Normalized::team);
    List<ServiceEntry> services =
        unique("services", document.services(), ServiceEntry::name, Normalized::service);
    List<ScheduleEntry> schedules =
        unique("schedules", document.schedules(), ScheduleEntry::name, Normalized::schedule);
    List<PolicyEntry> policies =
        unique(
            "escalationPolicies",
            document.escalationPolicies(),
            PolicyEntry::name,
            Normalized::policy);
    List<InhibitionEntry> rules =
        unique(
            "inhibitionRules", document.inhibitionRules(), InhibitionEntry::name, Normalized::rule);
    List<SilenceEntry> silences =
        unique("silences", document.silences(), Normalized::silenceKey, Normalized::silence);
    List<TemplateEntry> templates =
        unique(
            "templates",
            document.templates(),
            Normalized::templateKey,
            t -> new TemplateEntry(lower(t.channel()), lower(t.kind()), t.subject(), t.body()));
    return new ConfigDocument(
        ConfigDocument.VERSION, teams, services, schedules, policies, rules, silences, templates);
  }

  /** What tells silences apart: their matchers and their start. */
  static String silenceKey(SilenceEntry silence) {
    return String.join(", ", orEmpty(silence.matchers())) + " from " + silence.startsAt();
  }

  static String templateKey(TemplateEntry template) {
    return template.channel() + " " + template.kind();
  }

  private static TeamEntry team(TeamEntry team) {
    return new TeamEntry(
        team.name(),
        orEmpty(team.members()).stream()
            .map(
                m ->
                    new MemberEntry(
                        m.user() == null ? null : m.user().trim(),
                        m.role() == null ? "member" : lower(m.role())))
            .sorted(Comparator.comparing(m -> String.valueOf(m.user()).toLowerCase(Locale.ROOT)))
            .toList());
  }

  private static ServiceEntry service(ServiceEntry service) {
    String field = "services[" + service.name() + "].integrations";
    List<IntegrationEntry> integrations =
        unique(
            field,
            service.integrations(),
            IntegrationEntry::name,
            integration -> integration(service.name(), integration));
    return new ServiceEntry(
        service.name(),
        orBlank(service.description()),
        service.ownerTeam(),
        orEmpty(service.runbookUrls()),
        service.labels() == null ? new TreeMap<>() : new TreeMap<>(service.labels()),
        orEmpty(service.dependsOn()).stream().distinct().sorted().toList(),
        service.groupBy() == null ? ServiceCatalog.DEFAULT_GROUP_BY : service.groupBy(),
        service.flapWindowMinutes() == null
            ? ServiceCatalog.DEFAULT_FLAP_WINDOW_MINUTES
            : service.flapWindowMinutes(),
        service.groupDelaySeconds(),
        service.autoResolve() == null || service.autoResolve(),
        service.aliases() == null || service.aliases().isEmpty() ? null : service.aliases(),
        service.escalationPolicy(),
        integrations);
  }

  private static IntegrationEntry integration(
      @Nullable String service, IntegrationEntry integration) {
    String kind = lower(integration.kind());
    String field = "services[" + service + "].integrations[" + integration.name() + "]";
    GroupingEntry grouping =
        grouping(
            field + ".grouping",
            EnumText.parse(IntegrationKind.class, field + ".kind", String.valueOf(kind)),
            integration.grouping());
    ConfigDocument.EmailEntry email = integration.email();
    if (!"email".equals(kind) && email != null) {
      throw new InvalidInputException(
          field + ".email", "only an email integration has email settings");
    }
    if ("email".equals(kind)) {
      EmailRules rules =
          EmailRules.of(
              field + ".email",
              email == null ? null : email.dedupPattern(),
              email == null ? null : email.resolvePattern());
      email = new ConfigDocument.EmailEntry(rules.dedupPattern(), rules.resolvePattern());
    }
    ConfigDocument.HeartbeatEntry heartbeat = integration.heartbeat();
    if (!"heartbeat".equals(kind)) {
      if (heartbeat != null) {
        throw new InvalidInputException(
            "integrations[" + integration.name() + "].heartbeat",
            "only a heartbeat integration has heartbeat settings");
      }
      return new IntegrationEntry(
          integration.name(), kind, grouping, null, email, routing(integration.routing()));
    }
    String heartbeatField = "integrations[" + integration.name() + "].heartbeat";
    ConfigDocument.HeartbeatEntry defaults = ConfigExport.DEFAULT_HEARTBEAT;
    return new IntegrationEntry(
        integration.name(),
        kind,
        grouping,
        new ConfigDocument.HeartbeatEntry(
            duration(
                heartbeat == null ? null : heartbeat.interval(),
                defaults.interval(),
                heartbeatField + ".interval"),
            duration(
                heartbeat == null ? null : heartbeat.grace(),
                defaults.grace(),
                heartbeatField + ".grace")),
        null,
        routing(integration.routing()));
  }

  /** No rules, written or not, is one state: the diff sees no change between them. */
  private static @Nullable List<RouteRule> routing(@Nullable List<RouteRule> rules) {
    return rules == null || rules.isEmpty() ? null : List.copyOf(rules);
  }

  /** A grouping checked as the API checks it; left out, the default of the integration's kind. */
  private static GroupingEntry grouping(
      String field, IntegrationKind kind, @Nullable GroupingEntry entry) {
    if (entry == null) {
      return ConfigExport.groupingEntry(Grouping.defaultFor(kind));
    }
    Grouping.By by =
        entry.by() == null ? null : EnumText.parse(Grouping.By.class, field + ".by", entry.by());
    return ConfigExport.groupingEntry(Grouping.of(field, by, entry.labels()));
  }

  /**
   * A duration in its canonical ISO 8601 text ({@code pt1h} and {@code PT60M} are {@code PT1H}).
   */
  private static String duration(@Nullable String text, @Nullable String fallback, String field) {
    String value = text == null ? fallback : text;
    try {
      return java.time.Duration.parse(String.valueOf(value).trim()).toString();
    } catch (java.time.format.DateTimeParseException e) {
      throw new InvalidInputException(
          field, "'" + value + "' is not an ISO 8601 duration such as PT5M or PT1H");
    }
  }

  private static ScheduleEntry schedule(ScheduleEntry schedule) {
    return new ScheduleEntry(
        schedule.name(),
        orBlank(schedule.description()),
        schedule.timeZone(),
        orEmpty(schedule.layers()).stream()
            .map(
                layer ->
                    new LayerEntry(
                        layer.name(),
                        orEmpty(layer.members()),
                        layer.rotation(),
                        layer.start(),
                        orEmpty(layer.restrictions())))
            .toList());
  }

  private static PolicyEntry policy(PolicyEntry policy) {
    return new PolicyEntry(
        policy.name(),
        orBlank(policy.description()),
        policy.repeat() == null ? 0 : policy.repeat(),
        orEmpty(policy.levels()).stream()
            .map(level -> new LevelEntry(level.delayMinutes(), orEmpty(level.targets())))
            .toList());
  }

  private static InhibitionEntry rule(InhibitionEntry rule) {
    String field = "inhibitionRules[" + rule.name() + "]";
    return new InhibitionEntry(
        rule.name(),
        canonical(rule.sourceMatchers(), field + ".sourceMatchers"),
        canonical(rule.targetMatchers(), field + ".targetMatchers"),
        orEmpty(rule.equal()));
  }

  private static SilenceEntry silence(SilenceEntry silence) {
    String field = "silences[" + String.join(", ", orEmpty(silence.matchers())) + "]";
    if (silence.startsAt() == null) {
      throw new InvalidInputException(
          field + ".startsAt", "is required: a silence in a document keeps its start");
    }
    return new SilenceEntry(
        canonical(silence.matchers(), field + ".matchers"),
        silence.startsAt(),
        silence.endsAt(),
        silence.createdBy(),
        silence.comment());
  }

  /** Matchers as Tocsin writes them, so that spacing or quoting style is no change. */
  private static List<String> canonical(@Nullable List<String> texts, String field) {
    List<String> matchers = new ArrayList<>();
    for (String text : orEmpty(texts)) {
      try {
        LabelMatcher.parseAll(text).forEach(m -> matchers.add(m.toString()));
      } catch (InvalidInputException e) {
        throw new InvalidInputException(field, e.getMessage());
      }
    }
    return matchers;
  }

  /**
   * The entries normalised, each with its key (a name, or what tells it apart) present and used
   * once, sorted by that key.
   */
  private static <T> List<T> unique(
      String field,
      @Nullable List<T> entries,
      Function<T, @Nullable String> key,
      Function<T, T> normal) {
    Set<String> seen = new HashSet<>();
    List<T> result = new ArrayList<>();
    for (T entry : orEmpty(entries)) {
      T normalised = normal.apply(entry);
      String value = key.apply(normalised);
      if (value == null || value.isBlank()) {
        throw new InvalidInputException(field, "every entry needs a name");
      }
      if (!seen.add(value)) {
        throw new InvalidInputException(field, "'" + value + "' appears twice");
      }
      result.add(normalised);
    }
    result.sort(Comparator.comparing(e -> String.valueOf(key.apply(e))));
    return result;
  }

  private static @Nullable String lower(@Nullable String text) {
    return text == null ? null : text.trim().toLowerCase(Locale.ROOT);
  }

  private static String orBlank(@Nullable String text) {
    return text == null ? "" : text;
  }

  private static <T> List<T> orEmpty(@Nullable List<T> list) {
    return list == null ? List.of() : list;
  }
}
