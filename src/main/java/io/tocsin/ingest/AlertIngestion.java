package io.tocsin.ingest;

import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.IdGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * AlertIngestion stores a batch of alerts from one integration, all or nothing, before the sender
 * hears back. Each alert is identified by its {@link Fingerprint}: a firing alert that is already
 * open is refreshed and counted, never duplicated; a resolved one closes the open occurrence.
 */
@Service
public class AlertIngestion {

  /** Prometheus label names; anything else would not survive a round trip through Alertmanager. */
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** The request attribute where ingestion endpoints find the checked integration key's owner. */
  public static final String KEY_OWNER = "io.tocsin.ingest.keyOwner";

  private static final int ATTEMPTS = 3;

  private static final String REFRESH =
      """
      UPDATE ingest_alert
      SET last_seen_at = :now, times_seen = times_seen + 1, ends_at = :endsAt,
          annotations = :annotations, summary = :summary, severity = :severity
      WHERE integration_id = :integrationId AND open_fingerprint = :fingerprint
      """;

  private static final String INSERT =
      """
      INSERT INTO ingest_alert
        (id, integration_id, service_id, fingerprint, open_fingerprint, status, severity, summary,
         labels, annotations, generator_url, starts_at, ends_at, first_seen_at, last_seen_at,
         times_seen)
      VALUES (:id, :integrationId, :serviceId, :fingerprint, :fingerprint, 'firing', :severity,
              :summary, :labels, :annotations, :generatorUrl, :startsAt, :endsAt, :now, :now, 1)
      ON CONFLICT DO NOTHING
      """;

  private static final String RESOLVE =
      """
      UPDATE ingest_alert
      SET status = 'resolved', open_fingerprint = NULL, ends_at = :endsAt, last_seen_at = :now
      WHERE integration_id = :integrationId AND open_fingerprint = :fingerprint
      """;

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final JsonMapper json;
  private final Clock clock;
  private final IdGenerator ids;
  private final IngestMetrics metrics;

  AlertIngestion(
      JdbcClient jdbc,
      TransactionTemplate transactions,
      JsonMapper json,
      Clock clock,
      IdGenerator ids,
      IngestMetrics metrics) {
    this.metrics = metrics;
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.json = json;
    this.clock = clock;
    this.ids = ids;
  }

  /**
   * One alert as every wire format delivers it, before it is stored. Without a {@code status}, an
   * {@code endsAt} in the past means resolved (Alertmanager API v2 semantics).
   */
  public record IncomingAlert(
      Map<String, String> labels,
      Map<String, String> annotations,
      @Nullable Instant startsAt,
      @Nullable Instant endsAt,
      @Nullable String generatorUrl,
      @Nullable AlertStatus status) {}

  /** What a batch did. */
  public record Outcome(int opened, int refreshed, int resolved) {}

  /**
   * Validates the whole batch, then stores it in one transaction. Throws {@link
   * InvalidInputException} naming the first bad field before anything is written.
   */
  public Outcome ingest(KeyOwner owner, String source, List<IncomingAlert> alerts) {
    long started = System.nanoTime();
    for (int i = 0; i < alerts.size(); i++) {
      validate("alerts[" + i + "]", alerts.get(i));
    }
    Outcome outcome = storeWithRetries(owner, alerts);
    metrics.ingested(source, alerts, outcome, System.nanoTime() - started);
    return outcome;
  }

  private Outcome storeWithRetries(KeyOwner owner, List<IncomingAlert> alerts) {
    for (int attempt = 1; ; attempt++) {
      try {
        Outcome outcome = transactions.execute(status -> store(owner, alerts));
        if (outcome == null) {
          throw new IllegalStateException("the transaction returned no outcome");
        }
        return outcome;
      } catch (DataIntegrityViolationException | ConcurrencyFailureException e) {
        // A concurrent sender opened the same alert between our refresh and insert: go again,
        // and the refresh will find its row.
        if (attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private Outcome store(KeyOwner owner, List<IncomingAlert> alerts) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    int opened = 0;
    int refreshed = 0;
    int resolved = 0;
    for (IncomingAlert alert : alerts) {
      String fingerprint = Fingerprint.of(alert.labels()).value();
      boolean ended =
          alert.status() == null
              ? alert.endsAt() != null && !alert.endsAt().isAfter(now)
              : alert.status() == AlertStatus.RESOLVED;
      if (ended) {
        resolved +=
            jdbc.sql(RESOLVE)
                .param("endsAt", utc(alert.endsAt() == null ? now : alert.endsAt()))
                .param("now", utc(now))
                .param("integrationId", owner.integrationId())
                .param("fingerprint", fingerprint)
                .update();
        continue;
      }
      String severity = EnumText.canonical(Severity.fromSender(alert.labels().get("severity")));
      String summary = summary(alert);
      String annotations = json.writeValueAsString(alert.annotations());
      int updated =
          jdbc.sql(REFRESH)
              .param("now", utc(now))
              .param("endsAt", utc(firingEnd(alert)))
              .param("annotations", annotations)
              .param("summary", summary)
              .param("severity", severity)
              .param("integrationId", owner.integrationId())
              .param("fingerprint", fingerprint)
              .update();
      if (updated > 0) {
        refreshed++;
        continue;
      }
      int inserted =
          jdbc.sql(INSERT)
              .param("id", ids.generateId())
              .param("integrationId", owner.integrationId())
              .param("serviceId", owner.serviceId())
              .param("fingerprint", fingerprint)
              .param("severity", severity)
              .param("summary", summary)
              .param("labels", json.writeValueAsString(alert.labels()))
              .param("annotations", annotations)
              .param("generatorUrl", alert.generatorUrl())
              .param("startsAt", utc(alert.startsAt() == null ? now : alert.startsAt()))
              .param("endsAt", utc(firingEnd(alert)))
              .param("now", utc(now))
              .update();
      if (inserted == 0) {
        // Lost the race to a concurrent sender's insert, which has committed by now.
        throw new ConcurrencyFailureException("alert " + fingerprint + " was opened concurrently");
      }
      opened++;
    }
    return new Outcome(opened, refreshed, resolved);
  }

  private static void validate(String path, IncomingAlert alert) {
    if (alert.labels().isEmpty()) {
      throw new InvalidInputException(path + ".labels", "must have at least one label");
    }
    for (String name : alert.labels().keySet()) {
      if (!LABEL_NAME.matcher(name).matches()) {
        throw new InvalidInputException(
            path + ".labels",
            "'" + name + "' is not a valid label name (letters, digits and _, not first a digit)");
      }
    }
    if (alert.startsAt() != null
        && alert.endsAt() != null
        && alert.endsAt().isBefore(alert.startsAt())) {
      throw new InvalidInputException(path + ".endsAt", "is before startsAt");
    }
  }

  /** When a firing alert expires unless re-sent; none when its sender gave a status instead. */
  private static @Nullable Instant firingEnd(IncomingAlert alert) {
    return alert.status() == null ? alert.endsAt() : null;
  }

  private static String summary(IncomingAlert alert) {
    String summary = alert.annotations().get("summary");
    if (summary == null || summary.isBlank()) {
      summary = alert.labels().getOrDefault("alertname", Fingerprint.of(alert.labels()).value());
    }
    return summary.length() > 1024 ? summary.substring(0, 1024) : summary;
  }

  private static @Nullable OffsetDateTime utc(@Nullable Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
