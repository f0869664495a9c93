package io.tocsin.ingest;

import io.tocsin.directory.TeamScope;
import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.AlertChange.AlertFired;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InLists;
import io.tocsin.platform.ListQuery;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Severity;
import io.tocsin.platform.TimeOrderedIds;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What other modules may ask about stored alerts. */
@Service
public class AlertLookup {

  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
  private static final TypeReference<List<IncomingAlert.Link>> LINKS = new TypeReference<>() {};

  /**
   * Most alerts one look through the history examines: a filter that matches few alerts of a long
   * history answers after this many and continues from there on request.
   */
  public static final int EXAMINED_LIMIT = 2_000;

  private static final int BATCH = 500;

  /** Names a filter may use for the alert's service and severity when it has no such label. */
  private static final String SERVICE = "service";

  private static final String SEVERITY = "severity";

  /** The source of alerts that came as PagerDuty events. */
  private static final String PAGERDUTY = "pagerduty";

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final ServiceCatalog services;

  private final TeamScope scope;

  AlertLookup(JdbcClient jdbc, JsonMapper json, ServiceCatalog services, TeamScope scope) {
    this.scope = scope;
    this.jdbc = jdbc;
    this.json = json;
    this.services = services;
  }

  /** An alert as a person browsing alerts sees it. */
  public record ListedAlert(
      UUID alertId,
      UUID serviceId,
      String fingerprint,
      AlertStatus status,
      Severity severity,
      String summary,
      Map<String, String> labels,
      Map<String, String> annotations,
      List<IncomingAlert.Link> links,
      @Nullable String generatorUrl,
      Instant startsAt,
      @Nullable Instant endsAt,
      Instant lastSeenAt) {}

  /**
   * A stretch of the history, newest first: the alerts kept, and the cursor to continue before
   * (null once the oldest alert was examined).
   */
  public record Stretch(List<ListedAlert> items, @Nullable UUID continueBefore) {}

  /**
   * The newest alerts before {@code before} in {@code status} (any if null) whose labels match
   * every matcher: at most {@code limit}, examining at most {@link #EXAMINED_LIMIT} alerts. The
   * alert's service name matches as {@link AlertMuting#SERVICE_LABEL}, as silences see it, and as
   * {@code service} (with its level as {@code severity}) when the sender set no such label.
   */
  public Stretch newest(
      List<LabelMatcher> matchers, @Nullable AlertStatus status, @Nullable UUID before, int limit) {
    boolean byService =
        matchers.stream()
            .anyMatch(
                m ->
                    m.name().equals(AlertMuting.SERVICE_LABEL)
                        || m.name().equals(SERVICE)
                        || m.name().equals(SEVERITY));
    Map<UUID, String> names = new HashMap<>();
    List<ListedAlert> kept = new ArrayList<>();
    UUID cursor = before;
    int examined = 0;
    while (examined < EXAMINED_LIMIT) {
      List<ListedAlert> batch =
          scope
              .narrow(
                  ListQuery.from(
                      "SELECT id, service_id, fingerprint, status, severity, summary, labels,"
                          + " annotations, links, generator_url, starts_at, ends_at, last_seen_at"
                          + " FROM ingest_alert"),
                  "service_id")
              .where("status = ?", status == null ? null : EnumText.canonical(status))
              .newestFirst(jdbc, cursor, BATCH, (rs, n) -> listed(rs));
      boolean more = batch.size() > BATCH;
      for (ListedAlert alert : batch.subList(0, Math.min(BATCH, batch.size()))) {
        examined++;
        cursor = alert.alertId();
        Map<String, String> labels = alert.labels();
        if (byService) {
          labels = new HashMap<>(labels);
          // Tocsin's own label: a sender's tocsin_service never stands for another service.
          String service = names.computeIfAbsent(alert.serviceId(), this::serviceName);
          labels.put(AlertMuting.SERVICE_LABEL, service);
          // What a person types first: service="checkout" means the Tocsin service, and
          // severity="critical" Tocsin's level, unless the sender set labels of those names.
          labels.putIfAbsent(SERVICE, service);
          labels.putIfAbsent(SEVERITY, EnumText.canonical(alert.severity()));
        }
        Map<String, String> matched = labels;
        if (matchers.stream().allMatch(m -> m.matches(matched))) {
          kept.add(alert);
          if (kept.size() == limit) {
            return new Stretch(kept, alert.alertId());
          }
        }
      }
      if (!more) {
        return new Stretch(kept, null);
      }
    }
    return new Stretch(kept, cursor);
  }

