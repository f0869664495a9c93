package io.tocsin.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tocsin.directory.integration.Integration;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.platform.AuditTrail;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Severity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Routing rules: where the alerts that come through one integration go. One key can then serve a
 * whole Prometheus, each alert landing on its own service by its labels, so that dependency
 * correlation sees every service fail on its own.
 *
 * <p>Rules are compiled once per change and kept per node; a node looks at an integration's rule
 * version at most every {@link #RECHECK}, so a change made on another node applies within that
 * time, and ingestion never reads the database per alert.
 */
@Service
public class Routing {

  private static final Log log = LogFactory.getLog(Routing.class);

  /** How long a node trusts its compiled rules and its service names before checking again. */
  static final Duration RECHECK = Duration.ofSeconds(2);

  /** What {@code ingest_alert.route} and the counts say of an alert no rule gave a service. */
  public static final String BY_DEFAULT = "default";

  private static final TypeReference<List<RouteRule>> RULES = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final NamedParameterJdbcTemplate batch;
  private final JsonMapper json;
  private final ServiceCatalog services;
  private final IntegrationService integrations;
  private final SeverityMapping severities;
  private final AuditTrail audit;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Map<UUID, Compiled> compiled = new ConcurrentHashMap<>();
  private final Map<List<String>, Counter> dropped = new ConcurrentHashMap<>();
  private volatile @Nullable Names names;

  Routing(
      JdbcClient jdbc,
      NamedParameterJdbcTemplate batch,
      JsonMapper json,
      ServiceCatalog services,
      IntegrationService integrations,
      SeverityMapping severities,
      AuditTrail audit,
      Clock clock,
      MeterRegistry registry) {
    this.jdbc = jdbc;
    this.batch = batch;
    this.json = json;
    this.services = services;
    this.integrations = integrations;
    this.severities = severities;
    this.audit = audit;
    this.clock = clock;
    this.registry = registry;
  }

  /** An integration's rules as this node compiled them, with the version they came from. */
  private record Compiled(long version, Routes routes, String integration, Instant checkedAt) {}

  /** Every service by its name and its aliases in lower case, as read at {@code loadedAt}. */
  private record Names(Map<String, UUID> byName, Map<UUID, String> byId, Instant loadedAt) {}

  /** The integration's rules, each service named. */
  public List<RouteRule> rules(UUID integrationId) {
    integrations.get(integrationId);
    Map<UUID, String> names = freshNames().byId();
    return stored(integrationId).stream()
        .map(
            rule ->
                rule.service() == null
                    ? rule
                    : rule.withService(names.getOrDefault(parseId(rule.service()), rule.service())))
        .toList();
  }

  /**
   * Replaces the integration's rules, all or nothing: every rule is checked first, and a bad one is
   * refused naming its field ({@code routing[3].match[0].value}).
   */
  @Transactional
  public List<RouteRule> replace(UUID integrationId, List<RouteRule> rules) {
    Integration integration = integrations.get(integrationId);
    Names current = freshNames();
    Routes.compile(rules, reference -> resolve(reference, current));
    List<RouteRule> stored =
        rules.stream()
            .map(
                rule ->
                    rule.service() == null
                        ? rule
                        : rule.withService(String.valueOf(resolve(rule.service(), current))))
            .toList();
    String text = json.writeValueAsString(stored);
    Instant now = clock.instant();
    int updated =
        jdbc.sql(
                "UPDATE ingest_routing SET rules = :rules, version = version + 1,"
                    + " updated_at = :now WHERE integration_id = :id")
            .param("rules", text)
            .param("now", now.atOffset(ZoneOffset.UTC))
            .param("id", integrationId)
            .update();
    if (updated == 0) {
      jdbc.sql(
              "INSERT INTO ingest_routing (integration_id, rules, version, updated_at)"
                  + " VALUES (:id, :rules, 1, :now)")
          .param("id", integrationId)
          .param("rules", text)
          .param("now", now.atOffset(ZoneOffset.UTC))
          .update();
    }
    compiled.remove(integrationId);
    audit.record(
        "integration.routing",
        "integration " + integrationId,
        "set " + rules.size() + " routing rules on integration '" + integration.name() + "'");
    return rules(integrationId);
  }

  /** What routing did with one alert, as the test endpoint answers. */
  public record Decision(
      List<String> matched,
      @Nullable String rule,
      boolean dropped,
      @Nullable UUID serviceId,
      @Nullable String service,
      boolean byDefault,
      @Nullable String severity,
      Map<String, String> labels,
      @Nullable String groupKey) {}

  /**
   * What the integration's rules would do with an alert of these labels (and, for PagerDuty-style
   * senders, this severity word and these custom details), touching nothing: like {@code amtool
   * config routes test}.
   */
  public Decision test(
      UUID integrationId,
      Map<String, String> labels,
      @Nullable String severity,
      @Nullable Object details) {
    Integration integration = integrations.get(integrationId);
    Names current = freshNames();
    Routes routes = Routes.compile(stored(integrationId), reference -> resolve(reference, current));
    Routes.Routed routed =
        routes.route(
            ReservedLabels.exported(labels),
            details,
            severity,
            current.byName(),
            current.byId()::containsKey);
    if (routed.dropped() != null) {
      return new Decision(
          routed.matched(), routed.dropped(), true, null, null, false, null, routed.labels(), null);
    }
    UUID serviceId = routed.service() == null ? integration.serviceId() : routed.service();
    Optional<CatalogService> service = find(serviceId);
    Severity chosen =
        routed.severity() != null
            ? routed.severity()
            : severities.map(severity != null ? severity : routed.labels().get("severity"));
    String groupKey =
        service
            .map(
                s ->
                    (routed.grouping() != null ? routed.grouping() : integration.grouping())
                        .keyOf(
                            s.groupBy(),
                            routed.labels(),
                            null,
                            Fingerprint.of(routed.labels()).value()))
            .orElse(null);
    return new Decision(
        routed.matched(),
        routed.serviceRule(),
        false,
        serviceId,
        service.map(CatalogService::name).orElse(null),
        routed.service() == null,
        chosen.name().toLowerCase(Locale.ROOT),
        routed.labels(),
        groupKey);
  }

  /**
   * A rule as a routing tree shows it to Alertmanager's clients ({@code GET /api/v2/status}).
   *
   * @param label the rule's number and name, e.g. "#3 payments"
   * @param service the name of the service it sends to; null when it names none, or one since
   *     deleted (it then sends nowhere, as in {@link #route})
   * @param rewrites it sets, renames or removes labels, or sets or maps the severity
   */
  public record ShownRule(
      String label,
      List<LabelMatcher> match,
      @Nullable String service,
      @Nullable String serviceFromLabel,
      boolean drop,
      boolean rewrites,
      boolean continueMatching) {}

  /**
   * The integration's rules, compiled as ingestion applies them, for describing them as an
   * Alertmanager routing tree; empty when it has none, or when they no longer compile (its alerts
   * then go to its own service).
   */
  public List<ShownRule> shown(UUID integrationId) {
    List<RouteRule> stored = stored(integrationId);
    if (stored.isEmpty()) {
      return List.of();
    }
    Routes routes;
    try {
      routes = Routes.compile(stored, Routing::parseId);
    } catch (InvalidInputException e) {
      return List.of();
    }
    Map<UUID, String> names = freshNames().byId();
    return routes.rules().stream()
        .map(
            rule ->
                new ShownRule(
                    rule.label(),
                    rule.match(),
                    rule.service() == null ? null : names.get(rule.service()),
                    rule.serviceFromLabel(),
                    rule.drop(),
                    rule.severity() != null
                        || !rule.severityMap().isEmpty()
                        || !rule.setLabels().isEmpty()
                        || !rule.renameLabels().isEmpty()
                        || !rule.removeLabels().isEmpty(),
                    rule.continueMatching()))
        .toList();
  }

  /** The alerts of the last hour that no rule gave a service, by integration: a missing rule. */
  public long routedByDefaultSince(UUID integrationId, Instant since) {
    return jdbc.sql(
            "SELECT COALESCE(SUM(alerts), 0) FROM ingest_route_count"
                + " WHERE integration_id = :id AND route = :route AND bucket_at >= :since")
        .param("id", integrationId)
        .param("route", BY_DEFAULT)
        .param("since", since.truncatedTo(ChronoUnit.MINUTES).atOffset(ZoneOffset.UTC))
        .query(Long.class)
        .single();
  }

  /** The integration's compiled rules, as ingestion applies them. */
  Routes routesOf(UUID integrationId) {
    Instant now = clock.instant();
    Compiled known = compiled.get(integrationId);
    if (known != null && known.checkedAt().plus(RECHECK).isAfter(now)) {
      return known.routes();
    }
    long version =
        jdbc.sql("SELECT version FROM ingest_routing WHERE integration_id = :id")
            .param("id", integrationId)
            .query(Long.class)
            .optional()
            .orElse(0L);
    if (known != null && known.version() == version) {
      compiled.put(integrationId, new Compiled(version, known.routes(), known.integration(), now));
      return known.routes();
    }
    Routes routes = Routes.NONE;
    String name = integrationId.toString();
    if (version > 0) {
      name = integrations.get(integrationId).name();
      try {
        routes = Routes.compile(stored(integrationId), Routing::parseId);
      } catch (InvalidInputException e) {
        // Checked when saved; refused by a limit made stricter since. The alerts then go to the
        // integration's own service, as without rules, rather than being refused.
        log.error(
            "The routing rules of integration '" + name + "' no longer compile: " + e.getMessage());
      }
    }
    compiled.put(integrationId, new Compiled(version, routes, name, now));
    return routes;
  }

  /**
   * Routes one alert by the integration's rules. A rule's service deleted since it was saved sends
   * nowhere: the alert then goes where no rule had chosen, never to a service that is gone.
   */
  Routes.Routed route(
      Routes routes, Map<String, String> labels, @Nullable Object details, @Nullable String word) {
    Names current = names();
    return routes.route(labels, details, word, current.byName(), current.byId()::containsKey);
  }

  /** Counts an alert a rule dropped, in {@code tocsin_alerts_dropped_total}. */
  void dropped(UUID integrationId, String rule) {
    Compiled known = compiled.get(integrationId);
    String integration = known == null ? integrationId.toString() : known.integration();
    dropped
        .computeIfAbsent(
            List.of(integration, rule),
            key ->
                Counter.builder("tocsin.alerts.dropped")
                    .description("Alerts a routing rule dropped: stored nowhere, paging nobody")
                    .tag("integration", key.get(0))
                    .tag("rule", key.get(1))
                    .register(registry))
        .increment();
  }

  /** Appends a transaction's new alerts per integration and routing outcome, in one batch. */
  void count(Map<UUID, Map<String, Integer>> byIntegration, Instant now) {
    OffsetDateTime bucket = now.truncatedTo(ChronoUnit.MINUTES).atOffset(ZoneOffset.UTC);
    List<MapSqlParameterSource> rows = new ArrayList<>();
    byIntegration.forEach(
        (integration, byRoute) ->
            byRoute.forEach(
                (route, alerts) ->
                    rows.add(
                        new MapSqlParameterSource()
                            .addValue("bucket", bucket)
                            .addValue("id", integration)
                            .addValue("route", route)
                            .addValue("alerts", alerts))));
    if (!rows.isEmpty()) {
      batch.batchUpdate(
          "INSERT INTO ingest_route_count (bucket_at, integration_id, route, alerts)"
              + " VALUES (:bucket, :id, :route, :alerts)",
          rows.toArray(MapSqlParameterSource[]::new));
    }
  }

  /** Counts older than a day are of no use to "the last hour". */
  @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT1M")
  void forgetOldCounts() {
    try {
      jdbc.sql("DELETE FROM ingest_route_count WHERE bucket_at < :before")
          .param("before", clock.instant().minus(Duration.ofDays(1)).atOffset(ZoneOffset.UTC))
          .update();
    } catch (RuntimeException e) {
      // The database may be away; the next pass deletes what this one could not.
    }
  }

  private List<RouteRule> stored(UUID integrationId) {
    return jdbc.sql("SELECT rules FROM ingest_routing WHERE integration_id = :id")
        .param("id", integrationId)
        .query(String.class)
        .optional()
        .map(text -> json.readValue(text, RULES))
        .orElse(List.of());
  }

  private Names names() {
    Names current = names;
    if (current != null && current.loadedAt().plus(RECHECK).isAfter(clock.instant())) {
      return current;
    }
    return freshNames();
  }

  private Names freshNames() {
    Map<UUID, String> byId = services.names();
    Names fresh = new Names(Map.copyOf(services.byAnyName()), Map.copyOf(byId), clock.instant());
    names = fresh;
    return fresh;
  }

  private @Nullable UUID resolve(String reference, Names names) {
    UUID id = parseId(reference);
    if (id != null) {
      return names.byId().containsKey(id) ? id : null;
    }
    return names.byName().get(reference.trim().toLowerCase(Locale.ROOT));
  }

  private Optional<CatalogService> find(UUID id) {
    try {
      return Optional.of(services.get(id));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  private static @Nullable UUID parseId(String text) {
    try {
      return UUID.fromString(text.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
