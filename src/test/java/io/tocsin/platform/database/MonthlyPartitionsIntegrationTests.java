package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.platform.TimeOrderedIds;
import io.tocsin.testing.Api;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestClock;
import io.tocsin.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * PostgreSQL keeps alert occurrences, timelines and delivery attempts in monthly partitions:
 * retention drops a month whose every row may go instead of deleting them, keeps a month that holds
 * something still needed (an alert still firing or an open incident's, a postmortem's incident, a
 * message still being delivered), deleting the rest of it row by row, and Tocsin makes the coming
 * months ahead of the clock.
 */
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonthlyPartitionsIntegrationTests extends HarnessTests {

  static final TestClock CLOCK = TestClock.running();

  private static final int DAYS = 180;
  private static final UUID SERVICE = UUID.randomUUID();
  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM");

  private static Instant now;

  /** Tocsin's clock, which the test moves months ahead. */
  @Configuration(proxyBeanMethods = false)
  static class Clocked {

    @Bean
    @Primary
    Clock testClock() {
      return CLOCK;
    }
  }

  @Override
  protected Class<?>[] sources() {
    return new Class<?>[] {Clocked.class};
  }

  @Override
  protected Map<String, Object> settings() {
    return Map.of("tocsin.retention.batch-size", "7", "tocsin.retention.incidents", "90d");
  }

  @Override
  protected void seed() {
    now = CLOCK.instant().truncatedTo(ChronoUnit.MILLIS);
    JdbcClient jdbc = jdbc();
    // The months of a history loaded into a fresh database (bench/history does the same).
    YearMonth first = YearMonth.from(now.minus(Duration.ofDays(DAYS)).atOffset(ZoneOffset.UTC));
    for (YearMonth month = first;
        month.isBefore(YearMonth.from(now.atOffset(ZoneOffset.UTC)));
        month = month.plusMonths(1)) {
      for (String table : List.of("ingest_alert", "incident_timeline", "notify_attempt")) {
        jdbc.sql("SELECT platform_month_partition(:table, :start)")
            .param("table", table)
            .param("start", month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC))
            .query()
            .singleValue();
      }
    }
    for (int day = 1; day <= DAYS; day++) {
      Instant at = now.minus(Duration.ofDays(day)).plus(Duration.ofHours(12));
      alert(jdbc, at, false);
      incident(jdbc, at, true);
      message(jdbc, at, "delivered");
    }
  }

  @Test
  @Order(1)
  void retentionDropsTheMonthsWithNothingToKeepAndEmptiesTheOthersRowByRow() {
    JdbcClient jdbc = jdbc();
    // Forty days apart, so in different months, and each month over before the 90-day cutoff.
    Instant held = now.minus(Duration.ofDays(165));
    UUID heldAlert = alert(jdbc, held, false);
    UUID incident = incident(jdbc, held, false);
    jdbc.sql(
            """
            INSERT INTO incident_alert (alert_id, incident_id, service_id, fingerprint, summary,
              severity, role, status, attached_at)
            VALUES (:alert, :incident, :service, 'f', 'Down', 'critical', 'trigger', 'resolved',
              :at)
            """)
        .param("alert", heldAlert)
        .param("incident", incident)
        .param("service", SERVICE)
        .param("at", utc(held))
        .update();
    UUID firingAlert = alert(jdbc, now.minus(Duration.ofDays(125)), true);
    UUID reviewed = incident(jdbc, held, true);
    jdbc.sql(
            """
            INSERT INTO incident_postmortem (incident_id, status, summary, impact, timeline,
              root_cause, resolution, follow_ups, checklist, created_by, created_at, updated_by,
              updated_at)
            VALUES (:incident, 'draft', '', '', '[]', '', '', '[]', '{}', 'a', :at, 'a', :at)
            """)
        .param("incident", reviewed)
        .param("at", utc(held))
        .update();
    UUID retrying = message(jdbc, now.minus(Duration.ofDays(125)), "pending");
    Instant cutoff = now.minus(Duration.ofDays(90));
    UUID bound = TimeOrderedIds.first(cutoff);
    List<String> past = partitionsEndingBefore("ingest_alert", bound);
    String heldMonth = partitionOf(jdbc, heldAlert);
    String firingMonth = partitionOf(jdbc, firingAlert);
    assertThat(past).as("months wholly past retention").contains(heldMonth, firingMonth);
    assertThat(past.size()).as("a month with nothing to keep").isGreaterThan(2);
    List<String> pastTimelines = partitionsEndingBefore("incident_timeline", bound);
    String reviewedMonth = partitionOf(jdbc, "incident_timeline", "incident_id", reviewed);
    assertThat(pastTimelines).contains(reviewedMonth).hasSameSizeAs(past);
    List<String> pastAttempts = partitionsEndingBefore("notify_attempt", bound);
    String retryingMonth = partitionOf(jdbc, "notify_attempt", "message_id", retrying);
    assertThat(pastAttempts).contains(retryingMonth).hasSameSizeAs(past);

    jdbc.sql("DELETE FROM platform_job WHERE name = :name")
        .param("name", RetentionSweeper.JOB)
        .update();
    Map<String, Long> deleted = tocsin.bean(RetentionSweeper.class).sweepIfDue().orElseThrow();

    assertThat(deleted.get("alerts")).as("each day's alert before the cutoff").isEqualTo(DAYS - 90);
    assertThat(partitions(jdbc, "ingest_alert"))
        .as("the months that keep something stay; the others are dropped")
        .contains(heldMonth, firingMonth)
        .doesNotContainAnyElementsOf(
            past.stream().filter(p -> !p.equals(heldMonth) && !p.equals(firingMonth)).toList());
    assertThat(
            jdbc.sql("SELECT id FROM ingest_alert WHERE last_seen_at < :at")
                .param("at", utc(cutoff))
                .query(UUID.class)
                .list())
        .containsExactlyInAnyOrder(heldAlert, firingAlert);
    assertThat(
            jdbc.sql("SELECT COUNT(*) FROM ingest_alert WHERE last_seen_at >= :at")
                .param("at", utc(cutoff))
                .query(Long.class)
                .single())
        .as("every alert within 90 days")
        .isEqualTo(90);
    assertThat(tocsin.metric("tocsin_retention_deleted_total{kind=\"alerts\"}"))
        .isEqualTo(DAYS - 90);

    assertThat(deleted.get("incidents")).isEqualTo(DAYS - 90);
    assertThat(partitions(jdbc, "incident_timeline"))
        .as("the month of the postmortem's incident stays")
        .contains(reviewedMonth)
        .doesNotContainAnyElementsOf(
            pastTimelines.stream().filter(p -> !p.equals(reviewedMonth)).toList());
    assertThat(
            jdbc.sql("SELECT DISTINCT incident_id FROM incident_timeline WHERE at < :at")
                .param("at", utc(cutoff))
                .query(UUID.class)
                .list())
        .as("the timelines of the open incident and of the postmortem's")
        .containsExactlyInAnyOrder(incident, reviewed);
    assertThat(deleted.get("messages")).isEqualTo(DAYS - 90);
    assertThat(partitions(jdbc, "notify_attempt"))
        .as("the month of a message still being delivered stays")
        .contains(retryingMonth)
        .doesNotContainAnyElementsOf(
            pastAttempts.stream().filter(p -> !p.equals(retryingMonth)).toList());
    assertThat(
            jdbc.sql("SELECT DISTINCT message_id FROM notify_attempt WHERE started_at < :at")
                .param("at", utc(cutoff))
                .query(UUID.class)
                .list())
        .containsExactly(retrying);
  }

  @Test
  @Order(2)
  void theComingMonthsAreMadeAheadOfTheClockAndAnAlertBeyondThemMovesIntoItsMonth() {
    JdbcClient jdbc = jdbc();
    Api.Service service = api.service("partitions", "");
    // The first scheduled pass, half a minute after the start, makes the third month ahead (the
    // migration made two); the next is an hour later, so none moves the alert below meanwhile.
    String third =
        "ingest_alert_p"
            + YearMonth.from(now.atOffset(ZoneOffset.UTC))
                .plusMonths(MonthlyPartitions.MONTHS_AHEAD)
                .format(MONTH);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> partitions(jdbc, "ingest_alert").contains(third));
    try {
      CLOCK.advance(Duration.ofDays(400));
      YearMonth later = YearMonth.from(CLOCK.instant().atOffset(ZoneOffset.UTC));
      api.fire(service, Api.alert("BeyondTheMonths"));
      UUID beyond = newest(jdbc);
      assertThat(partitionOf(jdbc, beyond))
          .as("no month made yet: the default partition takes it")
          .isEqualTo("ingest_alert_default");

      tocsin.bean(MonthlyPartitions.class).makeAhead();
      tocsin.bean(MonthlyPartitions.class).makeAhead();

      for (int ahead = 0; ahead <= MonthlyPartitions.MONTHS_AHEAD; ahead++) {
        assertThat(partitions(jdbc, "ingest_alert"))
            .contains("ingest_alert_p" + later.plusMonths(ahead).format(MONTH));
      }
      assertThat(partitionOf(jdbc, beyond))
          .as("moved from the default partition into its month")
          .isEqualTo("ingest_alert_p" + later.format(MONTH));
      api.fire(service, Api.alert("BeyondTheMonths"));
      assertThat(
              jdbc.sql("SELECT times_seen FROM ingest_alert WHERE id = :id")
                  .param("id", beyond)
                  .query(Integer.class)
                  .single())
          .as("still the one firing alert of its key after the move")
          .isEqualTo(2);
      CLOCK.advance(Duration.ofDays(31));
      api.fire(service, Api.alert("InTheMonthsAhead"));
      api.fire(service, Api.alert("InTheMonthsAhead"));
      UUID inMonth = newest(jdbc);
      assertThat(partitionOf(jdbc, inMonth))
          .isEqualTo("ingest_alert_p" + later.plusMonths(1).format(MONTH));
      assertThat(
              jdbc.sql("SELECT times_seen FROM ingest_alert WHERE id = :id")
                  .param("id", inMonth)
                  .query(Integer.class)
                  .single())
          .as("the re-send found the firing alert in its month")
          .isEqualTo(2);
    } finally {
      CLOCK.reset();
    }
  }

  private static JdbcClient jdbc() {
    return tocsin.bean(JdbcClient.class);
  }

  private static UUID newest(JdbcClient jdbc) {
    return jdbc.sql(
            "SELECT id FROM ingest_alert ORDER BY first_seen_at DESC FETCH FIRST 1 ROW ONLY")
        .query(UUID.class)
        .single();
  }

  private static List<String> partitions(JdbcClient jdbc, String table) {
    return jdbc.sql(
            "SELECT inhrelid::regclass::text FROM pg_inherits"
                + " WHERE inhparent = CAST(:table AS regclass)")
        .param("table", table)
        .query(String.class)
        .list();
  }

  private static List<String> partitionsEndingBefore(String table, UUID bound) {
    return tocsin.bean(MonthlyPartitions.class).below(table, bound).stream()
        .map(partition -> partition.name())
        .toList();
  }

  private static String partitionOf(JdbcClient jdbc, UUID alert) {
    return partitionOf(jdbc, "ingest_alert", "id", alert);
  }

  private static String partitionOf(JdbcClient jdbc, String table, String column, UUID id) {
    return jdbc.sql(
            "SELECT DISTINCT tableoid::regclass::text FROM "
                + table
                + " WHERE "
                + column
                + " = :id")
        .param("id", id)
        .query(String.class)
        .single();
  }

  private static UUID incident(JdbcClient jdbc, Instant at, boolean resolved) {
    UUID id = id(at);
    jdbc.sql(
            """
            INSERT INTO incident (id, number, title, service_id, group_key, open_key, status,
              severity, severity_by_hand, probable_cause_service_id, alert_count, firing_count,
              opened_at, resolved_at, updated_at)
            VALUES (:id, nextval('incident_number'), 'Down', :service, 'g', :openKey, :status,
              'critical', FALSE, :service, 1, 0, :at, :resolvedAt, :at)
            """)
        .param("id", id)
        .param("service", SERVICE)
        .param("openKey", resolved ? null : id.toString())
        .param("status", resolved ? "resolved" : "open")
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

  /** A message with one attempt: delivered, or failed and to be tried again tomorrow. */
  private static UUID message(JdbcClient jdbc, Instant at, String status) {
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
            VALUES (:id, 1, :at, :at, :outcome, 'HTTP 200')
            """)
        .param("id", id)
        .param("at", utc(at))
        .param("outcome", waiting ? "retryable" : "delivered")
        .update();
    return id;
  }

  private static UUID id(Instant at) {
    return new TimeOrderedIds(Clock.fixed(at, ZoneOffset.UTC)).generateId();
  }

  private static UUID alert(JdbcClient jdbc, Instant at, boolean firing) {
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
        .param("service", SERVICE)
        .param("fingerprint", id.toString())
        .param("openKey", firing ? SERVICE + " " + id : null)
        .param("status", firing ? "firing" : "resolved")
        .param("at", utc(at))
        .update();
    return id;
  }

  private static OffsetDateTime utc(Instant at) {
    return at.atOffset(ZoneOffset.UTC);
  }
}
