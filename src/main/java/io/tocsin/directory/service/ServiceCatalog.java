package io.tocsin.directory.service;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.TeamScope;
import io.tocsin.directory.team.TeamService;
import io.tocsin.platform.ConfigGenerations;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.ListQuery;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * ServiceCatalog keeps services, their owners, runbooks, labels and dependencies. Dependencies stay
 * a DAG: a change that would close a cycle is refused with the cycle spelled out, and changes to
 * dependencies are serialised with a row lock so that two concurrent edits (A needs B, B needs A)
 * cannot together create the cycle that each alone would not.
 */
@Service
public class ServiceCatalog {

  /** Prometheus label names, since labels are matched against alert labels. */
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private static final String COLUMNS =
      "id, name, description, owner_team_id, runbook_urls, labels, group_by, flap_window_minutes,"
          + " group_delay_seconds, aliases, auto_resolve, created_at, updated_at";

  private static final String INSERT =
      """
      INSERT INTO directory_service
        (id, name, name_key, description, owner_team_id, runbook_urls, labels, group_by,
         flap_window_minutes, group_delay_seconds, aliases, auto_resolve, created_at, updated_at)
      VALUES (:id, :name, :nameKey, :description, :ownerTeamId, :runbookUrls, :labels, :groupBy,
              :flapWindow, :groupDelay, :aliases, :autoResolve, :now, :now)
      """;

  private static final String UPDATE =
      """
      UPDATE directory_service
      SET name = :name, name_key = :nameKey, description = :description,
          owner_team_id = :ownerTeamId, runbook_urls = :runbookUrls, labels = :labels,
          group_by = :groupBy, flap_window_minutes = :flapWindow, group_delay_seconds = :groupDelay,
          aliases = :aliases, auto_resolve = :autoResolve, updated_at = :now
      WHERE id = :id
      """;

  private final JdbcClient jdbc;
  private final TeamService teams;
  private final AuditLog audit;
  private final JsonMapper json;
  private final Clock clock;
  private final IdGenerator ids;
  private final ApplicationEventPublisher events;
  private final ConfigGenerations generations;
  private final ConfigGenerations.Cache<DependencyGraph> cachedGraph;
  private final ConfigGenerations.Cache<Map<UUID, Optional<CatalogService>>> cachedServices;

  private final TeamScope scope;

  ServiceCatalog(
      JdbcClient jdbc,
      TeamService teams,
      AuditLog audit,
      JsonMapper json,
      Clock clock,
      IdGenerator ids,
      ApplicationEventPublisher events,
      ConfigGenerations generations,
      TeamScope scope) {
    this.scope = scope;
    this.jdbc = jdbc;
    this.teams = teams;
    this.audit = audit;
    this.json = json;
    this.clock = clock;
    this.ids = ids;
    this.events = events;
    this.generations = generations;
    this.cachedGraph = generations.cache(KIND, this::graph);
    this.cachedServices = generations.cache(KIND, ConcurrentHashMap::new);
  }

  /** A new service or a partial change; {@code null} means "not given". */
  public record ServiceInput(
      @Nullable String name,
      @Nullable String description,
      @Nullable UUID ownerTeamId,
      @Nullable List<String> runbookUrls,
      @Nullable Map<String, String> labels,
      @Nullable List<UUID> dependencies,
      @Nullable List<String> groupBy,
      @Nullable Integer flapWindowMinutes,
      @Nullable Integer groupDelaySeconds,
      @Nullable Boolean autoResolve,
      @Nullable List<String> aliases) {}

  /** The kind of configuration services are, for {@link ConfigGenerations}. */
  private static final String KIND = "directory.service";

  /** The labels a new service groups its alerts by. */
  public static final List<String> DEFAULT_GROUP_BY = List.of("alertname");

  /** The longest a service's first page may be held for a cause to show itself. */
  public static final int MAX_GROUP_DELAY_SECONDS = 600;

  /** The default flap window of a new service. */
  public static final int DEFAULT_FLAP_WINDOW_MINUTES = 30;

