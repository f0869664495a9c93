package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.directory.SignInForm;
import io.tocsin.platform.RetentionHold;
import io.tocsin.platform.TimeOrderedIds;
import io.tocsin.testing.HarnessTests;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A year of synthetic history (an alert, an incident with its timeline, a message with its attempt
 * and an audit entry for each day, and more than a year of audit), then the sweep: what is past
 * each kind's retention is gone, in batches smaller than what it deletes, and what an open
 * incident, a postmortem, a kept incident or a message still waiting needs is kept.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetentionIntegrationTests extends HarnessTests {

  private static final int DAYS = 400;

  private static Instant now;
  private static SyntheticHistory history;

  @Override
  protected Map<String, Object> settings() {
    return Map.of("tocsin.retention.incidents", "180d", "tocsin.retention.batch-size", "37");
  }

  @Override
  protected void seed() {
    now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    history = new SyntheticHistory(jdbc(), now);
    JdbcClient jdbc = jdbc();
    for (int day = 1; day <= DAYS; day++) {
      // Half a day off each whole day, so that no row sits on a cutoff the sweep computes a few
      // seconds later.
      Instant at = now.minus(Duration.ofDays(day)).plus(Duration.ofHours(12));
      audit(jdbc, at);
      if (day > 365) {
        continue;
      }
      UUID alert = history.alert(at, false);
      UUID incident = history.incident(at, true, null);
      history.attach(incident, alert, at);
      history.message(at, "delivered");
    }
  }

  @Test
  @Order(1)
  void theSweepDeletesWhatIsPastEachKindsRetentionAndKeepsWhatIsStillNeeded() {
    JdbcClient jdbc = jdbc();
    Instant old = now.minus(Duration.ofDays(200));
    UUID openAlert = history.alert(old, false);
    UUID open = history.incident(old, false, null);
    history.attach(open, openAlert, old);
    UUID postmortemAlert = history.alert(old, false);
    UUID reviewed = history.incident(old, true, null);
    history.attach(reviewed, postmortemAlert, old);
    history.postmortem(reviewed, old);
    UUID recurred = history.incident(old, true, null);
    history.incident(now.minus(Duration.ofDays(3)), true, recurred);
    UUID waiting = history.message(old, "pending");
    makeDue(jdbc);
    RetentionHold hold = tocsin.bean(RetentionHold.class);
    assertThat(hold.holdsAny("alerts", null, TimeOrderedIds.first(old.plusSeconds(1))))
        .as("a range of alerts with an open incident's, as a month of them is before its drop")
        .isTrue();
    assertThat(
            hold.holdsAny(
                "alerts",
                TimeOrderedIds.first(now.minus(Duration.ofDays(100))),
                TimeOrderedIds.first(now.minus(Duration.ofDays(99)))))
        .as("a day whose alert only a resolved incident had")
        .isFalse();

    Map<String, Long> deleted = tocsin.bean(RetentionSweeper.class).sweepIfDue().orElseThrow();

    Instant alertsCutoff = now.minus(Duration.ofDays(90));
    Instant incidentsCutoff = now.minus(Duration.ofDays(180));
    assertThat(count(jdbc, "ingest_alert", "last_seen_at < :at", alertsCutoff))
        .as("old alerts left: an open incident's and a postmortem's")
        .isEqualTo(2);
    assertThat(exists(jdbc, "ingest_alert", openAlert)).isTrue();
    assertThat(exists(jdbc, "ingest_alert", postmortemAlert)).isTrue();
    assertThat(count(jdbc, "ingest_alert", "last_seen_at >= :at", alertsCutoff))
        .as("every alert within 90 days")
        .isEqualTo(90);
    assertThat(deleted.get("alerts")).isEqualTo(365 - 90);

    assertThat(count(jdbc, "incident", "resolved_at < :at", incidentsCutoff))
        .as("old incidents left: a postmortem's, and one a recent incident recurs")
        .isEqualTo(2);
    assertThat(exists(jdbc, "incident", open)).isTrue();
    assertThat(exists(jdbc, "incident", reviewed)).isTrue();
    assertThat(exists(jdbc, "incident", recurred)).isTrue();
    assertThat(
            jdbc.sql(
                    "SELECT COUNT(*) FROM incident_timeline t"
                        + " WHERE NOT EXISTS (SELECT 1 FROM incident i WHERE i.id = t.incident_id)")
                .query(Long.class)
                .single())
        .isZero();
    assertThat(count(jdbc, "incident_timeline", "at >= :at", incidentsCutoff)).isEqualTo(180 + 1);
    assertThat(deleted.get("incidents")).isEqualTo(365 - 180);

    assertThat(count(jdbc, "notify_message", "created_at < :at", alertsCutoff))
        .as("an old message still waiting to go out")
        .isEqualTo(1);
    assertThat(exists(jdbc, "notify_message", waiting)).isTrue();
    assertThat(
            jdbc.sql("SELECT message_id FROM notify_attempt WHERE started_at < :at")
                .param("at", utc(alertsCutoff))
                .query(UUID.class)
                .list())
        .as("of the old attempts, only the waiting message's: the deleted messages' went too")
        .containsExactly(waiting);
    assertThat(count(jdbc, "notify_attempt", "started_at >= :at", alertsCutoff)).isEqualTo(90);
    assertThat(deleted.get("messages")).isEqualTo(365 - 90);

    assertThat(
            count(
                jdbc,
                "directory_audit_event",
                "occurred_at < :at",
                now.minus(Duration.ofDays(365))))
        .isZero();
    assertThat(deleted.get("audit")).isEqualTo(DAYS - 365);
    assertThat(tocsin.metric("tocsin_retention_deleted_total{kind=\"alerts\"}"))
        .isEqualTo(365 - 90);
  }

  @Test
  @Order(2)
  void onlyOneOfConcurrentSweepsRunsAndTheNextWaitsForTheInterval() throws Exception {
    makeDue(jdbc());
    RetentionSweeper sweeper = tocsin.bean(RetentionSweeper.class);
    int callers = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<Optional<Map<String, Long>>>> runs = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        Callable<Optional<Map<String, Long>>> run =
            () -> {
              start.await();
              return sweeper.sweepIfDue();
            };
        runs.add(pool.submit(run));
      }
      start.countDown();
      int swept = 0;
      for (Future<Optional<Map<String, Long>>> run : runs) {
        swept += run.get().isPresent() ? 1 : 0;
      }
      assertThat(swept).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(sweeper.sweepIfDue()).as("not due again before the interval").isEmpty();
  }

  @Test
  @Order(3)
  void theAdminPageShowsHowLongEachKindIsKept() {
    assertThat(SignInForm.adminPage(tocsin, "/admin"))
        .contains("id=\"retention-kinds\"")
        .contains("<dt>incidents</dt><dd>180 days</dd>")
        .contains("<dt>alerts</dt><dd>90 days</dd>")
        .contains("<dt>audit</dt><dd>365 days</dd>");
  }

  private static JdbcClient jdbc() {
    return tocsin.bean(JdbcClient.class);
  }

  private static void makeDue(JdbcClient jdbc) {
    jdbc.sql("DELETE FROM platform_job WHERE name = :name")
        .param("name", RetentionSweeper.JOB)
        .update();
  }

  private static long count(JdbcClient jdbc, String table, String condition, Instant at) {
    return jdbc.sql("SELECT COUNT(*) FROM " + table + " WHERE " + condition)
        .param("at", utc(at))
        .query(Long.class)
        .single();
  }

  private static boolean exists(JdbcClient jdbc, String table, UUID id) {
    return jdbc.sql("SELECT COUNT(*) FROM " + table + " WHERE id = :id")
            .param("id", id)
            .query(Long.class)
            .single()
        == 1;
  }

  private static void audit(JdbcClient jdbc, Instant at) {
    jdbc.sql(
            """
            INSERT INTO directory_audit_event (id, occurred_at, actor_name, kind, summary)
            VALUES (:id, :at, 'Tocsin', 'test.history', 'a day of history')
            """)
        .param("id", SyntheticHistory.id(at))
        .param("at", utc(at))
        .update();
  }

  private static OffsetDateTime utc(Instant at) {
    return SyntheticHistory.utc(at);
  }
}
