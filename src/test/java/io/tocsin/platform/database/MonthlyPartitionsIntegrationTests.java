package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;

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
 * PostgreSQL keeps alert occurrences in monthly partitions: retention drops a month whose every
 * alert may go instead of deleting them, keeps a month that holds an alert still firing or still
 * needed by an open incident (deleting the rest of it row by row), and Tocsin makes the coming
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
    return Map.of("tocsin.retention.batch-size", "7");
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
      jdbc.sql("SELECT platform_month_partition('ingest_alert', :start)")
          .param("start", month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC))
          .query()
          .singleValue();
    }
    for (int day = 1; day <= DAYS; day++) {
      alert(jdbc, now.minus(Duration.ofDays(day)).plus(Duration.ofHours(12)), false);
    }
  }

  @Test
  @Order(1)
  void retentionDropsTheMonthsWithNothingToKeepAndEmptiesTheOthersRowByRow() {
    JdbcClient jdbc = jdbc();
    // Forty days apart, so in different months, and each month over before the 90-day cutoff.
    Instant held = now.minus(Duration.ofDays(165));
    UUID heldAlert = alert(jdbc, held, false);
    UUID incident = TimeOrderedIds.first(held);
    jdbc.sql(
            """
            INSERT INTO incident (id, number, title, service_id, group_key, open_key, status,
              severity, severity_by_hand, probable_cause_service_id, alert_count, firing_count,
              opened_at, updated_at)
            VALUES (:id, 1, 'Down', :service, 'g', 'open', 'open', 'critical', FALSE, :service, 1,
              0, :at, :at)
            """)
        .param("id", incident)
        .param("service", SERVICE)
        .param("at", utc(held))
        .update();
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
    Instant cutoff = now.minus(Duration.ofDays(90));
    List<String> past = partitionsEndingBefore(jdbc, TimeOrderedIds.first(cutoff));
    String heldMonth = partitionOf(jdbc, heldAlert);
    String firingMonth = partitionOf(jdbc, firingAlert);
    assertThat(past).as("months wholly past retention").contains(heldMonth, firingMonth);
    assertThat(past.size()).as("a month with nothing to keep").isGreaterThan(2);

    jdbc.sql("DELETE FROM platform_job WHERE name = :name")
        .param("name", RetentionSweeper.JOB)
        .update();
    Map<String, Long> deleted = tocsin.bean(RetentionSweeper.class).sweepIfDue().orElseThrow();

    assertThat(deleted.get("alerts")).as("each day's alert before the cutoff").isEqualTo(DAYS - 90);
    assertThat(partitions(jdbc))
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
  }

  @Test
  @Order(2)
  void theComingMonthsAreMadeAheadOfTheClockAndAnAlertBeyondThemIsStillTaken() {
    JdbcClient jdbc = jdbc();
    Api.Service service = api.service("partitions", "");
    try {
      CLOCK.advance(Duration.ofDays(400));
      YearMonth later = YearMonth.from(CLOCK.instant().atOffset(ZoneOffset.UTC));
      api.fire(service, Api.alert("BeyondTheMonths"));
      assertThat(partitionOf(jdbc, newest(jdbc)))
          .as("no month made yet: the default partition takes it")
          .isEqualTo("ingest_alert_default");

      tocsin.bean(MonthlyPartitions.class).makeAhead();
      tocsin.bean(MonthlyPartitions.class).makeAhead();

      for (int ahead = 0; ahead <= MonthlyPartitions.MONTHS_AHEAD; ahead++) {
        assertThat(partitions(jdbc))
            .contains("ingest_alert_p" + later.plusMonths(ahead).format(MONTH));
      }
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

  private static List<String> partitions(JdbcClient jdbc) {
    return jdbc.sql(
            "SELECT inhrelid::regclass::text FROM pg_inherits"
                + " WHERE inhparent = 'ingest_alert'::regclass")
        .query(String.class)
        .list();
  }

  private static List<String> partitionsEndingBefore(JdbcClient jdbc, UUID bound) {
    return tocsin.bean(MonthlyPartitions.class).below("ingest_alert", bound).stream()
        .map(partition -> partition.name())
        .toList();
  }

  private static String partitionOf(JdbcClient jdbc, UUID alert) {
    return jdbc.sql("SELECT tableoid::regclass::text FROM ingest_alert WHERE id = :id")
        .param("id", alert)
        .query(String.class)
        .single();
  }

  private static UUID alert(JdbcClient jdbc, Instant at, boolean firing) {
    UUID id = new TimeOrderedIds(Clock.fixed(at, ZoneOffset.UTC)).generateId();
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