  @Transactional
  public CatalogService create(ServiceInput input) {
    if (input.name() == null) {
      throw new InvalidInputException("name", "is required");
    }
    Instant now = clock.instant();
    UUID id = ids.generateId();
    CatalogService service =
        new CatalogService(
            id,
            validName(input.name()),
            validDescription(input.description()),
            validOwner(input.ownerTeamId()),
            validRunbooks(input.runbookUrls()),
            validLabels(input.labels()),
            List.of(),
            input.groupBy() == null ? DEFAULT_GROUP_BY : validGroupBy(input.groupBy()),
            input.flapWindowMinutes() == null
                ? DEFAULT_FLAP_WINDOW_MINUTES
                : validFlapWindow(input.flapWindowMinutes()),
            validGroupDelay(input.groupDelaySeconds()),
            validAliases(input.aliases()),
            input.autoResolve() == null || input.autoResolve(),
            now,
            now);
    write(INSERT, service);
    if (input.dependencies() != null && !input.dependencies().isEmpty()) {
      replaceDependencies(service, input.dependencies());
    }
    audit.record("service.created", "service " + id, "created service '" + service.name() + "'");
    return get(id);
  }

  @Transactional
  public CatalogService update(UUID id, ServiceInput input) {
    CatalogService before = get(id);
    CatalogService after =
        new CatalogService(
            id,
            input.name() == null ? before.name() : validName(input.name()),
            input.description() == null
                ? before.description()
                : validDescription(input.description()),
            input.ownerTeamId() == null ? before.ownerTeamId() : validOwner(input.ownerTeamId()),
            input.runbookUrls() == null ? before.runbookUrls() : validRunbooks(input.runbookUrls()),
            input.labels() == null ? before.labels() : validLabels(input.labels()),
            before.dependencies(),
            input.groupBy() == null ? before.groupBy() : validGroupBy(input.groupBy()),
            input.flapWindowMinutes() == null
                ? before.flapWindowMinutes()
                : validFlapWindow(input.flapWindowMinutes()),
            input.groupDelaySeconds() == null
                ? before.groupDelaySeconds()
                : validGroupDelay(input.groupDelaySeconds()),
            input.aliases() == null ? before.aliases() : validAliases(input.aliases()),
            input.autoResolve() == null ? before.autoResolve() : input.autoResolve(),
            before.createdAt(),
            clock.instant());
    write(UPDATE, after);
    if (input.dependencies() != null) {
      replaceDependencies(after, input.dependencies());
    }
    CatalogService saved = get(id);
    String summary = describeChanges(before, saved);
    if (!summary.isEmpty()) {
      audit.record("service.updated", "service " + id, summary);
    }
    return saved;
  }

  /**
   * Adds one dependency to those the service has, as they are when the graph's lock is taken: a
   * concurrent change of its other dependencies is kept, not overwritten. Audited with {@code why}.
   */
  @Transactional
  public CatalogService addDependency(UUID id, UUID dependency, String why) {
    lockGraph();
    List<UUID> dependencies =
        new ArrayList<>(
            jdbc.sql(
                    "SELECT depends_on_id FROM directory_service_dependency WHERE service_id = :id")
                .param("id", id)
                .query(UUID.class)
                .list());
    CatalogService service = get(id);
    if (dependencies.contains(dependency)) {
      return service;
    }
    dependencies.add(dependency);
    replaceDependencies(service, dependencies);
    jdbc.sql("UPDATE directory_service SET updated_at = :now WHERE id = :id")
        .param("id", id)
        .param("now", clock.instant().atOffset(ZoneOffset.UTC))
        .update();
    generations.changed(KIND);
    audit.record(
        "service.updated",
        "service " + id,
        "dependency on '" + nameOf(dependency) + "' added: " + why);
    return get(id);
  }

  /** Leaves the service without an owning team ({@link #update} can only set one). */
  @Transactional
  public CatalogService removeOwner(UUID id) {
    CatalogService before = get(id);
    if (before.ownerTeamId() == null) {
      return before;
    }
    jdbc.sql("UPDATE directory_service SET owner_team_id = NULL, updated_at = :now WHERE id = :id")
        .param("id", id)
        .param("now", clock.instant().atOffset(ZoneOffset.UTC))
        .update();
    generations.changed(KIND);
    audit.record(
        "service.updated", "service " + id, "owner team " + before.ownerTeamId() + " -> none");
    return get(id);
  }

