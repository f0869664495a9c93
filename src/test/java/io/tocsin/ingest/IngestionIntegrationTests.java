package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.ingest.AlertChange.AlertFired;
import io.tocsin.ingest.AlertChange.AlertResolved;
import io.tocsin.ingest.heartbeat.Heartbeats;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestClock;
import io.tocsin.testing.TocsinHarness;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.modulith.events.ApplicationModuleListener;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every ingestion format against the real application on both databases: PagerDuty Events v2 and
 * change events, generic JSON, heartbeats, expiry, idempotency, limits, durable events, and a fuzz
 * pass that throws broken payloads at every endpoint.
 */
class IngestionIntegrationTests extends HarnessTests {

  private static final String EMAIL = TocsinHarness.ADMIN_EMAIL;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /** The system's time, until a test moves it forward past a heartbeat's deadline. */
  static final TestClock CLOCK = TestClock.running();

  /** Every change published to a listener in another module, as that module would see it. */
  static final List<AlertChange> RECEIVED = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Alerts whose first delivery the listener fails, to prove redelivery. */
  static final Set<String> FAIL_ONCE = ConcurrentHashMap.newKeySet();

  /** Alerts the listener fails on every time, until a test takes them out. */
  static final Set<String> FAIL_ALWAYS = ConcurrentHashMap.newKeySet();

  private static SingleConnectionDataSource connection;
  private static String admin;
  private static String serviceId;
  private static String genericKey;
  private static String pagerDutyKey;
  private static String alertmanagerKey;
  private static Map<String, String> heartbeat;

  /**
   * The listener and the clock of this test's harness, a source of that harness only: no
   * {@code @Configuration}, which component scanning would find.
   */
  static class Listening {

    @Bean
    Recorder recorder() {
      return new Recorder();
    }

    @Bean
    @Primary
    Clock testClock() {
      return CLOCK;
    }
  }

  static class Recorder {

    @ApplicationModuleListener
    void on(AlertsChanged changed) {
      for (AlertChange change : changed.changes()) {
        if (change instanceof AlertFired fired && FAIL_ONCE.remove(fired.summary())) {
          throw new IllegalStateException("failing the first delivery on purpose");
        }
        if (change instanceof AlertFired fired && FAIL_ALWAYS.contains(fired.summary())) {
          throw new IllegalStateException("cannot handle " + fired.summary());
        }
      }
      RECEIVED.addAll(changed.changes());
    }
  }

  @Override
  protected Map<String, Object> settings() {
    return Map.of(
        "tocsin.ingest.max-body-size", "64KB",
        "tocsin.ingest.sweep-interval", "200ms",
        "tocsin.events.redelivery-interval", "200ms",
        "tocsin.events.stale-after", "2s",
        "tocsin.events.max-attempts", "3",
        "tocsin.events.retry-backoff", "100ms",
        "tocsin.events.retry-max-backoff", "200ms");
  }

  @Override
  protected Class<?>[] sources() {
    return new Class<?>[] {Listening.class};
  }

  @Override
  protected void seed() {
    admin = adminToken;
    serviceId = tocsin.createService(admin, "checkout");
    genericKey = tocsin.createIntegration(admin, serviceId, "app", "generic").get("key");
    pagerDutyKey = tocsin.createIntegration(admin, serviceId, "pd", "pagerduty").get("key");
    alertmanagerKey =
        tocsin.createIntegration(admin, serviceId, "prometheus", "alertmanager").get("key");
    heartbeat = tocsin.createIntegration(admin, serviceId, "nightly-backup", "heartbeat");
  }

  /** One connection for the test's own queries: the fuzz pass makes over a thousand. */
  private JdbcClient db() {
    if (connection == null) {
      connection =
          new SingleConnectionDataSource(
              schema().url(), schema().user(), schema().password(), true);
    }
    return JdbcClient.create(connection);
  }

  @AfterParameterizedClassInvocation
  static void closeConnection() {
    if (connection != null) {
      connection.destroy();
      connection = null;
    }
  }

  @Test
  void aPublicationWrittenWhenFiredAlertsStillCarriedTheirAnnotationsReadsAsBefore() {
    JsonMapper mapper = tocsin.bean(JsonMapper.class);
    AlertsChanged changes =
        new AlertsChanged(
            List.of(
                new AlertFired(
                    UUID.randomUUID(),
                    UUID.randomUUID(),
                    UUID.randomUUID(),
                    "f1",
                    io.tocsin.platform.Severity.CRITICAL,
                    "Disk full",
                    Map.of("alertname", "DiskFull"),
                    Instant.parse("2026-12-07T06:00:00Z"),
                    null,
                    "disk-db-1",
                    null,
                    null)));
    String written = mapper.writeValueAsString(changes);
    String earlier =
        written.replace(
            "\"labels\":",
            "\"annotations\":{\"summary\":\"Disk full\",\"runbook\":\"r\"},\"labels\":");
    assertThat(earlier).contains("\"annotations\"");

    assertThat(mapper.readValue(earlier, AlertsChanged.class)).isEqualTo(changes);
  }

