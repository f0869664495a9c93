package io.tocsin.ingest.alertmanager;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.AlertMuting;
import io.tocsin.ingest.AlertmanagerReaders;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.Routing;
import io.tocsin.platform.Page;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The read side of Alertmanager's API v2, in the shapes amtool's generated client validates, so
 * that {@code amtool alert query}, {@code amtool config routes} and {@code amtool silence query}
 * work against Tocsin (https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml).
 * An alertmanager integration key sees its own service's alerts; a signed-in user sees all.
 *
 * <p>Each service is one receiver; the key of an integration with routing rules is shown those
 * rules as a routing tree ({@link RoutingTree}). Whether an alert is muted is the correlation
 * module's answer ({@link AlertMuting}); it also serves {@code /api/v2/silences}.
 */
@RestController
@Tag(name = AlertmanagerApiController.TAG)
@SecurityRequirement(name = "integrationKey")
@SecurityRequirement(name = "integrationKeyBasic")
@SecurityRequirement(name = "apiToken")
class AlertmanagerReadController {

  /** The label that names a Tocsin service in the described routing tree. */
  static final String SERVICE_LABEL = AlertMuting.SERVICE_LABEL;

  private static final String NO_END = "0001-01-01T00:00:00Z";
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final Clock clock;
  private final ServiceCatalog services;
  private final ObjectProvider<BuildProperties> build;
  private final ObjectProvider<AlertMuting> muting;
  private final Routing routing;
  private final RoutingTree tree;
  private final Instant started;

  AlertmanagerReadController(
      JdbcClient jdbc,
      JsonMapper json,
      Clock clock,
      ServiceCatalog services,
      ObjectProvider<BuildProperties> build,
      ObjectProvider<AlertMuting> muting,
      Routing routing) {
    this.jdbc = jdbc;
    this.json = json;
    this.clock = clock;
    this.services = services;
    this.build = build;
    this.muting = muting;
    this.routing = routing;
    this.tree = new RoutingTree(json);
    this.started = clock.instant();
  }

  @Operation(
      summary = "The firing alerts, as amtool alert query reads them",
      description =
          "An alertmanager integration key sees its service's alerts, a person's API token all."
              + " Each alert carries tocsin_service, its service's name, which filters match too.")
  @GetMapping("/api/v2/alerts")
  List<Map<String, Object>> alerts(
      HttpServletRequest request,
      @RequestParam(required = false) @Nullable List<String> filter,
      @RequestParam(defaultValue = "true") boolean active,
      @RequestParam(defaultValue = "true") boolean silenced,
      @RequestParam(defaultValue = "true") boolean inhibited,
      @RequestParam(defaultValue = "true") boolean unprocessed,
      @RequestParam(required = false) @Nullable String receiver) {
    return select(AlertmanagerReaders.scope(request), filter, active, silenced, inhibited, receiver)
        .stream()
        .map(alert -> alert.gettable())
        .toList();
  }

  @Operation(summary = "The firing alerts, grouped by service")
  @GetMapping("/api/v2/alerts/groups")
  List<Map<String, Object>> groups(
      HttpServletRequest request,
      @RequestParam(required = false) @Nullable List<String> filter,
      @RequestParam(defaultValue = "true") boolean active,
      @RequestParam(defaultValue = "true") boolean silenced,
      @RequestParam(defaultValue = "true") boolean inhibited,
      @RequestParam(required = false) @Nullable String receiver) {
    Map<String, List<Map<String, Object>>> byReceiver = new LinkedHashMap<>();
    for (StoredAlert alert :
        select(AlertmanagerReaders.scope(request), filter, active, silenced, inhibited, receiver)) {
      byReceiver.computeIfAbsent(alert.receiver(), r -> new ArrayList<>()).add(alert.gettable());
    }
    List<Map<String, Object>> groups = new ArrayList<>();
    byReceiver.forEach(
        (name, alerts) -> {
          Map<String, Object> group = new LinkedHashMap<>();
          group.put("labels", Map.of(SERVICE_LABEL, name));
          group.put("receiver", Map.of("name", name));
          group.put("alerts", alerts);
          groups.add(group);
        });
    return groups;
  }

