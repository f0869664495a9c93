package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Prometheus's request to its Alertmanager, against Tocsin, on both databases. */
// PostgreSQL only: the classes still on H2 send each of its statements there (.ci/sql-coverage).
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class AlertmanagerApiIntegrationTests extends HarnessTests {

  private static final String EMAIL = TocsinHarness.ADMIN_EMAIL;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private static String key;
  private static String pagerDutyKey;
  private static String otherKey;
  private static String admin;
  private static String viewer;

  @Override
  protected void seed() {
    admin = adminToken;
    String service = tocsin.createService(admin, "db");
    key = tocsin.createIntegration(admin, service, "prometheus", "alertmanager").get("key");
    pagerDutyKey = tocsin.createIntegration(admin, service, "pd", "pagerduty").get("key");
    String other = tocsin.createService(admin, "web \"frontend\"");
    otherKey = tocsin.createIntegration(admin, other, "prometheus", "alertmanager").get("key");
    tocsin.postJson(
        "/api/v1/users",
        "Bearer " + admin,
        "{\"name\":\"Vera\",\"email\":\"vera@example.com\",\"role\":\"viewer\","
            + "\"timeZone\":\"UTC\",\"password\":\"viewer correct horse battery\"}");
    viewer = tocsin.adminToken("vera@example.com", "viewer correct horse battery");
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
    assertAlertmanagerError(otherKind, 403, "this endpoint takes alertmanager or heartbeat keys");
    // Refused before any handler, they still count under the endpoint, where an alert rule on
    // refused ingestion looks for them.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(tocsin.get("/actuator/prometheus").body().lines())
                    .anyMatch(
                        line ->
                            line.startsWith("http_server_requests_seconds_count{")
                                && line.contains("status=\"401\"")
                                && line.contains("uri=\"/api/v2/alerts\""))
                    .anyMatch(
                        line ->
                            line.startsWith("http_server_requests_seconds_count{")
                                && line.contains("status=\"403\"")
                                && line.contains("uri=\"/api/v2/alerts\"")));
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

    assertAlertmanagerError(malformed, 400, "The request body is not valid JSON");
    assertAlertmanagerError(invalid, 400, "alerts[1].labels 'bad-name' is not a valid label name");
    assertThat(rows(name)).as("nothing of a refused batch is stored").isEmpty();
    assertThat(unknownFields.statusCode()).as("senders add fields over versions").isEqualTo(200);
  }

  @Test
  void timesAfterTheYear9999AreRefusedNamingTheFieldAndGosZeroTimeStillMeansUnset() {
    String name = "Bounds" + SEQUENCE.incrementAndGet();
    assertAlertmanagerError(
        send("Bearer " + key, "[" + alert(name, Instant.parse("+10000-01-01T00:00:00Z")) + "]"),
        400,
        "[0].endsAt must be an ISO 8601 time");
    assertAlertmanagerError(
        send(
            "Bearer " + key,
            "["
                + alert(name, null)
                    .replaceFirst(
                        "\"startsAt\":\"[^\"]*\"", "\"startsAt\":\"+999999999-12-31T23:59:59Z\"")
                + "]"),
        400,
        "[0].startsAt");
    HttpResponse<String> forwarded =
        webhook(
            """
            {"version":"4","status":"resolved","alerts":[{"status":"resolved",
             "labels":{"alertname":"%s"},"startsAt":"2026-01-01T00:00:00Z",
             "endsAt":"+10000-01-01T00:00:00Z"}]}
            """
                .formatted(name));
    assertThat(forwarded.statusCode()).as(forwarded.body()).isEqualTo(422);
    assertThat(forwarded.body()).contains("\"field\":\"alerts[0].endsAt\"");
    HttpResponse<String> nullAlert = webhook("{\"version\":\"4\",\"alerts\":[null]}");
    assertThat(nullAlert.statusCode()).as(nullAlert.body()).isEqualTo(422);
    assertThat(nullAlert.body()).contains("\"field\":\"alerts[0]\"");
    assertThat(rows(name)).isEmpty();

    HttpResponse<String> zero =
        send(
            "Bearer " + key,
            "["
                + alert(name, null)
                    .replaceFirst(
                        "\"startsAt\":\"[^\"]*\"", "\"startsAt\":\"0001-01-01T00:00:00Z\"")
                    .replace("{\"labels\"", "{\"endsAt\":\"0001-01-01T00:00:00Z\",\"labels\"")
                + "]");
    assertThat(zero.statusCode()).as(zero.body()).isEqualTo(200);
    assertThat(rows(name)).extracting(row -> row.get("status")).containsExactly("firing");
  }

  @Test
  void silencesOutsideTheYears1970To9999AreRefusedNamingTheFieldInEitherApi() {
    String forever =
        silenceBody("alertname", false, "Forever")
            .replaceFirst("\"endsAt\":\"[^\"]*\"", "\"endsAt\":\"+999999999-12-31T23:59:59Z\"");
    assertAlertmanagerError(silence("Bearer " + admin, forever), 400, "endsAt");
    String ancient =
        silenceBody("alertname", false, "Ancient")
            .replaceFirst("\"startsAt\":\"[^\"]*\"", "\"startsAt\":\"1969-12-31T23:59:59Z\"");
    assertAlertmanagerError(silence("Bearer " + admin, ancient), 400, "startsAt");

    HttpResponse<String> tocsinApi =
        tocsinSilence(
            """
            {"matchers":[{"name":"alertname","operator":"=","value":"Forever"}],
             "startsAt":"-999999999-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","comment":"c"}
            """);
    assertThat(tocsinApi.statusCode()).as(tocsinApi.body()).isEqualTo(422);
    assertThat(JSON.readTree(tocsinApi.body()).get("errors").get(0).get("field").asString())
        .isEqualTo("startsAt");
    HttpResponse<String> window =
        call(
            "POST",
            "/api/v1/maintenance-windows",
            "Bearer " + admin,
            """
            {"services":["%s"],"endsAt":"+10000-01-01T00:00:00Z","comment":"c"}
            """
                .formatted(UUID.randomUUID()));
    assertThat(window.statusCode()).as(window.body()).isEqualTo(422);
    assertThat(window.body()).contains("\"field\":\"endsAt\"");
    assertThat(read("Bearer " + admin, "/api/v2/silences").body())
        .doesNotContain("Forever")
        .doesNotContain("Ancient");
  }

  @Test
  void nullsAndNulCharactersInRulesAndSilencesAreRefusedNamingTheFieldNotA500() {
    HttpResponse<String> rule =
        call(
            "POST",
            "/api/v1/inhibition-rules",
            "Bearer " + admin,
            """
            {"name":"null source","sourceMatchers":[null],
             "targetMatchers":[{"name":"severity","operator":"=","value":"warning"}]}
            """);
    assertThat(rule.statusCode()).as(rule.body()).isEqualTo(422);
    assertThat(rule.body()).contains("\"field\":\"sourceMatchers[0]\"");
    HttpResponse<String> equal =
        call(
            "POST",
            "/api/v1/inhibition-rules",
            "Bearer " + admin,
            """
            {"name":"null equal","sourceMatchers":[{"name":"alertname","operator":"=","value":"A"}],
             "targetMatchers":[{"name":"severity","operator":"=","value":"warning"}],"equal":[null]}
            """);
    assertThat(equal.statusCode()).as(equal.body()).isEqualTo(422);
    assertThat(equal.body()).contains("\"field\":\"equal[0]\"");
    assertAlertmanagerError(
        silence("Bearer " + admin, "{\"matchers\":[null],\"endsAt\":\"2099-01-01T00:00:00Z\"}"),
        400,
        "matchers[0] must be a matcher");
    // PostgreSQL cannot store NUL: it failed the insert (or the audit record) with a 500.
    assertAlertmanagerError(
        silence("Bearer " + admin, silenceBody("alertname", false, "a\\u0000b")),
        400,
        "matchers[0].value must not contain the NUL character");
    HttpResponse<String> comment =
        tocsinSilence(
            """
            {"matchers":[{"name":"alertname","operator":"=","value":"Nul"}],
             "endsAt":"2099-01-01T00:00:00Z","comment":"a\\u0000b"}
            """);
    assertThat(comment.statusCode()).as(comment.body()).isEqualTo(422);
    assertThat(comment.body()).contains("\"field\":\"comment\"");
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
        .contains("tocsin_alert_ingest_seconds_bucket{source=\"alertmanager_v2\"")
        .contains("tocsin_ingest_queue 0.0");
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

  /**
   * The lean path of this request answers only what it stores, and stores exactly what the endpoint
   * would: each body goes once with its length (the lean path takes it) and once chunked (it goes
   * to the endpoint), and both answers and stored alerts must be the same.
   */
  @Test
  void theLeanPathStoresWhatTheEndpointStoresAndLeavesTheRestToIt() {
    String future = Instant.now().plusSeconds(600).toString();
    List<String> bodies =
        List.of(
            "[{\"labels\":{\"alertname\":\"NAME\",\"severity\":\"page\"},"
                + "\"annotations\":{\"summary\":\"x\"},\"startsAt\":\"2026-12-07T04:00:00.123456789+01:00\","
                + "\"endsAt\":\""
                + future
                + "\",\"generatorURL\":\"http://prometheus:9090/graph\"}]",
            "[{\"labels\":{\"alertname\":\"NAME\"},\"startsAt\":\"0001-01-01T00:00:00Z\","
                + "\"endsAt\":\"0001-01-01T00:00:00Z\",\"receivers\":[{\"name\":\"x\"}],"
                + "\"status\":{\"state\":\"active\"},\"fingerprint\":\"abc\"}]",
            "[{\"labels\":{\"alertname\":\"NAME\",\"code\":500}}]",
            "[{\"labels\":{\"alertname\":\"NAME\",\"zone\":null}}]",
            "[{\"labels\":{\"alertname\":\"NAME\",\"zone\":\"a\",\"zone\":\"b\"}}]",
            "[{\"labels\":{\"alertname\":\"NAME\"},\"endsAt\":\"2020-01-01T00:00:00Z\"}]",
            "[{\"labels\":{\"alertname\":\"NAME\"},\"startsAt\":5}]",
            "[{\"labels\":{\"alertname\":\"NAME\"},\"startsAt\":\"10000-01-01T00:00:00Z\"}]",
            "[{\"labels\":{\"alertname\":\"NAME\"},\"startsAt\":\"yesterday\"}]",
            "[{\"labels\":{\"alertname\":\"NAME\"}}] trailing",
            "[{\"labels\":{\"alertname\":\"NAME\"}},null]",
            "[{\"labels\":null,\"annotations\":{\"summary\":\"NAME\"}}]",
            "{\"labels\":{\"alertname\":\"NAME\"}}",
            "[]");
    for (String body : bodies) {
      String name = "Lane" + SEQUENCE.incrementAndGet();
      HttpResponse<String> lean = send("Bearer " + key, body.replace("NAME", name + "a"));
      HttpResponse<String> endpoint = sendChunked(body.replace("NAME", name + "b"));

      assertThat(lean.statusCode()).as(body).isEqualTo(endpoint.statusCode());
      assertThat(lean.body().replace(name + "a", name))
          .as(body)
          .isEqualTo(endpoint.body().replace(name + "b", name));
      assertThat(stored(name + "a")).as(body).isEqualTo(stored(name + "b"));
    }
    assertThat(stored("Lane")).as("the bodies that the endpoint takes were stored").isNotEmpty();
  }

  /** A time the body gave, or "now" for one taken from the clock of either request. */
  private static String time(java.time.OffsetDateTime time) {
    if (time == null) {
      return "none";
    }
    Duration away = Duration.between(Instant.now(), time.toInstant()).abs();
    return away.compareTo(Duration.ofMinutes(59)) < 0 ? "about now" : time.toInstant().toString();
  }

  private static HttpResponse<String> sendChunked(String body) {
    return tocsin.send(
        HttpRequest.newBuilder(tocsin.uri("/api/v2/alerts"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + key)
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
            .build());
  }

  /** What is stored of the alerts whose labels hold this text, with it taken out. */
  private List<String> stored(String text) {
    return JdbcClient.create(schema().dataSource())
        .sql(
            "SELECT labels, annotations, summary, severity, status, starts_at, ends_at,"
                + " generator_url FROM ingest_alert WHERE labels LIKE :text ORDER BY id")
        .param("text", "%" + text + "%")
        .query(
            (rs, n) ->
                String.join(
                        " | ",
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        time(rs.getObject(6, java.time.OffsetDateTime.class)),
                        time(rs.getObject(7, java.time.OffsetDateTime.class)),
                        rs.getString(8))
                    .replace(text, "NAME"))
        .list();
  }

  @Test
  void amtoolReadsTheFiringAlertsOfItsKeysServiceFilteredByMatchers() {
    String name = "Readable" + SEQUENCE.incrementAndGet();
    send(
        "Bearer " + key,
        "["
            + alert(name, Instant.now().plusSeconds(300))
            + ","
            + alert(name + "Expired", Instant.now().plusSeconds(300)).replace("db-1", "db-2")
            + "]");
    send(
        "Bearer " + key,
        "[" + alert(name + "Expired", Instant.now().minusSeconds(1)).replace("db-1", "db-2") + "]");
    send("Bearer " + otherKey, "[" + alert(name, Instant.now().plusSeconds(300)) + "]");

    JsonNode mine =
        JSON.readTree(
            read("Bearer " + key, "/api/v2/alerts?filter=alertname%3D%22" + name + "%22").body());
    assertThat(mine).hasSize(1);
    JsonNode alert = mine.get(0);
    assertThat(alert.get("labels").get("instance").asString()).isEqualTo("db-1");
    assertThat(alert.get("fingerprint").asString()).matches("[0-9a-f]{16}");
    assertThat(alert.get("receivers").get(0).get("name").asString()).isEqualTo("db");
    assertThat(alert.get("status").get("state").asString()).isEqualTo("active");
    for (String field : List.of("annotations", "startsAt", "endsAt", "updatedAt", "generatorURL")) {
      assertThat(alert.has(field)).as(field).isTrue();
    }

    String everyone = "Bearer " + admin;
    assertThat(names(everyone, "alertname%3D%22" + name + "%22")).hasSize(2);
    assertThat(names(everyone, "alertname%3D~%22" + name + ".*%22")).containsExactly(name, name);
    assertThat(names("Bearer " + key, "alertname%3D~%22" + name + ".*%22")).containsExactly(name);
    assertThat(
            names("Bearer " + key, "alertname%3D~%22" + name + "%22&filter=instance!%3D%22db-1%22"))
        .isEmpty();
    assertThat(names("Bearer " + key, "alertname!~%22" + name + ".*%22")).doesNotContain(name);
    assertThat(read("Bearer " + key, "/api/v2/alerts?active=false").body()).isEqualTo("[]");
    HttpResponse<String> bad = read("Bearer " + key, "/api/v2/alerts?filter=alertname%3D~%22(%22");
    assertAlertmanagerError(bad, 400, "filter 'alertname=~\"(\"' is not a label matcher");
    assertThat(read(null, "/api/v2/alerts").statusCode()).isEqualTo(401);
    assertThat(read("Bearer tik_unknown", "/api/v2/alerts").statusCode()).isEqualTo(401);
    assertThat(read("Bearer " + pagerDutyKey, "/api/v2/alerts").statusCode()).isEqualTo(403);

    JsonNode groups = JSON.readTree(read(everyone, "/api/v2/alerts/groups").body());
    List<String> receivers = new java.util.ArrayList<>();
    groups.forEach(group -> receivers.add(group.get("receiver").get("name").asString()));
    assertThat(receivers).contains("db", "web \"frontend\"");
  }

  @Test
  void pollingTheAlertsLikeAmtoolNeverExhaustsTheConnectionPool() {
    send("Bearer " + key, "[" + alert("Polled", Instant.now().plusSeconds(300)) + "]");
    // Three times the pool's ten connections: a read that kept its connection would starve the
    // eleventh poll and every ingestion request after it.
    for (int poll = 0; poll < 30; poll++) {
      assertThat(read("Bearer " + key, "/api/v2/alerts").statusCode())
          .as("poll %d", poll)
          .isEqualTo(200);
      assertThat(read("Bearer " + key, "/api/v2/alerts/groups").statusCode()).isEqualTo(200);
    }
    assertThat(
            send("Bearer " + key, "[" + alert("Polled", Instant.now().plusSeconds(300)) + "]")
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  @SuppressWarnings("unchecked")
  void theStatusDescribesTheRoutingAsAValidAlertmanagerConfiguration() {
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("amtool:" + key).getBytes(StandardCharsets.UTF_8));
    JsonNode status = JSON.readTree(read(basic, "/api/v2/status").body());

    assertThat(status.get("cluster").get("status").asString()).isEqualTo("ready");
    for (String field :
        List.of("version", "revision", "branch", "buildUser", "buildDate", "goVersion")) {
      assertThat(status.get("versionInfo").has(field)).as(field).isTrue();
    }
    assertThat(Instant.parse(status.get("uptime").asString())).isBefore(Instant.now());
    Map<String, Object> config =
        new org.yaml.snakeyaml.Yaml().load(status.get("config").get("original").asString());
    Map<String, Object> route = (Map<String, Object>) config.get("route");
    assertThat(route.get("receiver")).isEqualTo("tocsin");
    assertThat((List<Map<String, Object>>) route.get("routes"))
        .extracting(r -> r.get("receiver"))
        .contains("db", "web \"frontend\"");
    assertThat((List<Map<String, Object>>) route.get("routes"))
        .extracting(r -> r.get("matchers"))
        .contains(List.of("tocsin_service=\"web \\\"frontend\\\"\""));
    assertThat((List<Map<String, Object>>) config.get("receivers"))
        .extracting(r -> r.get("name"))
        .contains("tocsin", "db", "web \"frontend\"");
    assertThat(read(basic, "/api/v2/receivers").body()).contains("\"db\"");
    assertThat(read(basic, "/api/v2/silences").body()).isEqualTo("[]");
  }

  @Test
  void everyErrorOnTheAlertmanagerApiIsTheReasonAsAJsonStringAsAlertmanagerAnswers() {
    String unknownSilence = "/api/v2/silence/6b6d1f7a-9a3a-4b8e-9b57-000000000000";

    // Refused by the key filter, by Spring Security before any controller, by a controller.
    assertAlertmanagerError(
        read("Bearer tik_unknown", "/api/v2/alerts"), 401, "Send a valid integration key");
    assertAlertmanagerError(
        silence(null, silenceBody("alertname", false, "Db")), 401, "send an API token");
    assertAlertmanagerError(call("DELETE", unknownSilence, null, null), 401, "send an API token");
    assertAlertmanagerError(read(null, "/api/v2/status"), 401, "Send an alertmanager integration");
    assertAlertmanagerError(
        read("Bearer " + pagerDutyKey, "/api/v2/alerts"), 403, "belongs to an integration of");
    assertAlertmanagerError(
        silence("Bearer " + viewer, silenceBody("alertname", false, "Db")),
        403,
        "Your role does not allow this.");
    assertAlertmanagerError(
        call("DELETE", unknownSilence, "Bearer " + admin, null), 404, "There is no silence");
    assertAlertmanagerError(read("Bearer " + admin, unknownSilence), 404, "There is no silence");
    assertAlertmanagerError(
        silence("Bearer " + admin, silenceBody("foo", true, ".*")),
        400,
        "silence invalid: at least one matcher must not match the empty string");
    assertAlertmanagerError(
        silence("Bearer " + admin, silenceBody("alert-name", false, "x")),
        400,
        "silence invalid: invalid label matcher 0: 'alert-name' is not a valid label name");
    assertAlertmanagerError(
        silence(
            "Bearer " + admin,
            silenceBody("alertname", false, "Db")
                .replaceFirst("\"endsAt\":\"[^\"]+\"", "\"endsAt\":\"2020-01-01T00:00:00Z\"")),
        400,
        "Failed to create silence: start time must be before end time");
    assertAlertmanagerError(send("Bearer " + key, "[{\"labels\":"), 400, "not valid JSON");
    assertAlertmanagerError(
        send("Bearer " + key, "[{\"labels\":{}}]"),
        400,
        "alerts[0].labels must have at least one label");
    assertAlertmanagerError(
        read("Bearer " + admin, "/api/v2/nothing-here"),
        404,
        "No endpoint GET /api/v2/nothing-here");

    // Tocsin's own API keeps its problem details.
    HttpResponse<String> own =
        read("Bearer " + admin, "/api/v1/silences/6b6d1f7a-9a3a-4b8e-9b57-000000000000");
    assertThat(own.statusCode()).isEqualTo(404);
    assertThat(own.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
  }

  @Test
  void alertmanagersProbesAnswerOkInPlainTextToAnyone() {
    for (String probe : List.of("/-/healthy", "/-/ready")) {
      HttpResponse<String> get = read(null, probe);
      assertThat(get.statusCode()).as(probe).isEqualTo(200);
      assertThat(get.body()).as(probe).isEqualTo("OK");
      assertThat(get.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
      HttpResponse<String> head =
          tocsin.send(
              HttpRequest.newBuilder(tocsin.uri(probe))
                  .method("HEAD", HttpRequest.BodyPublishers.noBody())
                  .build());
      assertThat(head.statusCode()).as("HEAD " + probe).isEqualTo(200);
    }
  }

  @Test
  void grafanaReadsTheStatusWithTheIntegrationKeyAsBearerTokenOrBasicPassword() {
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("grafana:" + key).getBytes(StandardCharsets.UTF_8));
    for (String authorization : List.of("Bearer " + key, basic)) {
      HttpResponse<String> status = read(authorization, "/api/v2/status");
      assertThat(status.statusCode()).as(authorization).isEqualTo(200);
      JsonNode body = JSON.readTree(status.body());
      assertThat(body.get("config").get("original").asString()).contains("tocsin_service");
      assertThat(body.get("versionInfo").get("version").asString()).isNotBlank();
      assertThat(body.get("cluster").get("status").asString()).isEqualTo("ready");
      assertThat(Instant.parse(body.get("uptime").asString())).isBefore(Instant.now());
      // Grafana asks here first, and takes a 200 for a Mimir or Cortex Alertmanager.
      assertThat(read(authorization, "/alertmanager/api/v2/status").statusCode()).isNotEqualTo(200);
    }
  }

  @Test
  void theOpenApiDescriptionListsEveryIngestionEndpointWithHowItAuthenticates() {
    HttpResponse<String> description = read(null, "/api/openapi");
    assertThat(description.statusCode()).isEqualTo(200);
    JsonNode api = JSON.readTree(description.body());
    Map<String, List<String>> endpoints =
        Map.of(
            "/api/v2/alerts", List.of("get", "post"),
            "/api/v2/silences", List.of("get", "post"),
            "/api/v2/silence/{id}", List.of("get", "delete"),
            "/v2/enqueue", List.of("post"),
            "/v2/change/enqueue", List.of("post"),
            "/api/v1/webhooks/alertmanager", List.of("post"),
            "/api/v1/alerts", List.of("post"),
            "/api/v1/heartbeats/{key}", List.of("get", "post"));
    endpoints.forEach(
        (path, methods) -> {
          assertThat(api.get("paths").has(path)).as(path).isTrue();
          for (String method : methods) {
            assertThat(api.get("paths").get(path).has(method)).as(method + " " + path).isTrue();
          }
        });
    assertThat(api.get("paths").get("/api/v2/alerts").get("post").get("security").toString())
        .contains("integrationKey", "integrationKeyBasic")
        .doesNotContain("apiToken");
    assertThat(api.get("paths").get("/api/v2/silences").get("post").get("security").toString())
        .contains("apiToken")
        .doesNotContain("integrationKey");
    assertThat(api.get("paths").get("/v2/enqueue").get("post").get("security")).isEmpty();
    assertThat(api.get("components").get("securitySchemes").has("integrationKeyBasic")).isTrue();
  }

  @Test
  void alertsCarryTheirServiceAsTocsinServiceWhichFiltersMatchAsRoutesDo() {
    String name = "Routed" + SEQUENCE.incrementAndGet();
    // A sender's tocsin_service is not Tocsin's: the alert still shows and matches its own.
    send(
        "Bearer " + key,
        "["
            + alert(name, Instant.now().plusSeconds(300))
                .replace("\"instance\":", "\"tocsin_service\":\"spoofed\",\"instance\":")
            + "]");
    send("Bearer " + otherKey, "[" + alert(name, Instant.now().plusSeconds(300)) + "]");

    JsonNode db =
        JSON.readTree(
            read(
                    "Bearer " + admin,
                    "/api/v2/alerts?filter=alertname%3D%22"
                        + name
                        + "%22&filter=tocsin_service%3D%22db%22")
                .body());
    assertThat(db).hasSize(1);
    assertThat(db.get(0).get("labels").get("tocsin_service").asString()).isEqualTo("db");
    assertThat(db.get(0).get("receivers").get(0).get("name").asString()).isEqualTo("db");
    assertThat(
            read(
                    "Bearer " + key,
                    "/api/v2/alerts?filter=alertname%3D%22"
                        + name
                        + "%22&filter=tocsin_service%3D%22spoofed%22")
                .body())
        .isEqualTo("[]");
    JsonNode frontend =
        JSON.readTree(
            read(
                    "Bearer " + admin,
                    "/api/v2/alerts?filter=alertname%3D%22"
                        + name
                        + "%22&filter=tocsin_service%3D~%22web.*%22")
                .body());
    assertThat(frontend).hasSize(1);
    assertThat(frontend.get(0).get("labels").get("tocsin_service").asString())
        .isEqualTo("web \"frontend\"");
  }

  /**
   * An error as Alertmanager answers it, and as amtool prints it: the status, {@code
   * application/json}, and the reason as one JSON string.
   */
  private static void assertAlertmanagerError(
      HttpResponse<String> response, int status, String reason) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .as(response.body())
        .isEqualTo("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.isString()).as(response.body()).isTrue();
    assertThat(body.asString()).contains(reason);
  }

  /** A silence as amtool posts it, with one matcher, for the next hour. */
  private static String silenceBody(String label, boolean regex, String value) {
    return """
        {"matchers":[{"name":"%s","value":"%s","isRegex":%s,"isEqual":true}],
         "startsAt":"%s","endsAt":"%s","createdBy":"ops@example.com","comment":"deploying"}
        """
        .formatted(label, value, regex, Instant.now(), Instant.now().plusSeconds(3600));
  }

  private static HttpResponse<String> silence(String authorization, String body) {
    return call("POST", "/api/v2/silences", authorization, body);
  }

  /** A silence posted to Tocsin's own API rather than Alertmanager's, as the admin. */
  private static HttpResponse<String> tocsinSilence(String body) {
    return call("POST", "/api/v1/silences", "Bearer " + admin, body);
  }

  private static HttpResponse<String> call(
      String method, String path, String authorization, String body) {
    return tocsin.send(method, path, authorization, body);
  }

  private static List<String> names(String authorization, String filter) {
    HttpResponse<String> response = read(authorization, "/api/v2/alerts?filter=" + filter);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<String> names = new java.util.ArrayList<>();
    JSON.readTree(response.body())
        .forEach(a -> names.add(a.get("labels").get("alertname").asString()));
    return names;
  }

  private static HttpResponse<String> read(String authorization, String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(tocsin.uri(path)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return tocsin.send(request.build());
  }
}
