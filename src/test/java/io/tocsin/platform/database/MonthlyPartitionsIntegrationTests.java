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
  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM");

  private static Instant now;
  private static SyntheticHistory history;

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
    history = new SyntheticHistory(jdbc, now);
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
      history.alert(at, false);
      history.incident(at, true, null);
      history.message(at, "delivered");
    }
  }

  @Test
  @Order(1)
  void retentionDropsTheMonthsWithNothingToKeepAndEmptiesTheOthersRowByRow() {
    JdbcClient jdbc = jdbc();
    // Forty days apart, so in different months, and each month over before the 90-day cutoff.
    Instant held = now.minus(Duration.ofDays(165));
    UUID heldAlert = history.alert(held, false);
    UUID incident = history.incident(held, false, null);
    history.attach(incident, heldAlert, held);
    UUID firingAlert = history.alert(now.minus(Duration.ofDays(125)), true);
    UUID reviewed = history.incident(held, true, null);
    history.postmortem(reviewed, held);
    UUID retrying = history.message(now.minus(Duration.ofDays(125)), "pending");
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
                .param("at", SyntheticHistory.utc(cutoff))
                .query(UUID.class)
                .list())
        .containsExactlyInAnyOrder(heldAlert, firingAlert);
    assertThat(
            jdbc.sql("SELECT COUNT(*) FROM ingest_alert WHERE last_seen_at >= :at")
                .param("at", SyntheticHistory.utc(cutoff))
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
                .param("at", SyntheticHistory.utc(cutoff))
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
                .param("at", SyntheticHistory.utc(cutoff))
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
}