  /** Lets the service follow the installation's group delay again ({@link #update} sets one). */
  @Transactional
  public CatalogService useDefaultGroupDelay(UUID id) {
    CatalogService before = get(id);
    if (before.groupDelaySeconds() == null) {
      return before;
    }
    jdbc.sql(
            "UPDATE directory_service SET group_delay_seconds = NULL, updated_at = :now"
                + " WHERE id = :id")
        .param("id", id)
        .param("now", clock.instant().atOffset(ZoneOffset.UTC))
        .update();
    generations.changed(KIND);
    audit.record(
        "service.updated",
        "service " + id,
        "group delay " + before.groupDelaySeconds() + " s -> the default");
    return get(id);
  }

  /**
   * The service with its dependencies, from this node's copy of those asked for so far: correlation
   * asks for every alert's service, and services change only when a person changes them.
   */
  public CatalogService get(UUID id) {
    return cachedServices
        .get()
        .computeIfAbsent(
            id,
            key ->
                jdbc.sql("SELECT " + COLUMNS + " FROM directory_service WHERE id = :id")
                    .param("id", key)
                    .query(this::row)
                    .optional()
                    .map(service -> withDependencies(List.of(service)).get(0)))
        .orElseThrow(() -> new NotFoundException("There is no service " + id + "."));
  }

  /**
   * The service as a person asks for it by id: not found when {@code TOCSIN_TEAM_VISIBILITY=own}
   * hides another team's service from them ({@link TeamScope#visible}).
   */
  public CatalogService lookUp(UUID id) {
    CatalogService service = get(id);
    if (!scope.visible(id)) {
      throw new NotFoundException("There is no service " + id + ".");
    }
    return service;
  }

  public boolean exists(UUID id) {
    return jdbc.sql("SELECT COUNT(*) FROM directory_service WHERE id = :id")
            .param("id", id)
            .query(Long.class)
            .single()
        > 0;
  }

  public Page<CatalogService> list(@Nullable String nameContains, @Nullable UUID after, int limit) {
    return Page.of(
        withDependencies(
            scope
                .narrow(ListQuery.from("SELECT " + COLUMNS + " FROM directory_service"), "id")
                .containing("name", nameContains)
                .oldestFirst(jdbc, after, limit, this::row)),
        limit,
        CatalogService::id);
  }

  /** These services with their dependencies, read in one query for all of them. */
  private List<CatalogService> withDependencies(List<CatalogService> found) {
    if (found.isEmpty()) {
      return found;
    }
    Map<UUID, List<UUID>> dependencies = new HashMap<>();
    jdbc.sql(
            """
            SELECT service_id, depends_on_id FROM directory_service_dependency
            WHERE service_id IN (:ids) ORDER BY depends_on_id
            """)
        .param("ids", found.stream().map(CatalogService::id).toList())
        .query(
            (rs, n) ->
                dependencies
                    .computeIfAbsent(rs.getObject("service_id", UUID.class), k -> new ArrayList<>())
                    .add(rs.getObject("depends_on_id", UUID.class)))
        .list();
    return found.stream()
        .map(
            service ->
                new CatalogService(
                    service.id(),
                    service.name(),
                    service.description(),
                    service.ownerTeamId(),
                    service.runbookUrls(),
                    service.labels(),
                    List.copyOf(dependencies.getOrDefault(service.id(), List.of())),
                    service.groupBy(),
                    service.flapWindowMinutes(),
                    service.groupDelaySeconds(),
                    service.aliases(),
                    service.autoResolve(),
                    service.createdAt(),
                    service.updatedAt()))
        .toList();
  }

  /** The services {@code id} depends on: directly, or through others when {@code transitive}. */
  public List<CatalogService> dependencies(UUID id, boolean transitive) {
    get(id);
    DependencyGraph graph = graph();
    return (transitive ? graph.closure(id) : graph.direct(id)).stream().map(this::get).toList();
  }