  @Operation(
      summary = "Alertmanager's status: Tocsin's routing as an Alertmanager configuration",
      description =
          "What amtool config routes and Grafana's Alertmanager data source read. With the key of"
              + " an integration that has routing rules, its rules as a routing tree, so that amtool"
              + " config routes test sends a label set where the rules would.")
  @GetMapping("/api/v2/status")
  Map<String, Object> status(HttpServletRequest request) {
    UUID scope = AlertmanagerReaders.scope(request);
    UUID integration = AlertmanagerReaders.integration(request);
    BuildProperties properties = build.getIfAvailable();
    Map<String, Object> version = new LinkedHashMap<>();
    version.put("version", properties == null ? "dev" : properties.getVersion());
    version.put("revision", "unknown");
    version.put("branch", "main");
    version.put("buildUser", "tocsin");
    version.put(
        "buildDate",
        properties == null || properties.getTime() == null
            ? "unknown"
            : properties.getTime().toString());
    version.put("goVersion", "none (Tocsin runs on Java " + Runtime.version().feature() + ")");
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("cluster", Map.of("status", "ready", "name", "tocsin", "peers", List.of()));
    status.put("versionInfo", version);
    status.put("config", Map.of("original", configuration(scope, integration)));
    status.put("uptime", started.toString());
    return status;
  }

  @Operation(summary = "One receiver per service")
  @GetMapping("/api/v2/receivers")
  List<Map<String, String>> receivers(HttpServletRequest request) {
    AlertmanagerReaders.scope(request);
    List<Map<String, String>> receivers = new ArrayList<>();
    receivers.add(Map.of("name", "tocsin"));
    allServices().forEach(service -> receivers.add(Map.of("name", service.name())));
    return receivers;
  }

  /**
   * Tocsin's routing as an Alertmanager configuration. For the key of an integration with routing
   * rules, the rules' tree ({@link RoutingTree}); otherwise every integration key belongs to one
   * service, and so does every alert sent with it. Written as YAML whose strings are JSON strings
   * (YAML's double-quoted scalars take JSON's escapes), so no service name can break it.
   */
  private String configuration(@Nullable UUID scope, @Nullable UUID integration) {
    List<Routing.ShownRule> rules =
        scope == null || integration == null ? List.of() : routing.shown(integration);
    if (scope != null && !rules.isEmpty()) {
      List<CatalogService> all = allServices();
      String root =
          all.stream()
              .filter(s -> s.id().equals(scope))
              .map(CatalogService::name)
              .findFirst()
              .orElse(scope.toString());
      return tree.yaml(root, rules, all.stream().map(CatalogService::name).toList());
    }
    StringBuilder yaml = new StringBuilder();
    yaml.append("# Tocsin routes each alert to the service of the integration key it came with;\n");
    yaml.append("# this tree shows that as one receiver per service, matched on ")
        .append(SERVICE_LABEL)
        .append(".\n");
    yaml.append("route:\n  receiver: \"tocsin\"\n  group_by: [\"alertname\"]\n");
    List<CatalogService> all = allServices();
    if (!all.isEmpty()) {
      yaml.append("  routes:\n");
      for (CatalogService service : all) {
        yaml.append("    - receiver: ")
            .append(json.writeValueAsString(service.name()))
            .append('\n');
        yaml.append("      matchers: [")
            .append(
                json.writeValueAsString(
                    SERVICE_LABEL + "=" + json.writeValueAsString(service.name())))
            .append("]\n");
      }
    }
    yaml.append("receivers:\n  - name: \"tocsin\"\n");
    for (CatalogService service : all) {
      yaml.append("  - name: ").append(json.writeValueAsString(service.name())).append('\n');
    }
    return yaml.toString();
  }

  private List<CatalogService> allServices() {
    List<CatalogService> all = new ArrayList<>();
    UUID after = null;
    do {
      Page<CatalogService> page = services.list(null, after, Page.MAX_LIMIT);
      all.addAll(page.items());
      after = page.nextCursor() == null ? null : page.items().get(page.items().size() - 1).id();
    } while (after != null);
    return all;
  }

  private record StoredAlert(
      String fingerprint,
      String receiver,
      Map<String, String> labels,
      Map<String, String> annotations,
      Instant startsAt,
      @Nullable Instant endsAt,
      Instant updatedAt,
      @Nullable String generatorUrl,
      List<String> silencedBy,
      List<String> inhibitedBy) {

    Map<String, Object> gettable() {
      Map<String, Object> alert = new LinkedHashMap<>();
      alert.put("labels", labels);
      alert.put("annotations", annotations);
      alert.put("startsAt", startsAt.toString());
      alert.put("endsAt", endsAt == null ? NO_END : endsAt.toString());
      alert.put("updatedAt", updatedAt.toString());
      if (generatorUrl != null) {
        alert.put("generatorURL", generatorUrl);
      }
      alert.put("fingerprint", fingerprint);
      alert.put("receivers", List.of(Map.of("name", receiver)));
      alert.put(
          "status",
          Map.of(
              "state",
              silencedBy.isEmpty() && inhibitedBy.isEmpty() ? "active" : "suppressed",
              "silencedBy",
              silencedBy,
              "inhibitedBy",
              inhibitedBy,
              "mutedBy",
              List.of()));
      return alert;
    }
  }