  @Test
  void aPagerDutyTriggerIsAcknowledgedAndResolvedByItsDedupKey() {
    String summary = unique("Disk full");
    HttpResponse<String> triggered =
        pagerDuty(
            "/v2/enqueue",
            """
            {"routing_key":"%s","event_action":"trigger",
             "payload":{"summary":"%s","source":"db-1","severity":"critical",
                        "component":"postgres","group":"prod","class":"disk",
                        "custom_details":{"free":"0 bytes"}},
             "links":[{"href":"https://grafana.example.com/d/1","text":"Disk"}],
             "client":"Monitor","client_url":"https://monitor.example.com"}
            """
                .formatted(pagerDutyKey, summary));

    assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(202);
    JsonNode answer = JSON.readTree(triggered.body());
    assertThat(answer.get("status").asString()).isEqualTo("success");
    assertThat(answer.get("message").asString()).isEqualTo("Event processed");
    String dedupKey = answer.get("dedup_key").asString();
    assertThat(dedupKey).isNotBlank();

    String follow =
        """
        {"routing_key":"%s","event_action":"%s","dedup_key":"%s"}
        """;
    assertThat(pagerDuty("/v2/enqueue", follow.formatted(pagerDutyKey, "acknowledge", dedupKey)))
        .extracting(HttpResponse::statusCode)
        .isEqualTo(202);
    Map<String, Object> row = alertRow(summary);
    assertThat(row)
        .containsEntry("status", "firing")
        .containsEntry("severity", "critical")
        .containsEntry("dedup_key", dedupKey)
        .containsEntry("source", "pagerduty");
    assertThat(row.get("acknowledged_at")).isNotNull();
    assertThat((String) row.get("links")).contains("https://grafana.example.com/d/1");
    assertThat((String) row.get("details")).contains("0 bytes");

    assertThat(pagerDuty("/v2/enqueue", follow.formatted(pagerDutyKey, "RESOLVE", dedupKey)))
        .extracting(HttpResponse::statusCode)
        .isEqualTo(202);
    assertThat(alertRow(summary)).containsEntry("status", "resolved");

    UUID id = UUID.fromString((String) row.get("id"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(RECEIVED.stream().filter(c -> c.alertId().equals(id)))
                    .extracting(c -> c.getClass().getSimpleName())
                    .containsExactly("AlertFired", "AlertAcknowledged", "AlertResolved"));
  }

  @Test
  void invalidPagerDutyEventsGetPagerDutysAnswerListingEveryProblemAndWriteNothing() {
    int before = sentAlerts();
    HttpResponse<String> invalid =
        pagerDuty(
            "/v2/enqueue",
            """
            {"routing_key":"%s","event_action":"trigger",
             "payload":{"summary":"","severity":"disastrous"}}
            """
                .formatted(pagerDutyKey));

    assertThat(invalid.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(invalid.body());
    assertThat(body.get("status").asString()).isEqualTo("invalid event");
    assertThat(body.get("message").asString()).isEqualTo("Event object is invalid");
    assertThat(body.get("errors").toString())
        .contains("payload.summary")
        .contains("payload.source")
        .contains("payload.severity");

    assertThat(
            pagerDuty(
                    "/v2/enqueue",
                    "{\"routing_key\":\"%s\",\"event_action\":\"snooze\"}".formatted(pagerDutyKey))
                .body())
        .contains("trigger, acknowledge, resolve");
    assertThat(pagerDuty("/v2/enqueue", "{\"event_action\":\"trigger\",").statusCode())
        .isEqualTo(400);
    assertThat(sentAlerts()).isEqualTo(before);
  }

  @Test
  void anUnknownOrForeignRoutingKeyGetsPagerDutysInvalidRoutingKeyAnswer() {
    String resolve = "{\"routing_key\":\"%s\",\"event_action\":\"resolve\",\"dedup_key\":\"x\"}";
    String change = "{\"routing_key\":\"%s\",\"payload\":{\"summary\":\"Deploy\"}}";
    for (String[] sent :
        List.of(
            new String[] {"/v2/enqueue", resolve.formatted("tik_unknown")},
            new String[] {"/v2/enqueue", resolve.formatted("R0212P1QXGEIQE2NMTQ7L7WXD00DWHIN")},
            new String[] {"/v2/change/enqueue", change.formatted("tik_unknown")})) {
      HttpResponse<String> refused = pagerDuty(sent[0], sent[1]);

      assertThat(refused.statusCode()).as(sent[0]).isEqualTo(400);
      assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(refused.body())
          .isEqualTo(
              "{\"status\":\"invalid event\",\"message\":\"Invalid routing key\",\"errors\":"
                  + "[\"No integration has this routing key: it was never issued, was rotated away,"
                  + " or its integration was deleted.\"]}");
    }

    HttpResponse<String> foreign = pagerDuty("/v2/enqueue", resolve.formatted(alertmanagerKey));
    assertThat(foreign.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(foreign.body());
    assertThat(body.get("status").asString()).isEqualTo("invalid event");
    assertThat(body.get("message").asString()).isEqualTo("Invalid routing key");
    assertThat(body.get("errors").get(0).asString())
        .isEqualTo(
            "This key belongs to an integration of another kind; this endpoint takes pagerduty"
                + " keys.");
  }

  @Test
  void changeEventsPageNobodyAndAreListedPerServiceNewestFirst() {
    String deploy = unique("Deploy");
    for (String minutesAgo : List.of("10", "3")) {
      HttpResponse<String> sent =
          pagerDuty(
              "/v2/change/enqueue",
              """
              {"routing_key":"%s","payload":{"summary":"%s %s","source":"ci",
               "timestamp":"%s","custom_details":{"version":"1.2.%s"}},
               "links":[{"href":"https://ci.example.com/1"}]}
              """
                  .formatted(
                      pagerDutyKey,
                      deploy,
                      minutesAgo,
                      Instant.now().minusSeconds(60 * Long.parseLong(minutesAgo)),
                      minutesAgo));
      assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
      assertThat(sent.body()).contains("Change event processed");
    }

    HttpResponse<String> listed = asAdmin("GET", "/api/v1/services/" + serviceId + "/changes");

    assertThat(listed.statusCode()).isEqualTo(200);
    List<String> summaries = new ArrayList<>();
    JSON.readTree(listed.body())
        .get("items")
        .forEach(item -> summaries.add(item.get("summary").asString()));
    assertThat(summaries).containsSubsequence(deploy + " 3", deploy + " 10");
    HttpResponse<String> documented =
        pagerDuty(
            "/v2/change/enqueue",
            """
            {"routing_key":"%s","payload":{"summary":"%s","timestamp":"2015-07-17T08:42:58.315+0000"}}
            """
                .formatted(pagerDutyKey, unique("Build")));
    assertThat(documented.statusCode())
        .as("a timestamp written as in PagerDuty's examples: " + documented.body())
        .isEqualTo(202);
    assertThat(listed.body()).contains("1.2.3").contains("https://ci.example.com/1");
    assertThat(alertRows(deploy + " 3")).isEmpty();
    assertThat(
            tocsin
                .send(
                    HttpRequest.newBuilder(tocsin.uri("/api/v1/services/" + serviceId + "/changes"))
                        .build())
                .statusCode())
        .isEqualTo(401);
    HttpResponse<String> unknown =
        asAdmin("GET", "/api/v1/services/" + UUID.randomUUID() + "/changes");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("\"status\":404");
  }

  @Test
  void genericAlertsAnswer202WithEachAlertsIdFingerprintAndAction() {
    String summary = unique("Queue backed up");
    String single =
        """
        {"summary":"%s","severity":"P1","source":"worker","dedupKey":"%s",
         "labels":{"queue":"orders"},"links":[{"href":"https://runbooks.example.com/q"}],
         "someFutureField":true}
        """
            .formatted(summary, summary);

    HttpResponse<String> opened = generic(single, null);
    HttpResponse<String> refreshed = generic("[" + single + "]", null);
    HttpResponse<String> resolved =
        generic(
            "[{\"summary\":\"%s\",\"dedupKey\":\"%s\",\"status\":\"RESOLVED\"}]"
                .formatted(summary, summary),
            null);

    assertThat(opened.statusCode()).as(opened.body()).isEqualTo(202);
    JsonNode first = JSON.readTree(opened.body()).get("alerts").get(0);
    assertThat(first.get("action").asString()).isEqualTo("opened");
    assertThat(first.get("fingerprint").asString()).matches("[0-9a-f]{16}");
    JsonNode again = JSON.readTree(refreshed.body()).get("alerts").get(0);
    assertThat(again.get("action").asString()).isEqualTo("refreshed");
    assertThat(again.get("id").asString()).isEqualTo(first.get("id").asString());
    assertThat(JSON.readTree(resolved.body()).get("alerts").get(0).get("action").asString())
        .isEqualTo("resolved");
    assertThat(alertRows(summary))
        .containsExactly(Map.of("status", "resolved", "times_seen", 2, "severity", "critical"));
  }

  @Test
  void anIdempotencyKeyReplaysTheFirstAnswerAndRefusesAnotherBody() throws Exception {
    String summary = unique("Payment errors");
    String body = "{\"summary\":\"%s\",\"severity\":\"error\"}".formatted(summary);
    String key = UUID.randomUUID().toString();
    ExecutorService senders = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<HttpResponse<String>>> answers =
          IntStream.range(0, 8)
              .mapToObj(i -> CompletableFuture.supplyAsync(() -> generic(body, key), senders))
              .toList();
      List<String> bodies = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        assertThat(answer.get().statusCode()).as(answer.get().body()).isEqualTo(202);
        bodies.add(answer.get().body());
      }
      assertThat(bodies).containsOnly(bodies.get(0));
    } finally {
      senders.shutdown();
    }
    assertThat(alertRows(summary))
        .containsExactly(Map.of("status", "firing", "times_seen", 1, "severity", "error"));

    HttpResponse<String> other =
        generic("{\"summary\":\"%s\",\"severity\":\"info\"}".formatted(summary), key);
    assertThat(other.statusCode()).isEqualTo(422);
    assertThat(other.body()).contains("Idempotency-Key");
    assertThat(alertRows(summary)).extracting(row -> row.get("times_seen")).containsExactly(1);
  }

  @Test
  void oversizedBodiesAndTooManyAlertsAre413AndWriteNothing() {
    int before = sentAlerts();
    String padding = "x".repeat(70 * 1024);
    String large = "[{\"summary\":\"big\",\"description\":\"" + padding + "\"}]";

    HttpResponse<String> announced = generic(large, null);
    HttpResponse<String> chunked =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri("/api/v1/alerts"))
                .header("Authorization", "Bearer " + genericKey)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(large.getBytes(StandardCharsets.UTF_8))))
                .build());
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i <= AlertIngestion.MAX_ALERTS; i++) {
      many.append(i == 0 ? "" : ",").append("{\"labels\":{\"n\":\"").append(i).append("\"}}");
    }
    HttpResponse<String> tooMany =
        tocsin.postJson("/api/v2/alerts", "Bearer " + alertmanagerKey, many.append("]").toString());

    assertThat(announced.statusCode()).as(announced.body()).isEqualTo(413);
    assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
    assertThat(tooMany.statusCode()).as(tooMany.body()).isEqualTo(413);
    assertThat(tooMany.body()).contains("1000");
    assertThat(sentAlerts()).isEqualTo(before);
  }

  @Test
  void anAlertWhoseEndsAtPassesWithoutAResendIsResolvedOnceAtItsEndsAt() {
    String name = unique("Expiring");
    Instant endsAt = Instant.now().plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    HttpResponse<String> sent =
        tocsin.postJson(
            "/api/v2/alerts",
            "Bearer " + alertmanagerKey,
            "[{\"labels\":{\"alertname\":\"%s\"},\"endsAt\":\"%s\"}]".formatted(name, endsAt));
    assertThat(sent.statusCode()).isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertThat(alertRow(name)).containsEntry("status", "resolved"));
    UUID id = UUID.fromString((String) alertRow(name).get("id"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        RECEIVED.stream()
                            .filter(c -> c.alertId().equals(id) && c instanceof AlertResolved))
                    .singleElement()
                    .extracting(c -> ((AlertResolved) c).endsAt())
                    .isEqualTo(endsAt));
  }

  @Test
  void aMissedHeartbeatFiresHeartbeatMissedAndTheNextBeatResolvesIt() {
    configureHeartbeat(heartbeat.get("id"), "PT1S", "PT0S");
    assertThat(tocsin.get("/api/v1/heartbeats/" + heartbeat.get("key")).statusCode())
        .isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(heartbeatAlerts())
                    .extracting(row -> row.get("status"))
                    .contains("firing"));
    HttpResponse<String> beat =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri("/api/v1/heartbeats/" + heartbeat.get("key")))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(beat.statusCode()).isEqualTo(200);
    assertThat(heartbeatAlerts().get(0)).containsEntry("status", "resolved");
    assertThat(tocsin.get("/api/v1/heartbeats/tik_nobody").statusCode()).isEqualTo(401);
    assertThat(tocsin.get("/api/v1/heartbeats/" + genericKey).statusCode()).isEqualTo(403);
  }

  @Test
  void prometheusBeatsAHeartbeatThroughTheAlertmanagerApiWithoutStoringAlerts() {
    Map<String, String> watchdog =
        tocsin.createIntegration(admin, serviceId, unique("prometheus"), "heartbeat");
    UUID watchdogId = UUID.fromString(watchdog.get("id"));
    configureHeartbeat(watchdog.get("id"), "PT2S", "PT2S");
    String name = unique("Watchdog");
    String firing = "[" + prometheusAlert(name, Instant.now().plusSeconds(240)) + "]";
    Heartbeats heartbeats = tocsin.bean(Heartbeats.class);
    try {
      // Prometheus re-sends its firing Watchdog every evaluation: a steady sender keeps the
      // heartbeat quiet for longer than interval + grace, and nothing is stored as an alert.
      for (int beat = 0; beat < 12; beat++) {
        assertThat(alertmanagerApi(watchdog.get("key"), firing).statusCode()).isEqualTo(200);
        CLOCK.advance(Duration.ofMillis(500));
        heartbeats.check();
      }
      assertThat(alertsOf(watchdogId)).isEmpty();
      Instant lastBeat = lastBeatAt(watchdog.get("id"));
      assertThat(lastBeat).isAfter(CLOCK.instant().minusSeconds(3));

      // Neither an empty request nor one of resolved alerts is a beat: the heartbeat is missed.
      String resolved = "[" + prometheusAlert(name, CLOCK.instant().minusSeconds(1)) + "]";
      assertThat(alertmanagerApi(watchdog.get("key"), "[]").statusCode()).isEqualTo(200);
      assertThat(alertmanagerApi(watchdog.get("key"), resolved).statusCode()).isEqualTo(200);
      CLOCK.advance(Duration.ofSeconds(4));
      heartbeats.check();
      // The scheduled check may have claimed the miss first: it commits a moment later.
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> assertThat(alertsOf(watchdogId)).containsExactly("HeartbeatMissed firing"));
      assertThat(lastBeatAt(watchdog.get("id"))).isEqualTo(lastBeat);

      assertThat(alertmanagerApi(watchdog.get("key"), firing).statusCode()).isEqualTo(200);
      assertThat(alertsOf(watchdogId)).containsExactly("HeartbeatMissed resolved");
      assertThat(lastBeatAt(watchdog.get("id"))).isAfter(lastBeat);
    } finally {
      CLOCK.reset();
    }

    // The same request with an alertmanager key is stored as an alert, as before.
    assertThat(alertmanagerApi(alertmanagerKey, firing).statusCode()).isEqualTo(200);
    assertThat(alertRows(name)).extracting(row -> row.get("status")).containsExactly("firing");
    HttpResponse<String> generic = alertmanagerApi(genericKey, firing);
    assertThat(generic.statusCode()).isEqualTo(403);
    assertThat(generic.body()).contains("this endpoint takes alertmanager or heartbeat keys");
  }

  @Test
  void aWatchdogAddedWithGosZeroTimesIsABeat() {
    Map<String, String> watchdog =
        tocsin.createIntegration(admin, serviceId, unique("amtool"), "heartbeat");
    Instant before = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    // amtool alert add Watchdog, with no times: Go's zero time in both.
    String added =
        """
        [{"labels":{"alertname":"Watchdog"},"annotations":{},"generatorURL":"",
          "startsAt":"0001-01-01T00:00:00.000Z","endsAt":"0001-01-01T00:00:00.000Z"}]
        """;
    assertThat(alertmanagerApi(watchdog.get("key"), added).statusCode()).isEqualTo(200);
    assertThat(lastBeatAt(watchdog.get("id"))).isAfterOrEqualTo(before);
  }

  @Test
  void labelsOverTheLimitsAndNulCharactersAreRefusedNamingTheFieldAndStoreNothing() {
    String name = unique("Limits");
    String longValue = "v".repeat(AlertIngestion.LABEL_VALUE_LIMIT + 1);
    HttpResponse<String> tooLong =
        alertmanagerApi(
            alertmanagerKey,
            "[{\"labels\":{\"alertname\":\"" + name + "\",\"pod\":\"" + longValue + "\"}}]");
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(tooLong.body())
        .contains("alerts[0].labels.pod")
        .contains("the limit is " + AlertIngestion.LABEL_VALUE_LIMIT);

    HttpResponse<String> nul =
        alertmanagerApi(
            alertmanagerKey,
            "[{\"labels\":{\"alertname\":\""
                + name
                + "\"},\"annotations\":{\"summary\":\"a\\u0000b\"}}]");
    assertThat(nul.statusCode()).as(nul.body()).isEqualTo(400);
    assertThat(nul.body()).contains("alerts[0].annotations").contains("NUL");
    assertThat(alertRows(name)).isEmpty();
  }

  @Test
  void timesAfterTheYear9999AreRefusedNamingTheFieldWhileEarlierThan1970StillMeansUnset() {
    String name = unique("Bounds");
    int changesBefore = count("ingest_change_event");
    HttpResponse<String> trigger =
        pagerDuty(
            "/v2/enqueue",
            """
            {"routing_key":"%s","event_action":"trigger","payload":{"summary":"%s",
             "source":"db-1","severity":"critical","timestamp":"+10000-01-01T00:00:00.000+0000"}}
            """
                .formatted(pagerDutyKey, name));
    assertThat(trigger.statusCode()).as(trigger.body()).isEqualTo(400);
    assertThat(trigger.body()).contains("payload.timestamp").contains("9999-12-31");
    HttpResponse<String> change =
        pagerDuty(
            "/v2/change/enqueue",
            """
            {"routing_key":"%s","payload":{"summary":"%s","timestamp":"+999999999-12-31T00:00:00Z"}}
            """
                .formatted(pagerDutyKey, name));
    assertThat(change.statusCode()).as(change.body()).isEqualTo(400);
    assertThat(change.body()).contains("payload.timestamp");
    HttpResponse<String> generic =
        generic("{\"summary\":\"" + name + "\",\"startsAt\":\"+10000-01-01T00:00:00Z\"}", null);
    assertThat(generic.statusCode()).as(generic.body()).isEqualTo(422);
    assertThat(JSON.readTree(generic.body()).get("errors").get(0).get("field").asString())
        .isEqualTo("startsAt");
    HttpResponse<String> nul =
        alertmanagerApi(
            alertmanagerKey,
            "[{\"labels\":{\"alertname\":\""
                + name
                + "\"},\"generatorURL\":\"http://p/\\u0000\"}]");
    assertThat(nul.statusCode()).as("PostgreSQL cannot store NUL: " + nul.body()).isEqualTo(400);
    assertThat(nul.body()).contains("generatorURL").contains("NUL");
    assertThat(alertRows(name)).isEmpty();
    assertThat(count("ingest_change_event")).isEqualTo(changesBefore);

    HttpResponse<String> zeroTime =
        pagerDuty(
            "/v2/enqueue",
            """
            {"routing_key":"%s","event_action":"trigger","payload":{"summary":"%s",
             "source":"db-1","severity":"critical","timestamp":"0001-01-01T00:00:00Z"}}
            """
                .formatted(pagerDutyKey, name));
    assertThat(zeroTime.statusCode()).as(zeroTime.body()).isEqualTo(202);
    HttpResponse<String> genericZeroTime =
        generic("{\"summary\":\"" + name + " 2\",\"startsAt\":\"0001-01-01T00:00:00Z\"}", null);
    assertThat(genericZeroTime.statusCode()).as(genericZeroTime.body()).isEqualTo(202);
    assertThat(alertRows(name)).hasSize(1);
    assertThat(alertRows(name + " 2")).hasSize(1);
  }

  @Test
  void valuesOfTheWrongShapeAreRefusedNamingTheFieldNotA500() {
    String name = unique("Shapes");
    HttpResponse<String> linkText =
        pagerDuty(
            "/v2/change/enqueue",
            """
            {"routing_key":"%s","payload":{"summary":"%s"},
             "links":[{"href":"https://ci.example.com/1","text":["build"]}]}
            """
                .formatted(pagerDutyKey, name));
    assertThat(linkText.statusCode()).as(linkText.body()).isEqualTo(400);
    assertThat(linkText.body()).contains("links[0].text");
    HttpResponse<String> nullLabel =
        alertmanagerApi(alertmanagerKey, "[{\"labels\":{\"alertname\":null}}]");
    assertThat(nullLabel.statusCode()).as(nullLabel.body()).isEqualTo(400);
    assertThat(nullLabel.body()).contains("labels.alertname");
    for (String startsAt : List.of("\"\"", "\" \"", "1e308", "{}")) {
      HttpResponse<String> time =
          generic("{\"summary\":\"" + name + "\",\"startsAt\":" + startsAt + "}", null);
      assertThat(time.statusCode()).as(startsAt + ": " + time.body()).isEqualTo(422);
      assertThat(JSON.readTree(time.body()).get("errors").get(0).get("field").asString())
          .isEqualTo("startsAt");
    }
    assertThat(alertRows(name)).isEmpty();
  }

  @Test
  void aNullBodyOrNullAlertIsRefusedNamingWhereNotA500() {
    HttpResponse<String> nullBody = generic("null", null);
    assertThat(nullBody.statusCode()).as(nullBody.body()).isEqualTo(422);
    assertThat(nullBody.body()).contains("\"field\":\"body\"");
    HttpResponse<String> nullAlert = generic("[{\"summary\":\"fine\"},null]", null);
    assertThat(nullAlert.statusCode()).as(nullAlert.body()).isEqualTo(422);
    assertThat(nullAlert.body()).contains("\"field\":\"[1]\"");
    HttpResponse<String> prometheus = alertmanagerApi(alertmanagerKey, "[null]");
    assertThat(prometheus.statusCode()).as(prometheus.body()).isEqualTo(400);
    assertThat(prometheus.body()).contains("[0]").contains("alert object");
    assertThat(alertRows("fine")).isEmpty();
  }

  @Test
  void concurrentSweepsOnSeveralNodesResolveEachExpiredAlertExactlyOnce() throws Exception {
    String name = unique("Swept");
    Instant endsAt = Instant.now().plusSeconds(1);
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 300; i++) {
      batch
          .append(i == 0 ? "" : ",")
          .append(
              "{\"labels\":{\"alertname\":\"%s\",\"n\":\"%d\"},\"endsAt\":\"%s\"}"
                  .formatted(name, i, endsAt));
    }
    assertThat(
            tocsin
                .postJson(
                    "/api/v2/alerts", "Bearer " + alertmanagerKey, batch.append("]").toString())
                .statusCode())
        .isEqualTo(200);
    List<UUID> ids =
        db().sql("SELECT id FROM ingest_alert WHERE summary = :s")
            .param("s", name)
            .query(UUID.class)
            .list();
    assertThat(ids).hasSize(300);
    await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(endsAt));

    // Four "nodes" sweep at once, alongside this node's own scheduled sweep.
    AlertExpiry expiry = tocsin.bean(AlertExpiry.class);
    onFourNodesAtOnce(expiry::sweep);

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(
                        RECEIVED.stream()
                            .filter(c -> c instanceof AlertResolved && ids.contains(c.alertId()))
                            .map(AlertChange::alertId))
                    .hasSize(300)
                    .doesNotHaveDuplicates());
    assertThat(alertRows(name)).allMatch(row -> row.get("status").equals("resolved"));
  }

  @Test
  void concurrentHeartbeatChecksFireEachMissedHeartbeatOnce() throws Exception {
    List<UUID> integrations = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Map<String, String> created =
          tocsin.createIntegration(admin, serviceId, unique("cron"), "heartbeat");
      integrations.add(UUID.fromString(created.get("id")));
      configureHeartbeat(created.get("id"), "PT1S", "PT0S");
    }
    Instant due = Instant.now().plusSeconds(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(due));

    io.tocsin.ingest.heartbeat.Heartbeats heartbeats =
        tocsin.bean(io.tocsin.ingest.heartbeat.Heartbeats.class);
    onFourNodesAtOnce(heartbeats::check);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        db().sql(
                                // Fired twice, the alert would be refreshed: times_seen 2.
                                "SELECT integration_id FROM ingest_alert WHERE source = 'heartbeat'"
                                    + " AND integration_id IN (:ids) AND times_seen = 1")
                            .param("ids", integrations)
                            .query(UUID.class)
                            .list())
                    .containsExactlyInAnyOrderElementsOf(integrations));
  }

  @Test
  void aListenerThatFailsGetsTheEventAgainUntilItHasHandledIt() {
    String summary = unique("Flaky listener");
    FAIL_ONCE.add(summary);

    assertThat(generic("{\"summary\":\"%s\"}".formatted(summary), null).statusCode())
        .isEqualTo(202);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(RECEIVED)
                    .filteredOn(c -> c instanceof AlertFired f && f.summary().equals(summary))
                    .hasSize(1));
    assertThat(FAIL_ONCE).doesNotContain(summary);
    await().atMost(Duration.ofSeconds(10)).until(() -> count("platform_event_publication") == 0);
  }

  @Test
  void aPublicationWhoseListenerKeepsFailingIsDeadAfterMaxAttemptsAndAnAdminRetriesOrDiscardsIt() {
    String summary = unique("Always failing");
    FAIL_ALWAYS.add(summary);
    assertThat(generic("{\"summary\":\"%s\"}".formatted(summary), null).statusCode())
        .isEqualTo(202);

    JsonNode dead =
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetter(summary), d -> d != null);
    assertThat(dead.get("attempts").asInt()).isEqualTo(3);
    assertThat(dead.get("eventType").asString()).isEqualTo(AlertsChanged.class.getName());
    assertThat(dead.get("listener").asString()).contains("Recorder");
    assertThat(dead.get("lastError").asString())
        .isEqualTo("java.lang.IllegalStateException: cannot handle " + summary);
    assertThat(Instant.parse(dead.get("firstFailedAt").asString()))
        .isBefore(Instant.parse(dead.get("lastFailedAt").asString()));
    String id = dead.get("id").asString();
    // Redelivery runs every 200 ms: a dead publication is left alone all the while.
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> deadLetter(summary), d -> d != null && d.get("attempts").asInt() == 3);
    assertThat(RECEIVED).noneMatch(c -> c instanceof AlertFired f && f.summary().equals(summary));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> tocsin.metric("tocsin_event_publications_dead") == 1);
    JsonNode health =
        JSON.readTree(tocsin.get("/actuator/health/readiness").body())
            .get("components")
            .get("eventPublications");
    assertThat(health.get("status").asString())
        .as("dead letters keep a node ready")
        .isEqualTo("UP");
    assertThat(health.get("details").get("dead").asInt()).isEqualTo(1);
    assertThat(
            tocsin
                .send(
                    HttpRequest.newBuilder(tocsin.uri("/api/v1/admin/event-dead-letters"))
                        .header("Authorization", "Bearer " + genericKey)
                        .build())
                .statusCode())
        .as("integration keys see no dead letters")
        .isIn(401, 403);

    FAIL_ALWAYS.remove(summary);
    assertThat(asAdmin("POST", "/api/v1/admin/event-dead-letters/" + id + "/retry").statusCode())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(RECEIVED)
                    .filteredOn(c -> c instanceof AlertFired f && f.summary().equals(summary))
                    .hasSize(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> count("platform_event_publication") == 0);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> tocsin.metric("tocsin_event_publications_dead") == 0);
    assertThat(asAdmin("POST", "/api/v1/admin/event-dead-letters/" + id + "/retry").statusCode())
        .as("retried once")
        .isEqualTo(404);

    String hopeless = unique("Never handled");
    FAIL_ALWAYS.add(hopeless);
    assertThat(generic("{\"summary\":\"%s\"}".formatted(hopeless), null).statusCode())
        .isEqualTo(202);
    String hopelessId =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> deadLetter(hopeless), d -> d != null)
            .get("id")
            .asString();
    FAIL_ALWAYS.remove(hopeless);
    assertThat(asAdmin("DELETE", "/api/v1/admin/event-dead-letters/" + hopelessId).statusCode())
        .isEqualTo(200);
    assertThat(asAdmin("GET", "/api/v1/admin/event-dead-letters/" + hopelessId).statusCode())
        .isEqualTo(404);
    assertThat(count("platform_event_publication")).isZero();
    assertThat(RECEIVED).noneMatch(c -> c instanceof AlertFired f && f.summary().equals(hopeless));
    JsonNode audit =
        JSON.readTree(asAdmin("GET", "/api/v1/audit?kind=event_publication.discarded").body())
            .get("items");
    assertThat(audit)
        .anyMatch(
            entry ->
                entry.get("target").asString().equals("event publication " + hopelessId)
                    && entry.get("actorName").asString().equals(EMAIL));
  }

  /** The dead letter of the batch that carried the alert with this summary, if it is dead. */
  private static JsonNode deadLetter(String summary) {
    HttpResponse<String> listed = asAdmin("GET", "/api/v1/admin/event-dead-letters?limit=200");
    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    for (JsonNode item : JSON.readTree(listed.body()).get("items")) {
      if (item.get("lastError").asString().endsWith(summary)) {
        return item;
      }
    }
    return null;
  }

  private static HttpResponse<String> asAdmin(String method, String path) {
    return asAdmin(method, path, null);
  }

  private static HttpResponse<String> asAdmin(String method, String path, String json) {
    return tocsin.send(method, path, "Bearer " + admin, json);
  }

  /** Runs {@code work} on four threads at once, as four nodes would, and waits for them all. */
  private static void onFourNodesAtOnce(Supplier<Integer> work) throws Exception {
    ExecutorService nodes = Executors.newFixedThreadPool(4);
    try {
      List<CompletableFuture<Integer>> runs =
          IntStream.range(0, 4).mapToObj(i -> CompletableFuture.supplyAsync(work, nodes)).toList();
      for (CompletableFuture<Integer> run : runs) {
        run.get();
      }
    } finally {
      nodes.shutdown();
    }
  }

  @Test
  void brokenAndRandomPayloadsNeverGetA5xxAndNeverWriteHalfARequest() {
    java.util.Random random = new java.util.Random(20261124L);
    Map<String, String> endpoints =
        Map.of(
            "/api/v2/alerts",
            "[{\"labels\":{\"alertname\":\"Fuzz\",\"i\":\"1\"},\"annotations\":{},"
                + "\"startsAt\":\"2026-11-24T00:00:00Z\"},{\"labels\":{\"alertname\":\"Fuzz\"}}]",
            "/api/v1/webhooks/alertmanager",
            "{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":"
                + "\"FuzzHook\"},\"startsAt\":\"2026-11-24T00:00:00Z\"}]}",
            "/api/v1/alerts",
            "[{\"summary\":\"Fuzz generic\",\"labels\":{\"a\":\"b\"}},{\"summary\":\"Fuzz 2\"}]",
            "/v2/enqueue",
            "{\"routing_key\":\"PDKEY\",\"event_action\":\"trigger\",\"payload\":{\"summary\":"
                + "\"Fuzz pd\",\"source\":\"s\",\"severity\":\"info\"}}",
            "/v2/change/enqueue",
            "{\"routing_key\":\"PDKEY\",\"payload\":{\"summary\":\"Fuzz change\"}}");
    Map<String, String> keys =
        Map.of(
            "/api/v2/alerts", alertmanagerKey,
            "/api/v1/webhooks/alertmanager", alertmanagerKey,
            "/api/v1/alerts", genericKey,
            "/v2/enqueue", pagerDutyKey,
            "/v2/change/enqueue", pagerDutyKey);
    for (Map.Entry<String, String> endpoint : endpoints.entrySet()) {
      String valid = endpoint.getValue().replace("PDKEY", pagerDutyKey);
      for (int i = 0; i < 60; i++) {
        String payload = i % 5 == 0 ? randomJsonish(random) : mutate(valid, random);
        int alertsBefore = sentAlerts();
        int changesBefore = count("ingest_change_event");
        HttpResponse<String> answer =
            tocsin.postJson(endpoint.getKey(), "Bearer " + keys.get(endpoint.getKey()), payload);
        assertThat(answer.statusCode())
            .as("%s %s -> %s", endpoint.getKey(), payload, answer.body())
            .isLessThan(500);
        if (answer.statusCode() >= 400) {
          assertThat(sentAlerts() + count("ingest_change_event"))
              .as("a refused request wrote nothing: %s %s", endpoint.getKey(), payload)
              .isEqualTo(alertsBefore + changesBefore);
        }
      }
    }
  }

  private static String mutate(String valid, java.util.Random random) {
    StringBuilder text = new StringBuilder(valid);
    String noise = "{}[]\":,\\0-9eE.tfn \u00e9\u0000";
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(text.length());
      switch (random.nextInt(4)) {
        case 0 -> text.deleteCharAt(at);
        case 1 -> text.insert(at, noise.charAt(random.nextInt(noise.length())));
        case 2 -> text.setCharAt(at, noise.charAt(random.nextInt(noise.length())));
        default -> {
          int end = Math.min(text.length(), at + random.nextInt(12));
          text.delete(at, end);
        }
      }
    }
    return text.toString();
  }

  private static String randomJsonish(java.util.Random random) {
    String[] parts = {
      "{",
      "}",
      "[",
      "]",
      "\"labels\"",
      "\"summary\"",
      ":",
      ",",
      "null",
      "1e999",
      "-1",
      "\"\"",
      "\"x\"",
      "true",
      "{\"a\":{}}",
      "\"endsAt\"",
      "\"2026-13-40T99:00:00Z\"",
      "\"status\""
    };
    StringBuilder text = new StringBuilder();
    for (int i = 0, n = random.nextInt(30); i < n; i++) {
      text.append(parts[random.nextInt(parts.length)]);
    }
    return text.toString();
  }

  private static HttpResponse<String> pagerDuty(String path, String body) {
    return tocsin.postJson(path, null, body);
  }

  private static HttpResponse<String> generic(String body, String idempotencyKey) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(tocsin.uri("/api/v1/alerts"))
            .header("Authorization", "Bearer " + genericKey)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return tocsin.send(request.build());
  }

  private static String unique(String text) {
    return text
        + " "
        + SEQUENCE.incrementAndGet()
        + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  private void configureHeartbeat(String integrationId, String interval, String grace) {
    HttpResponse<String> configured =
        asAdmin(
            "PUT",
            "/api/v1/integrations/" + integrationId + "/heartbeat",
            "{\"interval\":\"" + interval + "\",\"grace\":\"" + grace + "\"}");
    assertThat(configured.statusCode()).as(configured.body()).isEqualTo(200);
  }

  private Instant lastBeatAt(String integrationId) {
    HttpResponse<String> status =
        asAdmin("GET", "/api/v1/integrations/" + integrationId + "/heartbeat");
    assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
    return Instant.parse(JSON.readTree(status.body()).get("lastBeatAt").asString());
  }

  /** An alert as Prometheus sends it: labels, annotations, and an endsAt a few evaluations out. */
  private static String prometheusAlert(String name, Instant endsAt) {
    return """
        {"labels":{"alertname":"%s","severity":"none"},"annotations":{"summary":"%s"},
         "startsAt":"%s","endsAt":"%s","generatorURL":"http://prometheus:9090/graph"}
        """
        .formatted(name, name, Instant.now().minusSeconds(60), endsAt);
  }

  private HttpResponse<String> alertmanagerApi(String key, String body) {
    return tocsin.postJson("/api/v2/alerts", "Bearer " + key, body);
  }

  /** Every alert stored for an integration, newest first, as "alertname status". */
  private List<String> alertsOf(UUID integrationId) {
    return db().sql(
            "SELECT labels, status FROM ingest_alert WHERE integration_id = :id ORDER BY id DESC")
        .param("id", integrationId)
        .query(
            (rs, n) ->
                JSON.readTree(rs.getString("labels")).get("alertname").asString()
                    + " "
                    + rs.getString("status"))
        .list();
  }

  private List<Map<String, Object>> heartbeatAlerts() {
    return db().sql(
            "SELECT status FROM ingest_alert WHERE integration_id = :id AND source = 'heartbeat'"
                + " ORDER BY id DESC")
        .param("id", UUID.fromString(heartbeat.get("id")))
        .query((rs, n) -> Map.<String, Object>of("status", rs.getString(1)))
        .list();
  }

  private Map<String, Object> alertRow(String summary) {
    return db().sql(
            "SELECT CAST(id AS VARCHAR(36)) AS id, status, severity, dedup_key, source, links,"
                + " details, acknowledged_at FROM ingest_alert WHERE summary = :summary"
                + " ORDER BY id DESC")
        .param("summary", summary)
        .query(
            (rs, n) -> {
              Map<String, Object> row = new java.util.HashMap<>();
              for (String column :
                  List.of("id", "status", "severity", "dedup_key", "source", "links", "details")) {
                row.put(column, rs.getString(column));
              }
              row.put("acknowledged_at", rs.getObject("acknowledged_at"));
              return row;
            })
        .list()
        .get(0);
  }

  private List<Map<String, Object>> alertRows(String summary) {
    return db().sql(
            "SELECT status, times_seen, severity FROM ingest_alert WHERE summary = :s ORDER BY id")
        .param("s", summary)
        .query(
            (rs, n) ->
                Map.<String, Object>of(
                    "status",
                    rs.getString(1),
                    "times_seen",
                    rs.getInt(2),
                    "severity",
                    rs.getString(3)))
        .list();
  }

  /** Alerts from senders; heartbeats fire on their own schedule while other tests run. */
  private int sentAlerts() {
    return db().sql(
            "SELECT COUNT(*) FROM ingest_alert WHERE source IS NULL OR source <> 'heartbeat'")
        .query(Integer.class)
        .single();
  }

  private int count(String table) {
    return db().sql("SELECT COUNT(*) FROM " + table).query(Integer.class).single();
  }
}