  @Transactional
  public void delete(UUID id) {
    CatalogService service = get(id);
    List<String> blockers = new ArrayList<>();
    List<String> integrations =
        jdbc.sql("SELECT name FROM directory_integration WHERE service_id = :id ORDER BY name")
            .param("id", id)
            .query(String.class)
            .list();
    if (!integrations.isEmpty()) {
      blockers.add("integrations " + String.join(", ", integrations));
    }
    List<String> dependents =
        jdbc.sql(
                """
                SELECT s.name FROM directory_service_dependency d
                JOIN directory_service s ON s.id = d.service_id
                WHERE d.depends_on_id = :id ORDER BY s.name
                """)
            .param("id", id)
            .query(String.class)
            .list();
    if (!dependents.isEmpty()) {
      blockers.add("services that depend on it: " + String.join(", ", dependents));
    }
    if (!blockers.isEmpty()) {
      throw new ConflictException(
          "Service '"
              + service.name()
              + "' is still referred to by "
              + String.join("; ", blockers)
              + ".");
    }
    jdbc.sql("DELETE FROM directory_service WHERE id = :id").param("id", id).update();
    generations.changed(KIND);
    events.publishEvent(new ServiceDeleted(id, service.name()));
    audit.record("service.deleted", "service " + id, "deleted service '" + service.name() + "'");
  }

  private void replaceDependencies(CatalogService service, List<UUID> requested) {
    List<UUID> dependencies = List.copyOf(new LinkedHashSet<>(requested));
    for (UUID dependency : dependencies) {
      if (dependency.equals(service.id())) {
        throw new InvalidInputException("dependencies", "a service cannot depend on itself");
      }
      if (!exists(dependency)) {
        throw new InvalidInputException(
            "dependencies", "service " + dependency + " does not exist");
      }
    }
    lockGraph();
    DependencyGraph graph = graph();
    graph.set(service.id(), dependencies);
    graph
        .cycleThrough(service.id())
        .ifPresent(
            cycle -> {
              throw new InvalidInputException(
                  "dependencies",
                  "would create the cycle "
                      + cycle.stream().map(this::nameOf).collect(Collectors.joining(" -> ")));
            });
    jdbc.sql("DELETE FROM directory_service_dependency WHERE service_id = :id")
        .param("id", service.id())
        .update();
    for (UUID dependency : dependencies) {
      jdbc.sql(
              "INSERT INTO directory_service_dependency (service_id, depends_on_id) VALUES (:s, :d)")
          .param("s", service.id())
          .param("d", dependency)
          .update();
    }
  }

  /** One writer of the graph at a time: every dependency change locks the same row first. */
  private void lockGraph() {
    jdbc.sql("SELECT id FROM directory_dependency_lock WHERE id = 1 FOR UPDATE")
        .query(Integer.class)
        .list();
  }

  /** Every service's name by its id, for code that names or finds many at once. */
  public Map<UUID, String> names() {
    Map<UUID, String> names = new java.util.LinkedHashMap<>();
    jdbc.sql("SELECT id, name FROM directory_service ORDER BY name_key")
        .query(
            rs -> {
              names.put(rs.getObject("id", UUID.class), rs.getString("name"));
            });
    return names;
  }

  /**
   * Every service by each name a sender may call it, in lower case: its name and its aliases. A
   * name taken by two services (an alias equal to another's name) finds the one whose name it is.
   */
  public Map<String, UUID> byAnyName() {
    Map<String, UUID> byName = new HashMap<>();
    Map<String, UUID> byAlias = new HashMap<>();
    jdbc.sql("SELECT id, name, aliases FROM directory_service")
        .query(
            rs -> {
              UUID id = rs.getObject("id", UUID.class);
              byName.put(rs.getString("name").toLowerCase(Locale.ROOT), id);
              for (String alias :
                  json.readValue(rs.getString("aliases"), new TypeReference<List<String>>() {})) {
                byAlias.putIfAbsent(alias.toLowerCase(Locale.ROOT), id);
              }
            });
    byAlias.putAll(byName);
    return byAlias;
  }

