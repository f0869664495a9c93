package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/** Prometheus's request to its Alertmanager, against Tocsin, on both databases. */
class AlertmanagerApiIntegrationTests extends BothDatabasesTests {

  private static final String EMAIL = "admin@example.com";
  private static final String PASSWORD = "correct horse battery staple";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private static TocsinHarness tocsin;
  private static String key;
  private static String pagerDutyKey;

  @BeforeEach
  void startOncePerDatabase() throws IOException {
    if (tocsin != null) {
      return;
    }
    tocsin =
        TocsinHarness.start(
            schema().url(),
            schema().user(),
            schema().password(),
            Files.createTempDirectory("tocsin-ingest"),
            Map.of("tocsin.admin.email", EMAIL, "tocsin.admin.password", PASSWORD));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> tocsin.get("/actuator/health/readiness").statusCode() == 200);
    String admin =
        await().atMost(Duration.ofSeconds(30)).until(() -> adminToken(), token -> token != null);
    String service = field(post(admin, "/api/v1/services", "{\"name\":\"db\"}"), "id");
    key =
        field(
            post(
                admin,
                "/api/v1/services/" + service + "/integrations",
                "{\"name\":\"prometheus\",\"kind\":\"alertmanager\"}"),
            "key");
    pagerDutyKey =
        field(
            post(
                admin,
                "/api/v1/services/" + service + "/integrations",
                "{\"name\":\"pd\",\"kind\":\"pagerduty\"}"),
            "key");
  }

  @AfterParameterizedClassInvocation
  static void stop() {
    if (tocsin != null) {
      tocsin.close();
      tocsin = null;
    }
  }

  @Test
  void aResentFiringAlertIsRefreshedAndCountedNotDuplicated() {
    String name = "Repeated" + SEQUENCE.incrementAndGet();
    String alert = alert(name, Instant.now().plusSeconds(300));

    assertThat(send("Bearer " + key, "[" + alert + "]").statusCode()).isEqualTo(200);
    assertThat(send("Bearer " + key, "[" + alert + "]").statusCode()).isEqualTo(200);

    assertThat(rows(name)).containsExactly(Map.of("status", "firing", "times_seen", 2));
  }

  @Test
  void aResolvedAlertClosesItsOccurrenceAndALaterFiringOpensANewOne() {
    String name = "Flapping" + SEQUENCE.incrementAndGet();
    send("Bearer " + key, "[" + alert(name, Instant.now().plusSeconds(300)) + "]");
    send("Bearer " + key, "[" + alert(name, Instant.now().minusSeconds(1)) + "]");
    send("Bearer " + key, "[" + alert(name, Instant.now().plusSeconds(300)) + "]");

    assertThat(rows(name))
        .containsExactly(
            Map.of("status", "resolved", "times_seen", 1),
            Map.of("status", "firing", "times_seen", 1));
  }

  @Test
  void sixteenSendersFiringTheSameAlertAtOnceMakeOneAlert() throws Exception {
    String name = "Storm" + SEQUENCE.incrementAndGet();
    String body = "[" + alert(name, Instant.now().plusSeconds(300)) + "]";
    ExecutorService senders = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<Integer>> answers =
          java.util.stream.IntStream.range(0, 16)
              .mapToObj(
                  i ->
                      CompletableFuture.supplyAsync(
                          () -> send("Bearer " + key, body).statusCode(), senders))
              .toList();
      assertThat(answers.stream().map(CompletableFuture::join)).containsOnly(200);
    } finally {
      senders.shutdown();
    }

    assertThat(rows(name)).containsExactly(Map.of("status", "firing", "times_seen", 16));
  }

  @Test
  void theKeyMayComeAsTheBasicAuthPassword() {
    String name = "Basic" + SEQUENCE.incrementAndGet();
    String basic =
        Base64.getEncoder().encodeToString(("prometheus:" + key).getBytes(StandardCharsets.UTF_8));

    assertThat(send("Basic " + basic, "[" + alert(name, null) + "]").statusCode()).isEqualTo(200);
    assertThat(rows(name)).hasSize(1);
  }

  @Test
  void unknownKeysAndKeysOfAnotherKindAreRefusedBeforeTheBodyIsRead() {
    assertThat(send("Bearer tik_unknown", "not even json").statusCode()).isEqualTo(401);
    assertThat(send(null, "[]").statusCode()).isEqualTo(401);
    HttpResponse<String> otherKind = send("Bearer " + pagerDutyKey, "[" + alert("X", null) + "]");
    assertThat(otherKind.statusCode()).isEqualTo(403);
    assertThat(otherKind.body()).contains("urn:tocsin:problem:integration-kind-mismatch");
  }

  @Test
  void badInputIsA4xxNamingTheProblemAndWritesNothing() {
    String name = "Bad" + SEQUENCE.incrementAndGet();
    String good = alert(name, null);
    String badLabel = "{\"labels\":{\"alertname\":\"" + name + "\",\"bad-name\":\"x\"}}";

    HttpResponse<String> malformed = send("Bearer " + key, "[" + good + ",");
    HttpResponse<String> invalid = send("Bearer " + key, "[" + good + "," + badLabel + "]");
    HttpResponse<String> unknownFields =
        send(
            "Bearer " + key,
            "[{\"labels\":{\"alertname\":\"" + name + "-extra\"},\"newField\":1}]");

    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(invalid.statusCode()).isEqualTo(422);
    assertThat(invalid.body())
        .contains("alerts[1].labels")
        .contains("'bad-name' is not a valid label name");
    assertThat(rows(name)).as("nothing of a refused batch is stored").isEmpty();
    assertThat(unknownFields.statusCode()).as("senders add fields over versions").isEqualTo(200);
  }

  @Test
  void aWebhookGroupIsTrackedAlertByAlertAndEachResolvesOnItsOwn() throws IOException {
    String summary = "Webhook" + SEQUENCE.incrementAndGet();
    String firing =
        new String(
                getClass().getResourceAsStream("alertmanager-webhook-firing.json").readAllBytes(),
                StandardCharsets.UTF_8)
            .replace("WEBHOOK_SUMMARY", summary + " is down");
    String resolvedFirst =
        firing
            .replaceFirst(
                "\"status\": \"firing\",\n      \"labels\"",
                "\"status\": \"resolved\",\n      \"labels\"")
            .replaceFirst(
                "\"endsAt\": \"0001-01-01T00:00:00Z\"", "\"endsAt\": \"" + Instant.now() + "\"");

    assertThat(webhook(firing).statusCode()).isEqualTo(200);
    assertThat(rows(summary)).hasSize(2).allMatch(row -> row.get("status").equals("firing"));
    assertThat(webhook(resolvedFirst).statusCode()).isEqualTo(200);

    // The second notification re-sends the alert that still fires: counted, not duplicated.
    assertThat(rows(summary))
        .containsExactly(
            Map.of("status", "resolved", "times_seen", 1),
            Map.of("status", "firing", "times_seen", 2));
  }

  @Test
  void ingestionIsMeasuredWithBoundedLabels() {
    send("Bearer " + key, "[" + alert("Measured" + SEQUENCE.incrementAndGet(), null) + "]");

    String metrics = tocsin.get("/actuator/prometheus").body();

    assertThat(metrics)
        .contains("tocsin_alerts_received_total{severity=\"critical\",source=\"alertmanager_v2\"}")
        .contains("tocsin_alerts_deduplicated_total{source=\"alertmanager_v2\"}")
        .contains("tocsin_alert_ingest_seconds_bucket{source=\"alertmanager_v2\"");
  }

  private static HttpResponse<String> webhook(String body) {
    return tocsin.send(
        HttpRequest.newBuilder(tocsin.uri("/api/v1/webhooks/alertmanager"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + key)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private static String alert(String name, Instant endsAt) {
    return "{\"labels\":{\"alertname\":\""
        + name
        + "\",\"severity\":\"page\",\"instance\":\"db-1\"},"
        + "\"annotations\":{\"summary\":\""
        + name
        + " is down\"},"
        + "\"startsAt\":\""
        + Instant.now().minusSeconds(60)
        + "\","
        + (endsAt == null ? "" : "\"endsAt\":\"" + endsAt + "\",")
        + "\"generatorURL\":\"http://prometheus:9090/graph\"}";
  }

  private List<Map<String, Object>> rows(String alertname) {
    return JdbcClient.create(schema().dataSource())
        .sql("SELECT status, times_seen FROM ingest_alert WHERE summary = :summary ORDER BY id")
        .param("summary", alertname + " is down")
        .query(
            (rs, n) ->
                Map.<String, Object>of("status", rs.getString(1), "times_seen", rs.getInt(2)))
        .list();
  }

  private static HttpResponse<String> send(String authorization, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(tocsin.uri("/api/v2/alerts"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return tocsin.send(request.build());
  }

  private static String adminToken() {
    HttpResponse<String> created =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri("/api/v1/tokens"))
                .header(
                    "Authorization",
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString(
                                (EMAIL + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"t\"}"))
                .build());
    return created.statusCode() == 201 ? field(created, "token") : null;
  }

  private static HttpResponse<String> post(String token, String path, String json) {
    HttpResponse<String> response =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri(path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return response;
  }

  private static String field(HttpResponse<String> response, String name) {
    return JSON.readTree(response.body()).get(name).asString();
  }
}
