package io.tocsin.ingest;

import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.ingest.AlertChange.AlertAcknowledged;
import io.tocsin.ingest.AlertChange.AlertFired;
import io.tocsin.ingest.AlertChange.AlertRefreshed;
import io.tocsin.ingest.AlertChange.AlertResolved;
import io.tocsin.ingest.intake.IngestRefusal;
import io.tocsin.platform.GroupCommit;
import io.tocsin.platform.InLists;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Severity;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.IdGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * AlertIngestion stores a batch of alerts from one integration, all or nothing, before the sender
 * hears back. Each alert is identified by its {@link Fingerprint}: a firing alert that is already
 * open is refreshed and counted, never duplicated; a resolved one closes the open occurrence; a
 * firing one whose open occurrence expired starts a new occurrence.
 *
 * <p>A batch costs a handful of statements whatever its size: one locking read of the open
 * occurrences, then one JDBC batch each for resolves, refreshes and inserts. Requests that arrive
 * together share a transaction ({@link GroupCommit}), so that a storm of small requests does not
 * wait for one log flush each, and the changes of the whole transaction are published as one {@link
 * AlertsChanged} in it.
 */
@Service
public class AlertIngestion implements SmartLifecycle {

  /** Prometheus label names; anything else would not survive a round trip through Alertmanager. */
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** The request attribute where ingestion endpoints find the checked integration key's owner. */
  public static final String KEY_OWNER = "io.tocsin.ingest.keyOwner";

  /** The longest summary kept, PagerDuty's limit. */
  public static final int SUMMARY_LIMIT = 1024;

  /** The longest dedup key accepted, PagerDuty's limit. */
  public static final int DEDUP_KEY_LIMIT = 255;

  /** The most labels one alert may have. */
  public static final int LABELS_LIMIT = 128;

  /** The longest label name accepted. */
  public static final int LABEL_NAME_LIMIT = 256;

  /** The longest label value accepted: labels identify, annotations describe. */
  public static final int LABEL_VALUE_LIMIT = 8192;

  /** The most alerts one request may carry; Prometheus sends at most 64 by default. */
  public static final int MAX_ALERTS = 1000;

  private static final String OPEN =
      """
      SELECT id, service_id, open_key, times_seen, ends_at FROM ingest_alert
      WHERE open_key IN (:keys)
      ORDER BY open_key
      FOR UPDATE
      """;

  private static final String REFRESH =
      """
      UPDATE ingest_alert
      SET last_seen_at = :now, times_seen = times_seen + 1, ends_at = :endsAt,
          annotations = :annotations, summary = :summary, severity = :severity,
          description = :description, details = :details, links = :links
      WHERE id = :id
      """;

  private static final String ACKNOWLEDGE =
      """
      UPDATE ingest_alert
      SET last_seen_at = :now, acknowledged_at = COALESCE(acknowledged_at, :now)
      WHERE id = :id
      """;

  private static final String INSERT =
      """
      INSERT INTO ingest_alert
        (id, integration_id, service_id, fingerprint, open_key, status, severity, summary,
         labels, annotations, generator_url, starts_at, ends_at, first_seen_at, last_seen_at,
         times_seen, source, dedup_key, description, details, links, route, grouping)
      VALUES (:id, :integrationId, :serviceId, :fingerprint, :openKey, 'firing', :severity,
              :summary, :labels, :annotations, :generatorUrl, :startsAt, :endsAt, :now, :now, 1,
              :source, :dedupKey, :description, :details, :links, :route, :grouping)
      """;

  private static final String RESOLVE =
      """
      UPDATE ingest_alert
      SET status = 'resolved', open_key = NULL, ends_at = :endsAt, last_seen_at = :now
      WHERE id = :id
      """;

  private static final String STILL_OPEN =
      """
      SELECT id, integration_id, service_id, fingerprint, severity, summary, labels,
             starts_at, ends_at, dedup_key, grouping
      FROM ingest_alert
      WHERE id IN (:ids) AND open_key IS NOT NULL
      ORDER BY open_key
      FOR UPDATE
      """;

  private static final String END_OCCURRENCE =
      """
      UPDATE ingest_alert SET status = 'resolved', open_key = NULL, ends_at = :now WHERE id = :id
      """;