  /** The service's name; its id once it has been deleted. */
  public String nameOf(UUID id) {
    return findName(id).orElse(id.toString());
  }

  /** The service's name, if it still exists. */
  public Optional<String> findName(UUID id) {
    return jdbc.sql("SELECT name FROM directory_service WHERE id = :id")
        .param("id", id)
        .query(String.class)
        .optional();
  }

  /**
   * Every dependency edge at once, for code that follows dependencies of many services in one go
   * (correlating a batch of alerts) without a query per service.
   */
  /** This node's copy of the graph, read again once a service changes on any node. */
  public DependencyGraph dependencyGraph() {
    return cachedGraph.get();
  }

  private DependencyGraph graph() {
    return new DependencyGraph(
        jdbc.sql("SELECT service_id, depends_on_id FROM directory_service_dependency")
            .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)))
            .list());
  }

  private void write(String sql, CatalogService service) {
    generations.changed(KIND);
    try {
      jdbc.sql(sql)
          .param("id", service.id())
          .param("name", service.name())
          .param("nameKey", service.name().toLowerCase(Locale.ROOT))
          .param("description", service.description())
          .param("ownerTeamId", service.ownerTeamId())
          .param("runbookUrls", json.writeValueAsString(service.runbookUrls()))
          .param("labels", json.writeValueAsString(service.labels()))
          .param("groupBy", json.writeValueAsString(service.groupBy()))
          .param("flapWindow", service.flapWindowMinutes())
          .param("groupDelay", service.groupDelaySeconds())
          .param("aliases", json.writeValueAsString(service.aliases()))
          .param("autoResolve", service.autoResolve())
          .param("now", service.updatedAt().atOffset(ZoneOffset.UTC))
          .update();
    } catch (DuplicateKeyException e) {
      throw new ConflictException("A service named '" + service.name() + "' already exists.");
    }
  }

  /** A service without its dependencies, which {@link #withDependencies} adds. */
  private CatalogService row(ResultSet rs, int n) throws SQLException {
    UUID id = rs.getObject("id", UUID.class);
    return new CatalogService(
        id,
        rs.getString("name"),
        rs.getString("description"),
        rs.getObject("owner_team_id", UUID.class),
        json.readValue(rs.getString("runbook_urls"), new TypeReference<List<String>>() {}),
        json.readValue(rs.getString("labels"), new TypeReference<TreeMap<String, String>>() {}),
        List.of(),
        json.readValue(rs.getString("group_by"), new TypeReference<List<String>>() {}),
        rs.getInt("flap_window_minutes"),
        rs.getObject("group_delay_seconds", Integer.class),
        json.readValue(rs.getString("aliases"), new TypeReference<List<String>>() {}),
        rs.getBoolean("auto_resolve"),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        rs.getObject("updated_at", OffsetDateTime.class).toInstant());
  }

  private static String describeChanges(CatalogService before, CatalogService after) {
    List<String> changes = new ArrayList<>();
    if (!before.name().equals(after.name())) {
      changes.add("name '" + before.name() + "' -> '" + after.name() + "'");
    }
    if (!before.description().equals(after.description())) {
      changes.add("description changed");
    }
    if (!Objects.equals(before.ownerTeamId(), after.ownerTeamId())) {
      changes.add("owner " + before.ownerTeamId() + " -> " + after.ownerTeamId());
    }
    if (!before.runbookUrls().equals(after.runbookUrls())) {
      changes.add("runbooks " + before.runbookUrls() + " -> " + after.runbookUrls());
    }
    if (!before.labels().equals(after.labels())) {
      changes.add("labels " + before.labels() + " -> " + after.labels());
    }
    if (!before.groupBy().equals(after.groupBy())) {
      changes.add("groupBy " + before.groupBy() + " -> " + after.groupBy());
    }
    if (before.flapWindowMinutes() != after.flapWindowMinutes()) {
      changes.add(
          "flap window "
              + before.flapWindowMinutes()
              + " -> "
              + after.flapWindowMinutes()
              + " min");
    }
    if (!Objects.equals(before.groupDelaySeconds(), after.groupDelaySeconds())) {
      changes.add(
          "group delay " + before.groupDelaySeconds() + " -> " + after.groupDelaySeconds() + " s");
    }
    if (!before.aliases().equals(after.aliases())) {
      changes.add("aliases " + before.aliases() + " -> " + after.aliases());
    }
    if (before.autoResolve() != after.autoResolve()) {
      changes.add("autoResolve " + before.autoResolve() + " -> " + after.autoResolve());
    }
    if (!before.dependencies().equals(after.dependencies())) {
      changes.add("dependencies " + before.dependencies() + " -> " + after.dependencies());
    }
    return String.join(", ", changes);
  }

  private static String validName(String name) {
    String trimmed = name.trim();
    if (trimmed.isEmpty() || trimmed.length() > 100) {
      throw new InvalidInputException("name", "must have 1 to 100 characters");
    }
    return trimmed;
  }

  private static String validDescription(@Nullable String description) {
    String text = description == null ? "" : description.trim();
    if (text.length() > 2000) {
      throw new InvalidInputException("description", "must have at most 2000 characters");
    }
    return text;
  }

  private @Nullable UUID validOwner(@Nullable UUID ownerTeamId) {
    if (ownerTeamId != null && !teams.exists(ownerTeamId)) {
      throw new InvalidInputException("ownerTeamId", "team " + ownerTeamId + " does not exist");
    }
    return ownerTeamId;
  }

  private static List<String> validRunbooks(@Nullable List<String> urls) {
    if (urls == null) {
      return List.of();
    }
    for (String url : urls) {
      try {
        URI uri = new URI(url);
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())
            || uri.getHost() == null) {
          throw new URISyntaxException(url, "not an http(s) URL");
        }
      } catch (URISyntaxException e) {
        throw new InvalidInputException("runbookUrls", "'" + url + "' is not an http(s) URL");
      }
    }
    return List.copyOf(urls);
  }

  private static List<String> validGroupBy(List<String> labels) {
    if (labels.size() > 20) {
      throw new InvalidInputException("groupBy", "may name at most 20 labels");
    }
    for (String name : labels) {
      if (name == null || !LABEL_NAME.matcher(name).matches()) {
        throw new InvalidInputException(
            "groupBy",
            "'" + name + "' is not a label name (letters, digits and _, not first a digit)");
      }
    }
    return List.copyOf(new LinkedHashSet<>(labels));
  }

  private static int validFlapWindow(int minutes) {
    if (minutes < 0 || minutes > 1440) {
      throw new InvalidInputException("flapWindowMinutes", "must be 0 to 1440 minutes");
    }
    return minutes;
  }

  /** The most aliases one service may have. */
  static final int MAX_ALIASES = 20;

  private static List<String> validAliases(@Nullable List<String> aliases) {
    if (aliases == null) {
      return List.of();
    }
    if (aliases.size() > MAX_ALIASES) {
      throw new InvalidInputException("aliases", "may hold at most " + MAX_ALIASES + " aliases");
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String alias : aliases) {
      String trimmed = alias == null ? "" : alias.trim();
      if (trimmed.isEmpty() || trimmed.length() > 100) {
        throw new InvalidInputException("aliases", "each alias must have 1 to 100 characters");
      }
      seen.add(trimmed);
    }
    return List.copyOf(seen);
  }

  private static @Nullable Integer validGroupDelay(@Nullable Integer seconds) {
    if (seconds != null && (seconds < 0 || seconds > MAX_GROUP_DELAY_SECONDS)) {
      throw new InvalidInputException(
          "groupDelaySeconds", "must be 0 to " + MAX_GROUP_DELAY_SECONDS + " seconds");
    }
    return seconds;
  }

  private static Map<String, String> validLabels(@Nullable Map<String, String> labels) {
    if (labels == null) {
      return Map.of();
    }
    for (String name : labels.keySet()) {
      if (!LABEL_NAME.matcher(name).matches()) {
        throw new InvalidInputException(
            "labels",
            "'" + name + "' is not a label name (letters, digits and _, not first a digit)");
      }
    }
    return new TreeMap<>(labels);
  }
}