  /**
   * The firing alerts of a service (or all), filtered as Alertmanager does: matchers on the labels,
   * the receiver, and {@code active} / {@code silenced} to leave out alerts that are not muted /
   * muted by a silence.
   */
  private List<StoredAlert> select(
      @Nullable UUID service,
      @Nullable List<String> filters,
      boolean active,
      boolean silenced,
      boolean inhibited,
      @Nullable String receiver) {
    List<LabelMatcher> matchers = new ArrayList<>();
    if (filters != null) {
      filters.forEach(filter -> matchers.addAll(LabelMatcher.parseAll(filter)));
    }
    Pattern receiverPattern = receiverPattern(receiver);
    Map<UUID, String> names = new HashMap<>();
    allServices().forEach(s -> names.put(s.id(), s.name()));
    Instant now = clock.instant();
    // Every firing alert, not only the caller's: an alert of another service may inhibit one of
    // the caller's.
    List<Row> rows =
        jdbc.sql(
                """
                SELECT fingerprint, service_id, labels, annotations, starts_at, ends_at,
                       last_seen_at, generator_url
                FROM ingest_alert
                WHERE status = 'firing' AND (ends_at IS NULL OR ends_at > :now)
                ORDER BY starts_at, fingerprint
                """)
            .param("now", now.atOffset(ZoneOffset.UTC))
            .query(
                (rs, n) -> {
                  UUID serviceId = rs.getObject("service_id", UUID.class);
                  Map<String, String> labels =
                      new LinkedHashMap<>(json.readValue(rs.getString("labels"), LABELS));
                  // Tocsin's own label, never a sender's: it is what the routing tree of
                  // /api/v2/status matches on, so amtool's filters must find it on every alert.
                  labels.put(SERVICE_LABEL, names.getOrDefault(serviceId, serviceId.toString()));
                  OffsetDateTime endsAt = rs.getObject("ends_at", OffsetDateTime.class);
                  return new Row(
                      serviceId,
                      new AlertMuting.Firing(rs.getString("fingerprint"), labels),
                      rs.getString("annotations"),
                      rs.getObject("starts_at", OffsetDateTime.class).toInstant(),
                      endsAt == null ? null : endsAt.toInstant(),
                      rs.getObject("last_seen_at", OffsetDateTime.class).toInstant(),
                      rs.getString("generator_url"));
                })
            .list();
    AlertMuting source = muting.getIfAvailable();
    AlertMuting.Now mutedNow =
        source == null ? null : source.now(rows.stream().map(Row::firing).toList());
    List<StoredAlert> selected = new ArrayList<>();
    for (Row row : rows) {
      String receiverName = Objects.requireNonNull(row.firing().labels().get(SERVICE_LABEL));
      if ((service != null && !service.equals(row.serviceId()))
          || !matchers.stream().allMatch(m -> m.matches(row.firing().labels()))
          || (receiverPattern != null && !receiverPattern.matches(receiverName))) {
        continue;
      }
      List<String> silencedBy =
          mutedNow == null ? List.of() : mutedNow.silencedBy(row.firing().labels());
      List<String> inhibitedBy = mutedNow == null ? List.of() : mutedNow.inhibitedBy(row.firing());
      boolean isActive = silencedBy.isEmpty() && inhibitedBy.isEmpty();
      if ((isActive && !active)
          || (!silencedBy.isEmpty() && !silenced)
          || (!inhibitedBy.isEmpty() && !inhibited)) {
        continue;
      }
      selected.add(
          new StoredAlert(
              row.firing().fingerprint(),
              receiverName,
              row.firing().labels(),
              json.readValue(row.annotations(), LABELS),
              row.startsAt(),
              row.endsAt(),
              row.updatedAt(),
              row.generatorUrl(),
              silencedBy,
              inhibitedBy));
    }
    return selected;
  }

  private record Row(
      UUID serviceId,
      AlertMuting.Firing firing,
      // Parsed only for the alerts the caller gets: the others are read for inhibition alone.
      String annotations,
      Instant startsAt,
      @Nullable Instant endsAt,
      Instant updatedAt,
      @Nullable String generatorUrl) {}

  private static @Nullable Pattern receiverPattern(@Nullable String receiver) {
    if (receiver == null || receiver.isEmpty()) {
      return null;
    }
    if (receiver.length() > LabelMatcher.REGEX_LIMIT) {
      throw new io.tocsin.platform.InvalidInputException(
          "receiver", "must have at most " + LabelMatcher.REGEX_LIMIT + " characters");
    }
    try {
      return Pattern.compile(receiver);
    } catch (PatternSyntaxException e) {
      throw new io.tocsin.platform.InvalidInputException(
          "receiver", "is not a regular expression: " + e.getDescription());
    }
  }
}