  private static final String CONTINUE_OCCURRENCE =
      """
      INSERT INTO ingest_alert
        (id, integration_id, service_id, fingerprint, open_key, status, severity, summary,
         labels, annotations, generator_url, starts_at, ends_at, first_seen_at, last_seen_at,
         times_seen, source, dedup_key, description, details, links, route, grouping)
      SELECT :id, integration_id, service_id, fingerprint, :openKey, 'firing', severity, summary,
             labels, annotations, generator_url, starts_at, :endsAt, :now, :now, 1, source,
             dedup_key, description, details, links, route, grouping
      FROM ingest_alert WHERE id = :previous
      """;

  private final JdbcClient jdbc;
  private final NamedParameterJdbcTemplate batches;
  private final JsonMapper json;
  private final Clock clock;
  private final IdGenerator ids;
  private final IngestMetrics metrics;
  private final SeverityMapping severities;
  private final AlertVolume volume;
  private final Routing routing;
  private final ApplicationEventPublisher events;
  private final GroupCommit<Request, Outcome> writer;
  private final Duration resolveTimeout;

  AlertIngestion(
      JdbcClient jdbc,
      NamedParameterJdbcTemplate batches,
      TransactionTemplate transactions,
      JsonMapper json,
      Clock clock,
      IdGenerator ids,
      IngestMetrics metrics,
      SeverityMapping severities,
      AlertVolume volume,
      Routing routing,
      ApplicationEventPublisher events,
      IngestProperties settings) {
    this.jdbc = jdbc;
    this.batches = batches;
    this.json = json;
    this.clock = clock;
    this.ids = ids;
    this.metrics = metrics;
    this.severities = severities;
    this.volume = volume;
    this.routing = routing;
    this.events = events;
    this.resolveTimeout = settings.resolveTimeout();
    this.writer =
        new GroupCommit<>(
            "tocsin-ingest-writer",
            transactions,
            this::store,
            request -> request.alerts().size(),
            MAX_ALERTS,
            settings.writers(),
            AlertIngestion::unavailable);
    metrics.writerQueue(writer::waiting);
  }

  /** What happened to one alert of a request. */
  public enum Action {
    OPENED,
    REFRESHED,
    ACKNOWLEDGED,
    RESOLVED,
    /** A resolve or acknowledge for an alert that is not firing: nothing to do. */
    IGNORED,
    /** A routing rule dropped it: not stored, counted in {@code tocsin_alerts_dropped_total}. */
    DROPPED
  }

  /** One alert's result, in the order of the request. */
  public record Stored(@Nullable UUID id, String fingerprint, Action action) {}

  /** What a request did. */
  public record Outcome(List<Stored> alerts) {

    public long count(Action action) {
      return alerts.stream().filter(a -> a.action() == action).count();
    }
  }

  /**
   * Validates the whole request, then stores it in one transaction. Throws {@link
   * InvalidInputException} naming the first bad field before anything is written.
   */
  public Outcome ingest(KeyOwner owner, String source, List<IncomingAlert> alerts) {
    long started = System.nanoTime();
    if (alerts.size() > MAX_ALERTS) {
      throw new IngestRefusal(
          HttpStatus.CONTENT_TOO_LARGE,
          "too-many-alerts",
          "The request has "
              + alerts.size()
              + " alerts; the limit is "
              + MAX_ALERTS
              + ". Send them in several requests.");
    }
    Routes routes = routing.routesOf(owner.integrationId());
    List<Prepared> prepared = new ArrayList<>(alerts.size());
    for (int i = 0; i < alerts.size(); i++) {
      prepared.add(prepare("alerts[" + i + "]", alerts.get(i), routes));
    }
    prepared.stream()
        .filter(p -> p.dropped() != null)
        .forEach(p -> routing.dropped(owner.integrationId(), p.dropped()));
    Outcome outcome = storeWithRetries(owner, source, prepared);
    metrics.ingested(source, prepared, outcome, System.nanoTime() - started);
    return outcome;
  }