  /**
   * The newest alerts (at most {@code limit}) with a label value that contains {@code text},
   * ignoring case: the incident list's search by label. The database narrows the rows by the
   * labels' JSON text; the values are checked here, so a label's name alone does not match.
   */
  public Set<UUID> withLabelValueContaining(String text, int limit) {
    String wanted = text.trim().toLowerCase(java.util.Locale.ROOT);
    Set<UUID> found = new java.util.LinkedHashSet<>();
    if (wanted.isEmpty()) {
      return found;
    }
    ListQuery.from("SELECT id, labels FROM ingest_alert")
        .containing("labels", wanted)
        .newestFirst(
            jdbc,
            null,
            limit,
            (rs, n) -> {
              Map<String, String> labels = json.readValue(rs.getString("labels"), LABELS);
              if (labels.values().stream()
                  .anyMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains(wanted))) {
                found.add(rs.getObject("id", UUID.class));
              }
              return n;
            });
    return found;
  }

  private ListedAlert listed(ResultSet rs) throws SQLException {
    String links = rs.getString("links");
    OffsetDateTime endsAt = rs.getObject("ends_at", OffsetDateTime.class);
    return new ListedAlert(
        rs.getObject("id", UUID.class),
        rs.getObject("service_id", UUID.class),
        rs.getString("fingerprint"),
        EnumText.parse(AlertStatus.class, "status", rs.getString("status")),
        EnumText.parse(Severity.class, "severity", rs.getString("severity")),
        rs.getString("summary"),
        json.readValue(rs.getString("labels"), LABELS),
        json.readValue(rs.getString("annotations"), LABELS),
        links == null ? List.of() : json.readValue(links, LINKS),
        rs.getString("generator_url"),
        rs.getObject("starts_at", OffsetDateTime.class).toInstant(),
        endsAt == null ? null : endsAt.toInstant(),
        rs.getObject("last_seen_at", OffsetDateTime.class).toInstant());
  }

  private String serviceName(UUID id) {
    try {
      return services.get(id).name();
    } catch (NotFoundException e) {
      return id.toString();
    }
  }

  /** A firing alert with its labels. */
  public record FiringAlert(
      UUID alertId, UUID serviceId, String fingerprint, Map<String, String> labels) {}

  /**
   * What a responder looks at in an alert beyond its summary, as its sender gave it: URLs are not
   * checked here, so a page shows only those it can safely follow.
   *
   * @param dedupKey the sender's identity of the alert (PagerDuty's {@code dedup_key})
   * @param details structured context: PagerDuty's {@code custom_details}, a generic alert's {@code
   *     details}
   * @param images PagerDuty's {@code images}
   * @param route the routing rule that chose its service ("default" when none did), or null when
   *     its integration has no rules
   */
  public record AlertDetails(
      UUID alertId,
      Map<String, String> labels,
      Map<String, String> annotations,
      @Nullable String dedupKey,
      @Nullable Object details,
      List<IncomingAlert.Link> links,
      List<Image> images,
      @Nullable String generatorUrl,
      Instant startsAt,
      Instant lastSeenAt,
      int timesSeen,
      @Nullable String route) {}

  /** An image a sender attached (PagerDuty's {@code images}), and where it links to. */
  public record Image(String src, @Nullable String href, @Nullable String alt) {}

  /** The details of these alerts, by id; ids of unknown alerts are left out. */
  public Map<UUID, AlertDetails> details(Collection<UUID> alertIds) {
    Map<UUID, AlertDetails> details = new HashMap<>();
    for (List<UUID> chunk : InLists.of(alertIds)) {
      jdbc.sql(
              """
              SELECT id, labels, annotations, dedup_key, source, details, links, generator_url,
                     starts_at, last_seen_at, times_seen, route
              FROM ingest_alert WHERE id IN (:ids)
              """)
          .param("ids", chunk)
          .query(
              rs -> {
                String links = rs.getString("links");
                UUID id = rs.getObject("id", UUID.class);
                String stored = rs.getString("details");
                JsonNode context = stored == null ? null : json.readTree(stored);
                JsonNode images = null;
                // A PagerDuty event's custom_details and images are stored together.
                if (PAGERDUTY.equals(rs.getString("source")) && context != null) {
                  images = context.get("images");
                  context = context.get("custom_details");
                }
                details.put(
                    id,
                    new AlertDetails(
                        id,
                        json.readValue(rs.getString("labels"), LABELS),
                        json.readValue(rs.getString("annotations"), LABELS),
                        rs.getString("dedup_key"),
                        context == null || context.isNull()
                            ? null
                            : json.treeToValue(context, Object.class),
                        links == null ? List.of() : json.readValue(links, LINKS),
                        images(images),
                        rs.getString("generator_url"),
                        rs.getObject("starts_at", OffsetDateTime.class).toInstant(),
                        rs.getObject("last_seen_at", OffsetDateTime.class).toInstant(),
                        rs.getInt("times_seen"),
                        rs.getString("route")));
              });
    }
    return details;
  }

  /** The images of a PagerDuty event that name a source; PagerDuty does not check them either. */
  private static List<Image> images(@Nullable JsonNode images) {
    if (images == null || !images.isArray()) {
      return List.of();
    }
    List<Image> found = new ArrayList<>();
    for (JsonNode image : images) {
      String src = text(image, "src");
      if (src != null) {
        found.add(new Image(src, text(image, "href"), text(image, "alt")));
      }
    }
    return found;
  }

  private static @Nullable String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || !value.isString() || value.asString().isBlank()
        ? null
        : value.asString();
  }

  /** The columns an {@link Occurrence} is read from. */
  private static final String OCCURRENCES =
      """
      SELECT id, integration_id, service_id, fingerprint, status, severity, summary, labels,
             starts_at, ends_at, first_seen_at, last_seen_at, dedup_key, grouping
      FROM ingest_alert
      """;

  /**
   * An occurrence of an alert as correlation first saw it, when Tocsin took it, and when it learnt
   * that it resolved (null while it fires). The severity and summary are the last ones sent: a
   * re-send overwrites them.
   */
  public record Occurrence(AlertFired fired, Instant firstSeenAt, @Nullable Instant resolvedAt) {}

  /**
   * The occurrences first seen from {@code from} until before {@code to}, after the occurrence
   * {@code after} (from the start when null), in the order they were taken: at most {@code limit}.
   * Their ids are drawn in time order, so the window is a range of ids, which reads only its months
   * of a partitioned table.
   */
  public List<Occurrence> occurrences(Instant from, Instant to, @Nullable UUID after, int limit) {
    return jdbc.sql(
            OCCURRENCES
                + """
                WHERE id >= :from AND id < :to AND id > :after
                ORDER BY id FETCH FIRST :limit ROWS ONLY
                """)
        .param("from", TimeOrderedIds.first(from))
        .param("to", TimeOrderedIds.first(to))
        .param("after", after == null ? TimeOrderedIds.first(from) : after)
        .param("limit", limit)
        .query(this::occurrence)
        .list();
  }

  /**
   * The alert of an {@code ingest_alert} row as correlation takes it when it fires, under {@code
   * id}: the row's own, or a new occurrence's that continues {@code previous}.
   */
  static AlertFired fired(ResultSet rs, JsonMapper json, UUID id, @Nullable UUID previous)
      throws SQLException {
    OffsetDateTime endsAt = rs.getObject("ends_at", OffsetDateTime.class);
    String grouping = rs.getString("grouping");
    return new AlertFired(
        id,
        rs.getObject("integration_id", UUID.class),
        rs.getObject("service_id", UUID.class),
        rs.getString("fingerprint"),
        Severity.valueOf(rs.getString("severity").toUpperCase(Locale.ROOT)),
        rs.getString("summary"),
        json.readValue(rs.getString("labels"), LABELS),
        rs.getObject("starts_at", OffsetDateTime.class).toInstant(),
        endsAt == null ? null : endsAt.toInstant(),
        rs.getString("dedup_key"),
        previous,
        grouping == null ? null : json.readValue(grouping, Grouping.class));
  }

  /**
   * The occurrences first seen from {@code since} until before {@code at} that still fired at
   * {@code at}, after the occurrence {@code after}, in the order they were taken: what a replay
   * starting at {@code at} finds firing.
   */
  public List<Occurrence> firingAt(Instant at, Instant since, @Nullable UUID after, int limit) {
    return jdbc.sql(
            OCCURRENCES
                + """
                WHERE id >= :since AND id < :at AND id > :after
                  AND (status = 'firing' OR last_seen_at > :atTime OR ends_at > :atTime)
                ORDER BY id FETCH FIRST :limit ROWS ONLY
                """)
        .param("since", TimeOrderedIds.first(since))
        .param("at", TimeOrderedIds.first(at))
        .param("after", after == null ? TimeOrderedIds.first(since) : after)
        .param("atTime", at.atOffset(ZoneOffset.UTC))
        .param("limit", limit)
        .query(this::occurrence)
        .list();
  }

  /** How many occurrences were first seen from {@code from} until before {@code to}. */
  public long countOccurrences(Instant from, Instant to) {
    return jdbc.sql("SELECT COUNT(*) FROM ingest_alert WHERE id >= :from AND id < :to")
        .param("from", TimeOrderedIds.first(from))
        .param("to", TimeOrderedIds.first(to))
        .query(Long.class)
        .single();
  }

  private Occurrence occurrence(ResultSet rs, int row) throws SQLException {
    OffsetDateTime endsAt = rs.getObject("ends_at", OffsetDateTime.class);
    Instant lastSeen = rs.getObject("last_seen_at", OffsetDateTime.class).toInstant();
    AlertFired fired = fired(rs, json, rs.getObject("id", UUID.class), null);
    // A renewal ends an occurrence without a send (its end is then later than its last send);
    // otherwise correlation learnt of the end at the last send or the expiry sweep.
    Instant resolvedAt =
        !"resolved".equals(rs.getString("status"))
            ? null
            : endsAt != null && endsAt.toInstant().isAfter(lastSeen)
                ? endsAt.toInstant()
                : lastSeen;
    return new Occurrence(
        fired, rs.getObject("first_seen_at", OffsetDateTime.class).toInstant(), resolvedAt);
  }

  /** Which of these alerts have resolved by now. */
  public Set<UUID> resolvedAmong(Collection<UUID> alertIds) {
    Set<UUID> resolved = new HashSet<>();
    for (List<UUID> chunk : InLists.of(alertIds)) {
      resolved.addAll(
          jdbc.sql("SELECT id FROM ingest_alert WHERE id IN (:ids) AND status = 'resolved'")
              .param("ids", chunk)
              .query(UUID.class)
              .list());
    }
    return resolved;
  }

  /**
   * The newest alert an integration stored, firing or resolved: what its routing rules can be tried
   * on. Its labels are as stored, after the rules then in force.
   *
   * @param source the format it came in ({@code alertmanager_v2}, {@code pagerduty}, {@code
   *     generic}...), null for alerts stored before formats were recorded
   */
  public record NewestAlert(
      UUID alertId,
      Map<String, String> labels,
      Severity severity,
      @Nullable String source,
      Instant lastSeenAt) {}

  /** The newest alert stored for this integration, if it has any. */
  public Optional<NewestAlert> newestOf(UUID integrationId) {
    return jdbc.sql(
            "SELECT id, labels, severity, source, last_seen_at FROM ingest_alert"
                + " WHERE integration_id = :id ORDER BY id DESC FETCH FIRST 1 ROWS ONLY")
        .param("id", integrationId)
        .query(
            (rs, n) ->
                new NewestAlert(
                    rs.getObject("id", UUID.class),
                    json.readValue(rs.getString("labels"), LABELS),
                    EnumText.parse(Severity.class, "severity", rs.getString("severity")),
                    rs.getString("source"),
                    rs.getObject("last_seen_at", OffsetDateTime.class).toInstant()))
        .optional();
  }

  /** Every firing alert. */
  /**
   * The newest {@code limit} firing alerts, newest first: for views that show a sample or a count
   * and must answer in bounded time however many alerts fire.
   */
  public List<FiringAlert> newestFiring(int limit) {
    return jdbc.sql(
            "SELECT id, service_id, fingerprint, labels FROM ingest_alert WHERE status = 'firing'"
                + " ORDER BY id DESC FETCH FIRST :limit ROWS ONLY")
        .param("limit", limit)
        .query(
            (rs, n) ->
                new FiringAlert(
                    rs.getObject("id", UUID.class),
                    rs.getObject("service_id", UUID.class),
                    rs.getString("fingerprint"),
                    json.readValue(rs.getString("labels"), LABELS)))
        .list();
  }

  public List<FiringAlert> firing() {
    List<FiringAlert> firing = new ArrayList<>();
    jdbc.sql("SELECT id, service_id, fingerprint, labels FROM ingest_alert WHERE status = 'firing'")
        .query(
            rs -> {
              firing.add(
                  new FiringAlert(
                      rs.getObject("id", UUID.class),
                      rs.getObject("service_id", UUID.class),
                      rs.getString("fingerprint"),
                      json.readValue(rs.getString("labels"), LABELS)));
            });
    return firing;
  }
}
