package io.tocsin.platform.database;

import io.tocsin.platform.TimeOrderedIds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Past activity written straight into the tables, each row with an id drawn at its time as the node
 * that made it would have drawn it: what retention and partition tests sweep. Everything is on one
 * service.
 */
final class SyntheticHistory {

  private final JdbcClient jdbc;
  private final UUID service = UUID.randomUUID();
  private final Instant now;
  private long numbers = 1_000_000;

  /** {@code now}: when a message still being retried is next tried (a day later). */
  SyntheticHistory(JdbcClient jdbc, Instant now) {
    this.jdbc = jdbc;
    this.now = now;
  }

  /** An id drawn at {@code at}. */
  static UUID id(Instant at) {
    return new TimeOrderedIds(Clock.fixed(at, ZoneOffset.UTC)).generateId();
  }

  static OffsetDateTime utc(Instant at) {
    return at.atOffset(ZoneOffset.UTC);
  }

  UUID service() {
    return service;
  }

  /** An alert first and last seen at {@code at}: resolved then, or still firing. */
  UUID alert(Instant at, boolean firing) {
    UUID id = id(at);
    jdbc.sql(
            """
            INSERT INTO ingest_alert (id, integration_id, service_id, fingerprint, open_key, status,
              severity, summary, labels, annotations, starts_at, ends_at, first_seen_at,
              last_seen_at, times_seen)
            VALUES (:id, :service, :service, :fingerprint, :openKey, :status, 'critical', 'Down',
              '{}', '{}', :at, :at, :at, :at, 1)
            """)
        .param("id", id)
        .param("service", service)
        .param("fingerprint", id.toString())
        .param("openKey", firing ? service + " " + id : null)
        .param("status", firing ? "firing" : "resolved")
        .param("at", utc(at))
        .update();
    return id;
  }

  /** An incident opened at {@code at} (and resolved then, or still open) with its first entry. */
  UUID incident(Instant at, boolean resolved, @Nullable UUID recurs) {
    UUID id = id(at);
    jdbc.sql(
            """
            INSERT INTO incident (id, number, title, service_id, group_key, open_key, status,
              severity, severity_by_hand, probable_cause_service_id, recurrence_of, alert_count,
              firing_count, opened_at, resolved_at, updated_at)
            VALUES (:id, :number, 'Down', :service, 'g', :openKey, :status, 'critical', FALSE,
              :service, :recurs, 1, 0, :at, :resolvedAt, :at)
            """)
        .param("id", id)
        .param("number", numbers++)
        .param("service", service)
        .param("openKey", resolved ? null : id.toString())
        .param("status", resolved ? "resolved" : "open")
        .param("recurs", recurs)
        .param("at", utc(at))
        .param("resolvedAt", resolved ? utc(at) : null)
        .update();
    jdbc.sql(
            """
            INSERT INTO incident_timeline (id, incident_id, at, kind, actor_kind, actor_name,
              message)
            VALUES (:id, :incident, :at, 'opened', 'tocsin', 'Tocsin', 'Opened')
            """)
        .param("id", id(at))
        .param("incident", id)
        .param("at", utc(at))
        .update();
    return id;
  }

  void attach(UUID incident, UUID alert, Instant at) {
    jdbc.sql(
            """
            INSERT INTO incident_alert (alert_id, incident_id, service_id, fingerprint, summary,
              severity, role, status, attached_at)
            VALUES (:alert, :incident, :service, :fingerprint, 'Down', 'critical', 'trigger',
              'resolved', :at)
            """)
        .param("alert", alert)
        .param("incident", incident)
        .param("service", service)
        .param("fingerprint", alert.toString())
        .param("at", utc(at))
        .update();
  }

  void postmortem(UUID incident, Instant at) {
    jdbc.sql(
            """
            INSERT INTO incident_postmortem (incident_id, status, summary, impact, timeline,
              root_cause, resolution, follow_ups, checklist, created_by, created_at, updated_by,
              updated_at)
            VALUES (:incident, 'draft', '', '', '[]', '', '', '[]', '{}', 'a', :at, 'a', :at)
            """)
        .param("incident", incident)
        .param("at", utc(at))
        .update();
  }

  /**
   * A message made at {@code at} with one attempt then: delivered, or ({@code pending}) failed and
   * to be tried again tomorrow, which the delivery workers leave alone until then.
   */
  UUID message(Instant at, String status) {
    UUID id = id(at);
    boolean waiting = status.equals("pending");
    jdbc.sql(
            """
            INSERT INTO notify_message (id, dedup_key, kind, user_id, contact_method_id, channel,
              content, status, requested_at, due_at, next_attempt_at, attempts, created_at,
              updated_at)
            VALUES (:id, :id, 'test', :id, :id, 'webhook', '{}', :status, :at, :at, :next, 1, :at,
              :at)
            """)
        .param("id", id)
        .param("status", status)
        .param("at", utc(at))
        .param("next", waiting ? utc(now.plus(Duration.ofDays(1))) : null)
        .update();
    jdbc.sql(
            """
            INSERT INTO notify_attempt (message_id, attempt, started_at, finished_at, outcome,
              detail)
            VALUES (:id, 1, :at, :at, :outcome, :detail)
            """)
        .param("id", id)
        .param("at", utc(at))
        .param("outcome", waiting ? "retryable" : "delivered")
        .param("detail", waiting ? "HTTP 503" : "HTTP 200")
        .update();
    return id;
  }
}