  /**
   * Ends the occurrences of these alerts that still fire and starts a new one of each, in the
   * caller's transaction: the new occurrence is published as an {@link AlertFired} that names the
   * one it continues, so that correlation treats it as new. Correlation calls this when an alert is
   * sent again after a person resolved its incident, as PagerDuty opens a new incident for a
   * trigger after a resolve. Alerts that no longer fire are left alone, so a second call for the
   * same alerts does nothing.
   */
  public void renew(Collection<UUID> alertIds) {
    if (alertIds.isEmpty()) {
      return;
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    List<AlertChange> changes = new ArrayList<>();
    List<MapSqlParameterSource> ended = new ArrayList<>();
    List<MapSqlParameterSource> continued = new ArrayList<>();
    for (List<UUID> chunk : InLists.of(alertIds)) {
      for (AlertFired alert :
          jdbc.sql(STILL_OPEN).param("ids", chunk).query(this::renewal).list()) {
        if (alert.endsAt() != null && !alert.endsAt().isAfter(now)) {
          // Expired unrefreshed: the sweep resolves it, and its next send fires anew anyway.
          continue;
        }
        UUID previous = Objects.requireNonNull(alert.previousOccurrence());
        ended.add(new MapSqlParameterSource().addValue("id", previous).addValue("now", utc(now)));
        continued.add(
            new MapSqlParameterSource()
                .addValue("id", alert.alertId())
                .addValue("openKey", openKey(alert.integrationId(), alert.fingerprint()))
                .addValue("endsAt", utc(alert.endsAt()))
                .addValue("now", utc(now))
                .addValue("previous", previous));
        changes.add(new AlertResolved(previous, alert.serviceId(), alert.fingerprint(), now));
        changes.add(alert);
      }
    }
    // Ended first: the new occurrences take over their open keys.
    execute(END_OCCURRENCE, ended);
    execute(CONTINUE_OCCURRENCE, continued);
    if (!changes.isEmpty()) {
      changesOfThisTransaction().addAll(changes);
    }
  }

  /** The occurrence that continues the stored one in this row. */
  private AlertFired renewal(ResultSet rs, int row) throws SQLException {
    return AlertLookup.fired(rs, json, ids.generateId(), rs.getObject("id", UUID.class));
  }

  /**
   * An alert validated and reduced to what is stored. {@code service} is where routing sent it
   * (null: the integration's own service), {@code route} which rule did ({@link Routing#BY_DEFAULT}
   * when none did; null without rules), {@code dropped} the rule that dropped it.
   */
  record Prepared(
      IncomingAlert alert,
      String fingerprint,
      Severity severity,
      String summary,
      String labels,
      @Nullable UUID service,
      @Nullable String route,
      @Nullable String dropped,
      @Nullable Grouping grouping) {}

  private Prepared prepare(String path, IncomingAlert alert, Routes routes) {
    if (alert.labels().isEmpty() && alert.dedupKey() == null) {
      throw new InvalidInputException(path + ".labels", "must have at least one label");
    }
    if (alert.labels().size() > LABELS_LIMIT) {
      throw new InvalidInputException(
          path + ".labels",
          "has " + alert.labels().size() + " labels; the limit is " + LABELS_LIMIT);
    }
    for (Map.Entry<String, String> label : alert.labels().entrySet()) {
      String name = label.getKey();
      if (label.getValue() == null) {
        throw new InvalidInputException(path + ".labels." + name, "must be a string, not null");
      }
      if (!LABEL_NAME.matcher(name).matches()) {
        throw new InvalidInputException(
            path + ".labels",
            "'" + name + "' is not a valid label name (letters, digits and _, not first a digit)");
      }
      if (name.length() > LABEL_NAME_LIMIT) {
        throw new InvalidInputException(
            path + ".labels",
            "a label name has " + name.length() + " characters; the limit is " + LABEL_NAME_LIMIT);
      }
      if (label.getValue() != null && label.getValue().length() > LABEL_VALUE_LIMIT) {
        throw new InvalidInputException(
            path + ".labels." + name,
            "has "
                + label.getValue().length()
                + " characters; the limit is "
                + LABEL_VALUE_LIMIT
                + " (long text belongs in an annotation)");
      }
    }
    refuseNul(path + ".labels", alert.labels());
    // Before the fingerprint: an alert is the same alert on every send, renamed or not.
    alert = alert.withLabels(ReservedLabels.exported(alert.labels()));
    refuseNul(path + ".annotations", alert.annotations());
    refuseNul(path + ".summary", alert.summary());
    refuseNul(path + ".description", alert.description());
    refuseNul(path + ".generatorURL", alert.generatorUrl());
    refuseNul(path + ".dedupKey", alert.dedupKey());
    refuseNul(path + ".severity", alert.severity());
    if (alert.dedupKey() != null
        && (alert.dedupKey().isBlank() || alert.dedupKey().length() > DEDUP_KEY_LIMIT)) {
      throw new InvalidInputException(
          path + ".dedupKey", "must have 1 to " + DEDUP_KEY_LIMIT + " characters");
    }
    if (alert.startsAt() != null
        && alert.endsAt() != null
        && alert.endsAt().isBefore(alert.startsAt())) {
      throw new InvalidInputException(path + ".endsAt", "is before startsAt");
    }
    String severity = alert.severity() != null ? alert.severity() : alert.labels().get("severity");
    if (routes.isEmpty()) {
      return new Prepared(
          alert,
          alert.fingerprint().value(),
          severities.map(severity),
          summary(alert),
          json.writeValueAsString(alert.labels()),
          null,
          null,
          null,
          null);
    }
    // Before the fingerprint too: the labels a rule set identify the alert from now on, as
    // Prometheus' alert_relabel_configs do before Alertmanager sees an alert.
    Routes.Routed routed = routing.route(routes, alert.labels(), alert.details(), alert.severity());
    alert = alert.withLabels(routed.labels());
    return new Prepared(
        alert,
        alert.fingerprint().value(),
        routed.severity() != null ? routed.severity() : severities.map(severity),
        summary(alert),
        json.writeValueAsString(alert.labels()),
        routed.service(),
        routed.serviceRule() != null ? routed.serviceRule() : Routing.BY_DEFAULT,
        routed.dropped(),
        routed.grouping());
  }

  /**
   * A NUL character, which PostgreSQL cannot store in text: refused with the field's name rather
   * than failing the whole request's transaction.
   */
  private static void refuseNul(String field, @Nullable Object value) {
    boolean nul =
        value instanceof Map<?, ?> map
            ? map.entrySet().stream()
                .anyMatch(
                    e ->
                        String.valueOf(e.getKey()).indexOf(0) >= 0
                            || String.valueOf(e.getValue()).indexOf(0) >= 0)
            : value != null && value.toString().indexOf(0) >= 0;
    if (nul) {
      throw new InvalidInputException(field, "must not contain the NUL character (\\u0000)");
    }
  }

  private Outcome storeWithRetries(KeyOwner owner, String source, List<Prepared> alerts) {
    if (TransactionSynchronizationManager.isActualTransactionActive()) {
      // Part of a caller's transaction (a heartbeat check, an idempotent request): a failure
      // spoils that transaction, so the caller retries as a whole.
      return store(List.of(new Request(owner, source, alerts))).get(0);
    }
    return writer.submit(new Request(owner, source, alerts));
  }

  private record Request(KeyOwner owner, String source, List<Prepared> alerts) {}

  /** A 503 the sender retries after a second, as Alertmanager and Prometheus do on their own. */
  private static IngestRefusal unavailable(String detail) {
    IngestRefusal refused =
        new IngestRefusal(HttpStatus.SERVICE_UNAVAILABLE, "ingest-unavailable", detail);
    refused.getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
    return refused;
  }

  @Override
  public void start() {
    writer.start();
  }

  @Override
  public void stop() {
    writer.stop();
  }

  @Override
  public boolean isRunning() {
    return writer.isRunning();
  }

  /** Started before and stopped after the web server, so requests in flight get stored. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 4096;
  }

  /**
   * Stores the alerts of these requests as one: a fingerprint's open occurrence is read and written
   * once for the whole group, in one statement of each kind, so that a group of single-alert
   * requests costs what one request of as many alerts does.
   */
  private List<Outcome> store(List<Request> requests) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    List<Item> items = new ArrayList<>();
    for (Request request : requests) {
      for (Prepared alert : request.alerts()) {
        items.add(
            new Item(
                request.owner(),
                request.source(),
                alert,
                openKey(request.owner(), alert.fingerprint())));
      }
    }
    Stored[] results = new Stored[items.size()];
    // Drawn in request order, so that new occurrences sort the way they arrived.
    UUID[] fresh = new UUID[items.size()];
    for (int i = 0; i < fresh.length; i++) {
      fresh[i] = ids.generateId();
    }
    List<AlertChange> changes = new ArrayList<>();
    // An alert repeated within the group is applied in order, one round per repetition, so that
    // "fire, then resolve" ends resolved.
    List<List<Integer>> rounds = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i).alert().dropped() != null) {
        results[i] = new Stored(null, items.get(i).alert().fingerprint(), Action.DROPPED);
        continue;
      }
      int round = seen.merge(items.get(i).openKey(), 1, Integer::sum) - 1;
      if (round == rounds.size()) {
        rounds.add(new ArrayList<>());
      }
      rounds.get(round).add(i);
    }
    for (List<Integer> round : rounds) {
      // Sorted, so that concurrent groups lock rows in one order and do not deadlock.
      round.sort((a, b) -> items.get(a).openKey().compareTo(items.get(b).openKey()));
      storeRound(items, round, now, fresh, results, changes);
    }
    if (!changes.isEmpty()) {
      changesOfThisTransaction().addAll(changes);
    }
    countRoutes(items, results, now);
    List<Outcome> outcomes = new ArrayList<>(requests.size());
    int first = 0;
    for (Request request : requests) {
      int size = request.alerts().size();
      outcomes.add(new Outcome(List.of(results).subList(first, first + size)));
      first += size;
    }
    return outcomes;
  }

  /**
   * One alert of a group, with the request it came in and its open key, made once: the sort of a
   * group's alerts compares it a dozen times per alert.
   */
  private record Item(KeyOwner owner, String source, Prepared alert, String openKey) {}

  /**
   * The new alerts of an integration with rules, per rule that routed them, for the console:
   * counted for the whole transaction and written once before it commits, so that a group of
   * single-alert requests sharing a transaction costs one write, not one each.
   */
  private void countRoutes(List<Item> items, Stored[] results, Instant now) {
    for (int i = 0; i < results.length; i++) {
      String route = items.get(i).alert().route();
      if (route != null && results[i].action() == Action.OPENED) {
        routesOfThisTransaction(now)
            .computeIfAbsent(items.get(i).owner().integrationId(), k -> new HashMap<>())
            .merge(route, 1, Integer::sum);
      }
    }
  }

  private Map<UUID, Map<String, Integer>> routesOfThisTransaction(Instant now) {
    @SuppressWarnings("unchecked")
    Map<UUID, Map<String, Integer>> pending =
        (Map<UUID, Map<String, Integer>>)
            TransactionSynchronizationManager.getResource(PENDING_ROUTES);
    if (pending != null) {
      return pending;
    }
    Map<UUID, Map<String, Integer>> counts = new HashMap<>();
    TransactionSynchronizationManager.bindResource(PENDING_ROUTES, counts);
    TransactionSynchronizationManager.registerSynchronization(
        new TransactionSynchronization() {
          @Override
          public void beforeCommit(boolean readOnly) {
            routing.count(counts, now);
          }

          @Override
          public void afterCompletion(int status) {
            TransactionSynchronizationManager.unbindResourceIfPossible(PENDING_ROUTES);
          }
        });
    return counts;
  }

  /**
   * The changes of every request stored in the current transaction, published together just before
   * it commits: a group of requests that share a transaction is one batch downstream, and
   * correlation pays per batch, not per alert.
   */
  private List<AlertChange> changesOfThisTransaction() {
    @SuppressWarnings("unchecked")
    List<AlertChange> pending =
        (List<AlertChange>) TransactionSynchronizationManager.getResource(PENDING_CHANGES);
    if (pending != null) {
      return pending;
    }
    List<AlertChange> changes = new ArrayList<>();
    TransactionSynchronizationManager.bindResource(PENDING_CHANGES, changes);
    TransactionSynchronizationManager.registerSynchronization(
        new TransactionSynchronization() {
          @Override
          public void beforeCommit(boolean readOnly) {
            volume.count(changes);
            events.publishEvent(new AlertsChanged(List.copyOf(changes)));
          }

          @Override
          public void afterCompletion(int status) {
            TransactionSynchronizationManager.unbindResourceIfPossible(PENDING_CHANGES);
          }
        });
    return changes;
  }

  private record Open(UUID id, UUID serviceId, int timesSeen, @Nullable Instant endsAt) {}

  /** The key of the current transaction's unpublished changes. */
  private static final Object PENDING_CHANGES = new Object();

  /** The key of the current transaction's uncounted routed alerts. */
  private static final Object PENDING_ROUTES = new Object();

  /**
   * What makes an alert unique while it fires: its integration and its fingerprint, in one column.
   */
  private static String openKey(KeyOwner owner, String fingerprint) {
    return openKey(owner.integrationId(), fingerprint);
  }

  private static String openKey(UUID integrationId, String fingerprint) {
    return integrationId + " " + fingerprint;
  }

  private void storeRound(
      List<Item> items,
      List<Integer> round,
      Instant now,
      UUID[] fresh,
      Stored[] results,
      List<AlertChange> changes) {
    Set<String> keys = new HashSet<>();
    round.forEach(i -> keys.add(items.get(i).openKey()));
    Map<String, Open> open = new HashMap<>();
    jdbc.sql(OPEN)
        .param("keys", keys)
        .query(
            rs -> {
              OffsetDateTime endsAt = rs.getObject("ends_at", OffsetDateTime.class);
              open.put(
                  rs.getString("open_key"),
                  new Open(
                      rs.getObject("id", UUID.class),
                      rs.getObject("service_id", UUID.class),
                      rs.getInt("times_seen"),
                      endsAt == null ? null : endsAt.toInstant()));
            });
    List<MapSqlParameterSource> resolves = new ArrayList<>();
    List<MapSqlParameterSource> refreshes = new ArrayList<>();
    List<MapSqlParameterSource> acknowledgements = new ArrayList<>();
    List<MapSqlParameterSource> inserts = new ArrayList<>();
    for (int i : round) {
      KeyOwner owner = items.get(i).owner();
      Prepared p = items.get(i).alert();
      IncomingAlert alert = p.alert();
      Open current = open.get(items.get(i).openKey());
      if (current != null && current.endsAt() != null && !current.endsAt().isAfter(now)) {
        // Expired without a re-send, and the sweep has not closed it yet: it ended at its endsAt.
        resolves.add(resolve(current.id(), current.endsAt(), now));
        changes.add(
            new AlertResolved(
                current.id(), current.serviceId(), p.fingerprint(), current.endsAt()));
        current = null;
      }
      if (isResolve(alert, now)) {
        if (current == null) {
          results[i] = new Stored(null, p.fingerprint(), Action.IGNORED);
          continue;
        }
        Instant endsAt = alert.endsAt() == null ? now : alert.endsAt();
        resolves.add(resolve(current.id(), endsAt, now));
        changes.add(new AlertResolved(current.id(), current.serviceId(), p.fingerprint(), endsAt));
        results[i] = new Stored(current.id(), p.fingerprint(), Action.RESOLVED);
      } else if (alert.acknowledge()) {
        if (current == null) {
          results[i] = new Stored(null, p.fingerprint(), Action.IGNORED);
          continue;
        }
        acknowledgements.add(
            new MapSqlParameterSource().addValue("id", current.id()).addValue("now", utc(now)));
        changes.add(new AlertAcknowledged(current.id(), current.serviceId(), p.fingerprint(), now));
        results[i] = new Stored(current.id(), p.fingerprint(), Action.ACKNOWLEDGED);
      } else if (current != null) {
        refreshes.add(content(p, now).addValue("id", current.id()));
        changes.add(
            new AlertRefreshed(
                current.id(),
                current.serviceId(),
                p.fingerprint(),
                p.severity(),
                p.summary(),
                current.timesSeen() + 1,
                now));
        results[i] = new Stored(current.id(), p.fingerprint(), Action.REFRESHED);
      } else {
        UUID id = fresh[i];
        UUID serviceId = p.service() != null ? p.service() : owner.serviceId();
        Instant startsAt = alert.startsAt() == null ? now : alert.startsAt();
        inserts.add(
            content(p, now)
                .addValue("id", id)
                .addValue("integrationId", owner.integrationId())
                .addValue("serviceId", serviceId)
                .addValue("route", p.route())
                .addValue(
                    "grouping", p.grouping() == null ? null : json.writeValueAsString(p.grouping()))
                .addValue("fingerprint", p.fingerprint())
                .addValue("openKey", items.get(i).openKey())
                .addValue("labels", p.labels())
                .addValue("generatorUrl", alert.generatorUrl())
                .addValue("startsAt", utc(startsAt))
                .addValue("source", items.get(i).source())
                .addValue("dedupKey", alert.dedupKey()));
        changes.add(
            new AlertFired(
                id,
                owner.integrationId(),
                serviceId,
                p.fingerprint(),
                p.severity(),
                p.summary(),
                alert.labels(),
                startsAt,
                firingEnd(alert, now),
                alert.dedupKey(),
                null,
                p.grouping()));
        results[i] = new Stored(id, p.fingerprint(), Action.OPENED);
      }
    }
    execute(RESOLVE, resolves);
    execute(REFRESH, refreshes);
    execute(ACKNOWLEDGE, acknowledgements);
    // A concurrent sender that opened one of these alerts since our read makes this a unique
    // violation, and the transaction is retried: its read will then find the row.
    execute(INSERT, inserts);
  }

  private void execute(String sql, List<MapSqlParameterSource> rows) {
    if (rows.isEmpty()) {
      return;
    }
    batches.batchUpdate(sql, rows.toArray(MapSqlParameterSource[]::new));
  }

  private MapSqlParameterSource content(Prepared p, Instant now) {
    IncomingAlert alert = p.alert();
    String description =
        alert.description() != null ? alert.description() : alert.annotations().get("description");
    return new MapSqlParameterSource()
        .addValue("now", utc(now))
        .addValue("endsAt", utc(firingEnd(alert, now)))
        .addValue("annotations", json.writeValueAsString(alert.annotations()))
        .addValue("summary", p.summary())
        .addValue("severity", p.severity().name().toLowerCase(Locale.ROOT))
        .addValue("description", description)
        .addValue(
            "details", alert.details() == null ? null : json.writeValueAsString(alert.details()))
        .addValue("links", alert.links().isEmpty() ? null : json.writeValueAsString(alert.links()));
  }

  private static MapSqlParameterSource resolve(UUID id, Instant endsAt, Instant now) {
    return new MapSqlParameterSource()
        .addValue("id", id)
        .addValue("endsAt", utc(endsAt))
        .addValue("now", utc(now));
  }

  private static boolean isResolve(IncomingAlert alert, Instant now) {
    return alert.status() == null
        ? alert.endsAt() != null && !alert.endsAt().isAfter(now)
        : alert.status() == AlertStatus.RESOLVED;
  }

  /**
   * When a firing alert expires unless re-sent; none when its sender gave a status instead. Without
   * an {@code endsAt}, the resolve timeout from now, as Alertmanager does: an alert added by hand
   * with {@code amtool alert add} fires until it is re-sent no more.
   */
  private @Nullable Instant firingEnd(IncomingAlert alert, Instant now) {
    if (alert.status() != null) {
      return null;
    }
    return alert.endsAt() == null ? now.plus(resolveTimeout) : alert.endsAt();
  }

  private static String summary(IncomingAlert alert) {
    String summary = alert.summary();
    if (summary == null || summary.isBlank()) {
      summary = alert.annotations().get("summary");
    }
    if (summary == null || summary.isBlank()) {
      summary = alert.labels().getOrDefault("alertname", alert.fingerprint().value());
    }
    return summary.length() > SUMMARY_LIMIT ? summary.substring(0, SUMMARY_LIMIT) : summary;
  }

  private static @Nullable OffsetDateTime utc(@Nullable Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
