package io.tocsin.correlate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.Api;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class MutingIntegrationTests extends HarnessTests {

  private static final String EMAIL = TocsinHarness.ADMIN_EMAIL;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private static String admin;
  private static String key;

  @Override
  protected void seed() {
    admin = "Bearer " + adminToken;
    key = service("db").key();
  }

  @Test
  void amtoolAddsQueriesUpdatesAndExpiresASilence() {
    String name = "Silenced" + SEQUENCE.incrementAndGet();
    Instant now = Instant.now();
    HttpResponse<String> added =
        send(
            "POST",
            "/api/v2/silences",
            admin,
            amtoolSilence(null, name, now, now.plus(Duration.ofHours(1))));
    assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
    String id = JSON.readTree(added.body()).get("silenceID").asString();

    JsonNode listed = silence(id, key);
    assertThat(listed.get("status").get("state").asString()).isEqualTo("active");
    assertThat(listed.get("createdBy").asString())
        .as("an integration key reads no one's email")
        .isEqualTo("ops");
    assertThat(silence(id, admin).get("createdBy").asString()).isEqualTo("ops@example.com");
    JsonNode matcher = listed.get("matchers").get(0);
    assertThat(matcher.get("name").asString()).isEqualTo("alertname");
    assertThat(matcher.get("value").asString()).isEqualTo(name);
    assertThat(matcher.get("isRegex").asBoolean()).isFalse();
    assertThat(matcher.get("isEqual").asBoolean()).isTrue();
    assertThat(ids("alertname=\"" + name + "\"")).containsExactly(id);
    assertThat(ids("alertname=~\"" + name + "|Other\"")).containsExactly(id);
    assertThat(ids("alertname=\"Other" + name + "\"")).isEmpty();

    String longer =
        send(
                "POST",
                "/api/v2/silences",
                admin,
                amtoolSilence(id, name, now, now.plus(Duration.ofHours(2))))
            .body();
    assertThat(JSON.readTree(longer).get("silenceID").asString())
        .as("a longer end keeps the silence")
        .isEqualTo(id);

    String replaced =
        JSON.readTree(
                send(
                        "POST",
                        "/api/v2/silences",
                        admin,
                        amtoolSilence(id, name + "Changed", now, now.plus(Duration.ofHours(2))))
                    .body())
            .get("silenceID")
            .asString();
    assertThat(replaced).as("changed matchers replace the silence").isNotEqualTo(id);
    assertThat(silence(id, key).get("status").get("state").asString()).isEqualTo("expired");
    assertThat(silence(replaced, key).get("status").get("state").asString()).isEqualTo("active");

    assertThat(send("DELETE", "/api/v2/silence/" + replaced, admin, null).statusCode())
        .isEqualTo(200);
    assertThat(silence(replaced, key).get("status").get("state").asString()).isEqualTo("expired");
    assertThat(send("DELETE", "/api/v2/silence/" + replaced, admin, null).statusCode())
        .as("expiring again changes nothing")
        .isEqualTo(200);
  }

  @Test
  void aSilencedAlertStaysVisibleAsSuppressedAndLeavesAmtoolsDefaultQuery() {
    String name = "Muted" + SEQUENCE.incrementAndGet();
    Instant now = Instant.now();
    String alerts =
        """
        [{"labels":{"alertname":"%s","instance":"db-1"},"endsAt":"%s"},
         {"labels":{"alertname":"%s","instance":"db-2"},"endsAt":"%s"}]
        """
            .formatted(name, now.plusSeconds(600), name + "Other", now.plusSeconds(600));
    assertThat(send("POST", "/api/v2/alerts", key, alerts).statusCode()).isEqualTo(200);
    String byName =
        JSON.readTree(
                send(
                        "POST",
                        "/api/v2/silences",
                        admin,
                        amtoolSilence(null, name, now, now.plusSeconds(3600)))
                    .body())
            .get("silenceID")
            .asString();

    JsonNode muted = alert(name, "");
    assertThat(muted.get("status").get("state").asString()).isEqualTo("suppressed");
    assertThat(muted.get("status").get("silencedBy").get(0).asString()).isEqualTo(byName);
    assertThat(alert(name + "Other", "").get("status").get("state").asString()).isEqualTo("active");
    assertThat(alert(name, "&silenced=false")).as("amtool's default query").isNull();
    assertThat(alert(name + "Other", "&active=false")).isNull();

    String byService =
        JSON.readTree(
                send(
                        "POST",
                        "/api/v1/silences",
                        admin,
                        """
                        {"matchers":[{"name":"tocsin_service","value":"db"},
                                     {"name":"alertname","value":"%s"}],
                         "endsAt":"%s","comment":"maintenance of db"}
                        """
                            .formatted(name + "Other", now.plusSeconds(3600)))
                    .body())
            .get("id")
            .asString();
    assertThat(alert(name + "Other", "").get("status").get("silencedBy").get(0).asString())
        .isEqualTo(byService);

    send("DELETE", "/api/v2/silence/" + byName, admin, null);
    assertThat(alert(name, "&silenced=false").get("status").get("state").asString())
        .isEqualTo("active");
  }

  @Test
  void aMaintenanceWindowSilencesEveryAlertOfItsServicesAndNoOther() {
    String name = "Maintained" + SEQUENCE.incrementAndGet();
    Api.Service web = service("web (eu) " + name);
    Api.Service primary = service("db.primary " + name);
    Api.Service other = service("other " + name);
    String alert =
        "[{\"labels\":{\"alertname\":\"%s\"},\"endsAt\":\"%s\"}]"
            .formatted(name, Instant.now().plusSeconds(600));
    for (String sender : List.of(primary.key(), web.key())) {
      assertThat(send("POST", "/api/v2/alerts", sender, alert).statusCode()).isEqualTo(200);
    }
    assertThat(send("POST", "/api/v2/alerts", other.key(), alert).statusCode()).isEqualTo(200);

    HttpResponse<String> window =
        send(
            "POST",
            "/api/v1/maintenance-windows",
            admin,
            "{\"services\":[\"%s\",\"%s\"],\"endsAt\":\"%s\",\"comment\":\"db upgrade\"}"
                .formatted(primary.id(), web.id(), Instant.now().plusSeconds(3600)));
    assertThat(window.statusCode()).as(window.body()).isEqualTo(201);

    Map<String, String> states =
        states(
            alertsBy(
                "alertname=\"" + name + "\"",
                "",
                each -> each.get("receivers").get(0).get("name").asString()));
    assertThat(states)
        .containsEntry("db.primary " + name, "suppressed")
        .containsEntry("web (eu) " + name, "suppressed")
        .containsEntry("other " + name, "active");

    // A sender cannot pass its alert off as another service's: tocsin_service is Tocsin's own.
    String impostor =
        "[{\"labels\":{\"alertname\":\"%sImpostor\",\"tocsin_service\":\"db.primary %s\"}}]"
            .formatted(name, name);
    assertThat(send("POST", "/api/v2/alerts", other.key(), impostor).statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                JSON.readTree(
                        send("GET", "/api/v1/incidents?service=" + other.id(), admin, null).body())
                    .get("items"),
            items -> items.size() == 2);

    assertThat(
            send(
                    "POST",
                    "/api/v1/maintenance-windows",
                    admin,
                    "{\"services\":[],\"endsAt\":\"2099-01-01T00:00:00Z\",\"comment\":\"x\"}")
                .statusCode())
        .isEqualTo(422);
    HttpResponse<String> nullService =
        send(
            "POST",
            "/api/v1/maintenance-windows",
            admin,
            "{\"services\":[null],\"endsAt\":\"2099-01-01T00:00:00Z\",\"comment\":\"x\"}");
    assertThat(nullService.statusCode()).isEqualTo(422);
    assertThat(nullService.body()).contains("services[0]");
    assertThat(
            send(
                    "POST",
                    "/api/v1/maintenance-windows",
                    admin,
                    "{\"services\":[\"%s\"],\"endsAt\":\"2099-01-01T00:00:00Z\",\"comment\":\"x\"}"
                        .formatted(java.util.UUID.randomUUID()))
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void silencesOverForMoreThanFiveDaysAreForgottenAndRecentOnesKept() {
    Instant now = Instant.now();
    java.util.UUID old = java.util.UUID.randomUUID();
    java.util.UUID recent = java.util.UUID.randomUUID();
    for (Map.Entry<java.util.UUID, Duration> each :
        Map.of(old, Duration.ofDays(6), recent, Duration.ofDays(4)).entrySet()) {
      JdbcClient.create(schema().dataSource())
          .sql(
              """
              INSERT INTO correlate_silence
                (id, matchers, starts_at, ends_at, created_by, comment, updated_at)
              VALUES (:id, '[{"name":"a","value":"b","isRegex":false,"isEqual":true}]',
                      :startsAt, :endsAt, 'ops', 'old', :endsAt)
              """)
          .param("id", each.getKey())
          .param(
              "startsAt",
              now.minus(each.getValue()).minusSeconds(60).atOffset(java.time.ZoneOffset.UTC))
          .param("endsAt", now.minus(each.getValue()).atOffset(java.time.ZoneOffset.UTC))
          .update();
    }

    assertThat(tocsin.bean(SilenceRetention.class).forgetOldSilences()).isGreaterThanOrEqualTo(1);

    assertThat(send("GET", "/api/v2/silence/" + old, admin, null).statusCode()).isEqualTo(404);
    assertThat(silence(recent.toString(), admin).get("status").get("state").asString())
        .isEqualTo("expired");
  }

  @Test
  void aFiringDatabaseAlertInhibitsTheSymptomsInItsClusterAndNamespaceOnly() {
    String run = "Inhibit" + SEQUENCE.incrementAndGet();
    Api.Service web = service("api " + run);
    HttpResponse<String> rule =
        send(
            "POST",
            "/api/v1/inhibition-rules",
            admin,
            """
            {"name":"database down %s",
             "sourceMatchers":[{"name":"alertname","value":"DatabaseUnavailable"},
                               {"name":"run","value":"%s"}],
             "targetMatchers":[{"name":"alertname","operator":"=~",
                                "value":"PrometheusTargetDown|APIServiceUnhealthy|HighApiErrorRate"}],
             "equal":["cluster","namespace"]}
            """
                .formatted(run, run));
    assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);
    String ruleId = JSON.readTree(rule.body()).get("id").asString();
    Instant until = Instant.now().plusSeconds(600);
    String source =
        "[{\"labels\":{\"alertname\":\"DatabaseUnavailable\",\"run\":\"%s\",\"cluster\":\"eu\",\"namespace\":\"shop\"},\"endsAt\":\"%s\"}]";
    assertThat(send("POST", "/api/v2/alerts", key, source.formatted(run, until)).statusCode())
        .isEqualTo(200);
    String symptoms =
        """
        [{"labels":{"alertname":"HighApiErrorRate","run":"%s","cluster":"eu","namespace":"shop"},"endsAt":"%s"},
         {"labels":{"alertname":"HighApiErrorRate","run":"%s","cluster":"us","namespace":"shop"},"endsAt":"%s"}]
        """
            .formatted(run, until, run, until);
    assertThat(send("POST", "/api/v2/alerts", web.key(), symptoms).statusCode()).isEqualTo(200);

    Map<String, JsonNode> byCluster = byCluster(run, "");
    String sourceFingerprint =
        byCluster.get("eu DatabaseUnavailable").get("fingerprint").asString();
    JsonNode inhibited = byCluster.get("eu HighApiErrorRate").get("status");
    assertThat(inhibited.get("state").asString()).isEqualTo("suppressed");
    assertThat(inhibited.get("inhibitedBy").get(0).asString()).isEqualTo(sourceFingerprint);
    assertThat(byCluster.get("us HighApiErrorRate").get("status").get("state").asString())
        .isEqualTo("active");
    assertThat(byCluster.get("eu DatabaseUnavailable").get("status").get("state").asString())
        .isEqualTo("active");
    assertThat(byCluster(run, "&inhibited=false")).doesNotContainKey("eu HighApiErrorRate");

    assertThat(
            send(
                    "POST",
                    "/api/v2/alerts",
                    key,
                    source.formatted(run, Instant.now().minusSeconds(1)))
                .statusCode())
        .isEqualTo(200);
    assertThat(byCluster(run, "").get("eu HighApiErrorRate").get("status").get("state").asString())
        .as("the source resolved")
        .isEqualTo("active");

    HttpResponse<String> again =
        send(
            "POST",
            "/api/v1/inhibition-rules",
            admin,
            "{\"name\":\"database down %s\",\"sourceMatchers\":[{\"name\":\"a\",\"value\":\"b\"}],\"targetMatchers\":[{\"name\":\"c\",\"value\":\"d\"}]}"
                .formatted(run));
    assertThat(again.statusCode()).isEqualTo(409);
    HttpResponse<String> noSource =
        send(
            "POST",
            "/api/v1/inhibition-rules",
            admin,
            "{\"name\":\"x%s\",\"sourceMatchers\":[],\"targetMatchers\":[{\"name\":\"c\",\"value\":\"d\"}],\"equal\":[\"bad-label\"]}"
                .formatted(run));
    assertThat(noSource.statusCode()).isEqualTo(422);
    assertThat(noSource.body()).contains("sourceMatchers");
    assertThat(send("DELETE", "/api/v1/inhibition-rules/" + ruleId, admin, null).statusCode())
        .isEqualTo(204);
    assertThat(send("GET", "/api/v1/inhibition-rules/" + ruleId, admin, null).statusCode())
        .isEqualTo(404);
  }

  @Test
  void anAlertNamingAnotherServiceInItsLabelsNeitherInhibitsThatServiceNorPassesForIt() {
    String run = "Impostor" + SEQUENCE.incrementAndGet();
    String victimName = "payments " + run;
    Api.Service victim = service(victimName);
    // The victim's own maintenance alert mutes the victim's other alerts.
    HttpResponse<String> rule =
        send(
            "POST",
            "/api/v1/inhibition-rules",
            admin,
            """
            {"name":"maintenance %s",
             "sourceMatchers":[{"name":"alertname","value":"Maintenance"},
                               {"name":"tocsin_service","value":"%s"}],
             "targetMatchers":[{"name":"tocsin_service","value":"%s"}]}
            """
                .formatted(run, victimName, victimName));
    assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);
    Instant until = Instant.now().plusSeconds(600);

    // Sent with the key of the service "db", naming the victim's service.
    String impostor =
        "[{\"labels\":{\"alertname\":\"Maintenance\",\"run\":\"%s\",\"tocsin_service\":\"%s\"},\"endsAt\":\"%s\"}]"
            .formatted(run, victimName, until);
    assertThat(send("POST", "/api/v2/alerts", key, impostor).statusCode()).isEqualTo(200);
    String real =
        "[{\"labels\":{\"alertname\":\"PaymentsDown\",\"run\":\"%s\",\"severity\":\"critical\"},\"endsAt\":\"%s\"}]"
            .formatted(run, until);
    assertThat(send("POST", "/api/v2/alerts", victim.key(), real).statusCode()).isEqualTo(200);

    Map<String, JsonNode> alerts =
        alertsBy("run=\"" + run + "\"", "", each -> each.get("labels").get("alertname").asString());
    assertThat(alerts.get("PaymentsDown").get("status").get("state").asString())
        .isEqualTo("active");
    JsonNode impostorLabels = alerts.get("Maintenance").get("labels");
    assertThat(impostorLabels.get("tocsin_service").asString()).isEqualTo("db");
    assertThat(impostorLabels.get("exported_tocsin_service").asString()).isEqualTo(victimName);
    assertThat(
            alertsBy(
                    "tocsin_service=\"" + victimName + "\"",
                    "",
                    each -> each.get("labels").get("alertname").asString())
                .keySet())
        .as("a query for the victim's alerts")
        .containsExactly("PaymentsDown");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        JSON.readTree(
                                send("GET", "/api/v1/incidents?service=" + victim.id(), admin, null)
                                    .body())
                            .get("items"))
                    .as("the victim's alert pages")
                    .hasSize(1));
  }

  @Test
  void theShippedExampleRulesLoadAndAStarvedPodInhibitsOnlyItsOwnLatencyAlert() throws IOException {
    JsonNode examples =
        JSON.readTree(
            Files.readString(java.nio.file.Path.of("docs/examples/inhibition-rules.json")));
    List<String> created = new ArrayList<>();
    for (JsonNode example : examples) {
      HttpResponse<String> answer =
          send("POST", "/api/v1/inhibition-rules", admin, example.toString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
      created.add(JSON.readTree(answer.body()).get("id").asString());
    }
    assertThat(created).hasSize(4);
    String namespace = "ns" + SEQUENCE.incrementAndGet();
    String alerts =
        """
        [{"labels":{"alertname":"PodMemoryPressure","namespace":"%s","pod":"api-1"},"endsAt":"%s"},
         {"labels":{"alertname":"HighRequestLatency","namespace":"%s","pod":"api-1"},"endsAt":"%s"},
         {"labels":{"alertname":"HighRequestLatency","namespace":"%s","pod":"api-2"},"endsAt":"%s"}]
        """
            .formatted(
                namespace,
                Instant.now().plusSeconds(600),
                namespace,
                Instant.now().plusSeconds(600),
                namespace,
                Instant.now().plusSeconds(600));
    assertThat(send("POST", "/api/v2/alerts", key, alerts).statusCode()).isEqualTo(200);

    Map<String, String> states =
        states(
            alertsBy(
                "namespace=\"" + namespace + "\"",
                "",
                each ->
                    each.get("labels").get("alertname").asString()
                        + " "
                        + each.get("labels").get("pod").asString()));
    assertThat(states)
        .containsEntry("PodMemoryPressure api-1", "active")
        .containsEntry("HighRequestLatency api-1", "suppressed")
        .containsEntry("HighRequestLatency api-2", "active");
    created.forEach(id -> send("DELETE", "/api/v1/inhibition-rules/" + id, admin, null));
  }

  private static Map<String, JsonNode> byCluster(String run, String parameters) {
    return alertsBy(
        "run=\"" + run + "\"",
        parameters,
        each ->
            each.get("labels").get("cluster").asString()
                + " "
                + each.get("labels").get("alertname").asString());
  }

  /** The alerts an admin sees through the Alertmanager API for one filter, by a key of each. */
  private static Map<String, JsonNode> alertsBy(
      String filter, String parameters, java.util.function.Function<JsonNode, String> keyOf) {
    HttpResponse<String> listed =
        send(
            "GET",
            "/api/v2/alerts?filter="
                + URLEncoder.encode(filter, StandardCharsets.UTF_8)
                + parameters,
            admin,
            null);
    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    Map<String, JsonNode> found = new java.util.HashMap<>();
    JSON.readTree(listed.body()).forEach(each -> found.put(keyOf.apply(each), each));
    return found;
  }

  private static Map<String, String> states(Map<String, JsonNode> alerts) {
    Map<String, String> states = new java.util.HashMap<>();
    alerts.forEach((name, alert) -> states.put(name, alert.get("status").get("state").asString()));
    return states;
  }

  private static JsonNode alert(String alertname, String parameters) {
    HttpResponse<String> listed =
        send(
            "GET",
            "/api/v2/alerts?filter="
                + URLEncoder.encode("alertname=\"" + alertname + "\"", StandardCharsets.UTF_8)
                + parameters,
            key,
            null);
    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    JsonNode alerts = JSON.readTree(listed.body());
    assertThat(alerts.size()).isLessThanOrEqualTo(1);
    return alerts.isEmpty() ? null : alerts.get(0);
  }

  @Test
  void aSilenceThatStartsLaterIsPendingAndExpiringItClosesItsWindow() {
    String name = "Later" + SEQUENCE.incrementAndGet();
    Instant start = Instant.now().plus(Duration.ofHours(1));
    String id =
        JSON.readTree(
                send(
                        "POST",
                        "/api/v2/silences",
                        admin,
                        amtoolSilence(null, name, start, start.plus(Duration.ofHours(1))))
                    .body())
            .get("silenceID")
            .asString();

    assertThat(silence(id, admin).get("status").get("state").asString()).isEqualTo("pending");
    send("DELETE", "/api/v2/silence/" + id, admin, null);
    JsonNode expired = silence(id, admin);
    assertThat(expired.get("status").get("state").asString()).isEqualTo("expired");
    assertThat(Instant.parse(expired.get("endsAt").asString()))
        .isEqualTo(Instant.parse(expired.get("startsAt").asString()));
  }

  @Test
  void invalidSilencesAreRefusedInAlertmanagersWordsAndStoreNothing() {
    Instant now = Instant.now();
    int before = rows();
    List<Map.Entry<String, String>> bad = new ArrayList<>();
    bad.add(
        Map.entry(
            "silence invalid: at least one matcher required",
            "{\"matchers\":[],\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"createdBy\":\"a\",\"comment\":\"c\"}"));
    bad.add(
        Map.entry(
            "silence invalid: at least one matcher must not match the empty string",
            "{\"matchers\":[{\"name\":\"alertname\",\"value\":\".*\",\"isRegex\":true,\"isEqual\":true}],"
                + "\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"createdBy\":\"a\",\"comment\":\"c\"}"));
    bad.add(
        Map.entry(
            "silence invalid: invalid label matcher 0: the regular expression does not compile",
            "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"(\",\"isRegex\":true}],"
                + "\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"createdBy\":\"a\",\"comment\":\"c\"}"));
    bad.add(
        Map.entry(
            "silence invalid: invalid label matcher 0: 'alert-name' is not a valid label name",
            "{\"matchers\":[{\"name\":\"alert-name\",\"value\":\"x\"}],"
                + "\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"createdBy\":\"a\",\"comment\":\"c\"}"));
    bad.add(
        Map.entry(
            "comment is required",
            "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"x\"}],"
                + "\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"createdBy\":\"a\",\"comment\":\" \"}"));
    for (Map.Entry<String, String> each : bad) {
      String body = each.getValue().formatted(now, now.plus(Duration.ofHours(1)));
      HttpResponse<String> refused = send("POST", "/api/v2/silences", admin, body);
      assertThat(refused.statusCode()).as(body).isEqualTo(400);
      assertThat(JSON.readTree(refused.body()).asString()).as(body).startsWith(each.getKey());
    }
    String past =
        amtoolSilence(null, "Past", now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1)));
    HttpResponse<String> refused = send("POST", "/api/v2/silences", admin, past);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(refused.body()).asString())
        .isEqualTo("Failed to create silence: end time can't be in the past");
    assertThat(send("POST", "/api/v2/silences", admin, "{\"matchers\":").statusCode())
        .isEqualTo(400);
    assertThat(rows()).isEqualTo(before);
  }

  @Test
  void integrationKeysReadSilencesButOnlyPeopleSilence() {
    Instant now = Instant.now();
    String body = amtoolSilence(null, "ByKey", now, now.plus(Duration.ofHours(1)));
    int before = rows();

    assertThat(send("POST", "/api/v2/silences", key, body).statusCode()).isIn(401, 403);
    assertThat(send("GET", "/api/v2/silences", null, null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/api/v2/silences", key, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/api/v1/silences", key, null).statusCode()).isEqualTo(401);
    assertThat(rows()).isEqualTo(before);
  }

  @Test
  void anIntegrationKeySeesOnlyTheSilencesThatCanMuteItsServiceAndNoOnesEmail() {
    String name = "Scoped" + SEQUENCE.incrementAndGet();
    Api.Service mine = service("mine " + name);
    String theirs = tocsin.createService(adminToken, "theirs " + name);
    Instant end = Instant.now().plusSeconds(3600);
    String theirWindow =
        JSON.readTree(
                send(
                        "POST",
                        "/api/v1/maintenance-windows",
                        admin,
                        "{\"services\":[\"%s\"],\"endsAt\":\"%s\",\"comment\":\"their upgrade\"}"
                            .formatted(theirs, end))
                    .body())
            .get("id")
            .asString();
    String myWindow =
        JSON.readTree(
                send(
                        "POST",
                        "/api/v1/maintenance-windows",
                        admin,
                        "{\"services\":[\"%s\"],\"endsAt\":\"%s\",\"comment\":\"my upgrade\"}"
                            .formatted(mine.id(), end))
                    .body())
            .get("id")
            .asString();
    String everywhere =
        JSON.readTree(
                send(
                        "POST",
                        "/api/v2/silences",
                        admin,
                        amtoolSilence(null, name, Instant.now(), end))
                    .body())
            .get("silenceID")
            .asString();

    HttpResponse<String> listed = send("GET", "/api/v2/silences", mine.key(), null);
    List<String> seen = new ArrayList<>();
    JSON.readTree(listed.body()).forEach(silence -> seen.add(silence.get("id").asString()));
    assertThat(seen)
        .as("its own service's silence, and one that names no service and so mutes it too")
        .contains(myWindow, everywhere)
        .doesNotContain(theirWindow);
    assertThat(listed.body()).doesNotContain(EMAIL).doesNotContain("their upgrade");
    assertThat(silence(myWindow, mine.key()).get("createdBy").asString())
        .as("the author's name instead of their email")
        .isEqualTo("Administrator");
    assertThat(send("GET", "/api/v2/silence/" + theirWindow, mine.key(), null).statusCode())
        .isEqualTo(404);

    List<String> all = new ArrayList<>();
    JSON.readTree(send("GET", "/api/v2/silences", admin, null).body())
        .forEach(silence -> all.add(silence.get("id").asString()));
    assertThat(all).as("people see every silence").contains(myWindow, theirWindow, everywhere);
  }

  @Test
  void theOwnApiSilencesInTheSignedInUsersName() {
    String name = "Own" + SEQUENCE.incrementAndGet();
    HttpResponse<String> created =
        send(
            "POST",
            "/api/v1/silences",
            admin,
            """
            {"matchers":[{"name":"alertname","operator":"=~","value":"%s|x"},
                         {"name":"env","operator":"!=","value":"dev"}],
             "endsAt":"%s","comment":"planned failover"}
            """
                .formatted(name, Instant.now().plus(Duration.ofHours(1))));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode silence = JSON.readTree(created.body());
    assertThat(silence.get("createdBy").asString()).isEqualTo(EMAIL);
    assertThat(silence.get("state").asString()).isEqualTo("active");
    String id = silence.get("id").asString();

    JsonNode active =
        JSON.readTree(send("GET", "/api/v1/silences?state=ACTIVE", admin, null).body());
    List<String> ids = new ArrayList<>();
    active.get("items").forEach(item -> ids.add(item.get("id").asString()));
    assertThat(ids).contains(id);
    HttpResponse<String> unknownState = send("GET", "/api/v1/silences?state=muted", admin, null);
    assertThat(unknownState.statusCode()).isEqualTo(422);
    assertThat(unknownState.body()).contains("pending", "active", "expired");
    HttpResponse<String> badOperator =
        send(
            "POST",
            "/api/v1/silences",
            admin,
            "{\"matchers\":[{\"name\":\"a\",\"operator\":\"~\",\"value\":\"b\"}],\"endsAt\":\"%s\",\"comment\":\"c\"}"
                .formatted(Instant.now().plus(Duration.ofHours(1))));
    assertThat(badOperator.statusCode()).isEqualTo(422);
    assertThat(badOperator.body()).contains("matchers[0].operator");

    JsonNode expired = JSON.readTree(send("DELETE", "/api/v1/silences/" + id, admin, null).body());
    assertThat(expired.get("state").asString()).isEqualTo("expired");
    assertThat(
            send("GET", "/api/v1/silences/" + java.util.UUID.randomUUID(), admin, null)
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void aSilenceWhoseRegexWouldBacktrackForMinutesDelaysNoIncident() {
    int run = SEQUENCE.incrementAndGet();
    // Long enough that a backtracking engine needs minutes to find the silence does not match.
    String name = "Unrelated" + run + "a".repeat(80);
    Api.Service service = service("unrelated " + run);
    HttpResponse<String> created =
        send(
            "POST",
            "/api/v1/silences",
            admin,
            """
            {"matchers":[{"name":"alertname","operator":"=~","value":"(.*.){7}Z"}],
             "endsAt":"%s","comment":"a pattern that backtracks"}
            """
                .formatted(Instant.now().plus(Duration.ofHours(1))));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String silence = JSON.readTree(created.body()).get("id").asString();

    String alert =
        "[{\"labels\":{\"alertname\":\"%s\"},\"endsAt\":\"%s\"}]"
            .formatted(name, Instant.now().plusSeconds(600));
    assertThat(send("POST", "/api/v2/alerts", service.key(), alert).statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                JSON.readTree(
                        send("GET", "/api/v1/incidents?service=" + service.id(), admin, null)
                            .body())
                    .get("items"),
            items -> items.size() == 1);
    assertThat(alertsBy("alertname=~\"(.*.){6}Z\"", "", each -> each.get("fingerprint").asString()))
        .isEmpty();

    send("DELETE", "/api/v1/silences/" + silence, admin, null);
  }

  @Test
  void aRegexLongerThanTheLimitIsRefusedNamingTheLimitAndStoresNothing() {
    String huge = "a".repeat(200_000);
    String endsAt = Instant.now().plus(Duration.ofHours(1)).toString();
    int before = rows();

    HttpResponse<String> own =
        send(
            "POST",
            "/api/v1/silences",
            admin,
            "{\"matchers\":[{\"name\":\"alertname\",\"operator\":\"=~\",\"value\":\"%s\"}],\"endsAt\":\"%s\",\"comment\":\"c\"}"
                .formatted(huge, endsAt));
    assertThat(own.statusCode()).isEqualTo(422);
    assertThat(own.body())
        .contains("matchers[0].value", "a regular expression must have at most 1024 characters");

    HttpResponse<String> amtool =
        send(
            "POST",
            "/api/v2/silences",
            admin,
            "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"%s\",\"isRegex\":true}],\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"createdBy\":\"a\",\"comment\":\"c\"}"
                .formatted(huge, Instant.now(), endsAt));
    assertThat(amtool.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(amtool.body()).asString())
        .isEqualTo(
            "silence invalid: invalid label matcher 0: a regular expression must have at most 1024"
                + " characters");

    HttpResponse<String> filter =
        send(
            "GET",
            "/api/v2/alerts?filter="
                + URLEncoder.encode(
                    "alertname=~\"" + "a".repeat(2_000) + "\"", StandardCharsets.UTF_8),
            admin,
            null);
    assertThat(filter.statusCode()).isEqualTo(400);
    assertThat(filter.body()).contains("a regular expression must have at most 1024 characters");
    assertThat(rows()).isEqualTo(before);
  }

  private static String amtoolSilence(String id, String alertname, Instant start, Instant end) {
    return """
        {%s"matchers":[{"name":"alertname","value":"%s","isRegex":false,"isEqual":true}],
         "startsAt":"%s","endsAt":"%s","createdBy":"ops@example.com","comment":"deploying"}
        """
        .formatted(id == null ? "" : "\"id\":\"" + id + "\",", alertname, start, end);
  }

  private static JsonNode silence(String id, String authorization) {
    HttpResponse<String> found = send("GET", "/api/v2/silence/" + id, authorization, null);
    assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
    return JSON.readTree(found.body());
  }

  private static List<String> ids(String filter) {
    HttpResponse<String> listed =
        send(
            "GET",
            "/api/v2/silences?filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8),
            key,
            null);
    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    JSON.readTree(listed.body())
        .forEach(
            silence -> {
              if (silence.get("status").get("state").asString().equals("active")) {
                ids.add(silence.get("id").asString());
              }
            });
    return ids;
  }

  /** A service named {@code name}, with an Alertmanager integration to send its alerts with. */
  private static Api.Service service(String name) {
    String id = tocsin.createService(adminToken, name);
    return new Api.Service(
        id,
        name,
        "Bearer " + tocsin.createIntegration(adminToken, id, "prom", "alertmanager").get("key"));
  }

  private static int rows() {
    return JdbcClient.create(schema().dataSource())
        .sql("SELECT COUNT(*) FROM correlate_silence")
        .query(Integer.class)
        .single();
  }

  private static HttpResponse<String> send(
      String method, String path, String authorization, String body) {
    return tocsin.send(method, path, authorization, body);
  }
}
