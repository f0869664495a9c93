package io.tocsin.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.Api;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.RecordingHttpServer;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A storm replayed under the configuration as it is and under candidates: the replay of the
 * configuration as it is opens what correlation really opened, each candidate its own exact count,
 * and nothing is written to any table or sent.
 */
class ReplayIntegrationTests extends HarnessTests {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final List<String> TABLES =
      List.of(
          "incident",
          "incident_alert",
          "incident_timeline",
          "oncall_escalation",
          "notify_message",
          "correlate_muted_alert",
          "correlate_inhibition_source",
          "ingest_alert");

  @Test
  void aStormReplayedUnderTwoCandidatesOpensAndPagesEachOnesExactCountsAndWritesNothing()
      throws IOException {
    Instant from = Instant.now();
    Api.Service db = api.service("db", "");
    Api.Service backend = api.service("api", "");
    Api.Service web = api.service("web", "");
    String person = api.user("Oncall");
    RecordingHttpServer receiver = RecordingHttpServer.started();
    api.verifiedWebhook(person, receiver);
    String policy = api.policyPaging(person);
    for (Api.Service service : List.of(db, backend, web)) {
      api.follow(service, policy);
    }
    api.fire(db, Api.alert("DatabaseDown"));
    api.awaitOpenIncident(db.id());
    String[] errors = new String[10];
    for (int i = 0; i < errors.length; i++) {
      errors[i] = Api.alert("ApiError" + i % 5, "instance", "api-" + i);
    }
    api.fire(backend, errors);
    String[] slow = new String[6];
    for (int i = 0; i < slow.length; i++) {
      slow[i] = Api.alert("WebSlow", "instance", "web-" + i);
    }
    api.fire(web, slow);
    api.fire(
        db, Api.alert("DatabaseDown").replace("}}", "},\"endsAt\":\"" + Instant.now() + "\"}"));
    await().atMost(WAIT).until(() -> api.incidents(backend.id()).size() == 5);
    await().atMost(WAIT).until(() -> api.incidents(web.id()).size() == 1);
    await()
        .atMost(WAIT)
        .until(() -> api.incidents(db.id()).get(0).get("status").asString().equals("resolved"));
    // Past the rate limit's summary of the pages it held back, before the policy's next step.
    Instant to = Instant.now().plus(Duration.ofMinutes(2));
    // Live delivery goes on after the incidents open: every page sent or folded into a summary.
    JdbcClient jdbc = tocsin.bean(JdbcClient.class);
    await()
        .atMost(WAIT)
        .until(
            () ->
                jdbc.sql(
                        "SELECT COUNT(*) FROM notify_message WHERE kind = 'page'"
                            + " AND status IN ('pending', 'sending')")
                    .query(Long.class)
                    .single(),
            pending -> pending == 0);
    Map<String, Long> before = rows();

    JsonNode dependencies =
        replay(
            from,
            to,
            """
            services:
              - name: %s
                dependsOn: [%s]
              - name: %s
                dependsOn: [%s]
            """
                .formatted(backend.name(), db.name(), web.name(), backend.name()));
    JsonNode regrouped =
        replay(
            from,
            to,
            """
            services:
              - name: %s
                groupBy: []
            silences:
              - matchers: ['alertname="WebSlow"']
                startsAt: %s
                endsAt: %s
            """
                .formatted(backend.name(), from.minusSeconds(3600), to.plusSeconds(3600)));

    assertThat(dependencies.get("alerts").asInt()).isEqualTo(17);
    assertThat(dependencies.get("actual").get("opened").asInt()).isEqualTo(7);
    JsonNode current = dependencies.get("current");
    assertThat(current.get("opened").asInt())
        .as("the configuration as it is opens what correlation opened")
        .isEqualTo(7);
    assertThat(current.get("stillOpen").asInt()).isEqualTo(6);
    assertThat(counts(current)).isEqualTo(opened(7, 10, 0, 0, 0));
    assertThat(paging(current))
        .as("seven first pages at once: five go, two wait for the rate limit's summary")
        .isEqualTo(List.of(5, 1, 2));
    assertThat(current.get("paging").get("byPerson").get(0).get("channel").asString())
        .isEqualTo("webhook");

    JsonNode candidate = dependencies.get("candidate");
    assertThat(candidate.get("opened").asInt()).isEqualTo(1);
    assertThat(candidate.get("stillOpen").asInt())
        .as("the database's alert resolved, its symptoms still fire")
        .isEqualTo(1);
    assertThat(counts(candidate)).isEqualTo(opened(1, 0, 16, 0, 0));
    assertThat(paging(candidate)).isEqualTo(List.of(1, 0, 0));
    assertThat(candidate.get("paging").get("longestUnreachedSeconds").asLong()).isZero();
    JsonNode incident = candidate.get("incidents").get(0);
    assertThat(incident.get("service").asString()).isEqualTo(db.name());
    assertThat(incident.get("probableCause").asString())
        .as("the database's alert resolved: of the services still firing, the web needs the api")
        .isEqualTo(backend.name());
    assertThat(incident.get("alerts").asInt()).isEqualTo(17);
    assertThat(dependencies.get("changes").get("gone")).hasSize(6);
    assertThat(dependencies.get("changes").get("added")).isEmpty();

    JsonNode other = regrouped.get("candidate");
    assertThat(other.get("opened").asInt()).isEqualTo(2);
    assertThat(counts(other)).isEqualTo(opened(2, 9, 0, 0, 6));
    assertThat(paging(other)).isEqualTo(List.of(2, 0, 0));
    assertThat(regrouped.get("changes").get("gone"))
        .as("four of the backend's five incidents and the web's")
        .hasSize(5);
    assertThat(regrouped.get("changes").get("added")).isEmpty();

    assertThat(rows())
        .as("replays write nothing, and so send nothing: every message goes through the outbox")
        .isEqualTo(before);
    receiver.close();
  }

  /** Pages sent, summaries sent, and pages held back into summaries. */
  private static List<Integer> paging(JsonNode outcome) {
    JsonNode paging = outcome.get("paging");
    return List.of(
        paging.get("pages").asInt(),
        paging.get("summaries").asInt(),
        paging.get("summarized").asInt());
  }

  @Test
  void anAlertOfAGroupWhoseIncidentOpenedBeforeTheWindowJoinsItAsLive() {
    Api.Service queue = api.service("queue", "");
    api.fire(queue, Api.alert("QueueBacklog", "instance", "q-1"));
    api.awaitOpenIncident(queue.id());
    Instant from = Instant.now();
    api.fire(queue, Api.alert("QueueBacklog", "instance", "q-2"));
    await()
        .atMost(WAIT)
        .until(() -> api.incidents(queue.id()).get(0).get("alertCount").asInt() == 2);

    JsonNode report = replay(from, Instant.now().plusSeconds(1), "");

    assertThat(report.get("alerts").asInt()).isEqualTo(1);
    assertThat(report.get("actual").get("opened").asInt()).isZero();
    assertThat(counts(report.get("current")))
        .as("the incident open when the window opened takes the window's alert")
        .isEqualTo(opened(0, 1, 0, 0, 0));
    assertThat(report.get("current").get("opened").asInt()).isZero();
  }

  @Test
  void aDryRunImportWithAReplayAnswersItsChangesAndWhatTheDocumentWouldHaveOpened() {
    Api.Service cache = api.service("cache", "");
    Api.Service shop = api.service("shop", "");
    api.fire(cache, Api.alert("CacheDown"));
    api.awaitOpenIncident(cache.id());
    api.fire(
        shop, Api.alert("ShopError", "instance", "s-1"), Api.alert("ShopError", "instance", "s-2"));
    await().atMost(WAIT).until(() -> api.incidents(shop.id()).size() == 1);
    ObjectNode document =
        (ObjectNode) YAML.readTree(api.send("GET", "/api/v1/config/export", null).body());
    for (JsonNode service : document.get("services")) {
      if (service.get("name").asString().equals(shop.name())) {
        ((ObjectNode) service).putArray("dependsOn").add(cache.name());
      }
    }

    HttpResponse<String> answer =
        api.send(
            "POST",
            "/api/v1/config/import?dryRun=true&replay=PT1H",
            JSON.writeValueAsString(document));

    assertThat(answer.statusCode()).as(answer.body()).isIn(200, 202);
    JsonNode body = JSON.readTree(answer.body());
    assertThat(body.get("dryRun").get("changes")).as(answer.body()).hasSize(1);
    JsonNode change = body.get("dryRun").get("changes").get(0);
    assertThat(change.get("name").asString()).isEqualTo(shop.name());
    assertThat(change.get("action").asString()).isEqualTo("update");
    assertThat(change.get("fields").valueStream().map(JsonNode::asString).toList())
        .containsExactly("dependsOn");
    assertThat(body.get("notReplayed")).isEmpty();
    String id = body.get("replay").get("id").asString();
    JsonNode report =
        await()
            .atMost(WAIT)
            .until(() -> api.get("/api/v1/replay/" + id), j -> !j.get("finishedAt").isNull())
            .get("report");
    assertThat(report.get("changes").get("gone").findValuesAsString("service"))
        .as("the shop's errors become symptoms of the cache's incident")
        .containsExactly(shop.name());
    assertThat(report.get("changes").get("added")).isEmpty();
    assertThat(
            api.send("POST", "/api/v1/config/import?dryRun=false&replay=P7D", "teams: []\n")
                .statusCode())
        .isEqualTo(422);
  }

  @Test
  void aCandidateScheduleAndPolicyAndGroupDelayPageAsTheyWouldHave() throws IOException {
    Api.Service ledger = api.service("ledger", "");
    Api.Service billing = api.service("billing", "");
    String person = api.user("Billing");
    String email = api.get("/api/v1/users/" + person).get("email").asString();
    RecordingHttpServer receiver = RecordingHttpServer.started();
    api.verifiedWebhook(person, receiver);
    String follower = api.user("Finance");
    api.verifiedWebhook(follower, receiver);
    api.create(
        "/api/v1/services/" + billing.id() + "/subscriptions", "{\"userId\":\"" + follower + "\"}");
    String followerEmail = api.get("/api/v1/users/" + follower).get("email").asString();
    Instant from = Instant.now();
    api.fire(billing, Api.alert("InvoicesFailing"));
    api.awaitOpenIncident(billing.id());
    // Long enough for the candidate's second round, 5 minutes after its first page.
    Instant to = Instant.now().plus(Duration.ofMinutes(20));

    JsonNode report =
        replay(
            from,
            to,
            """
            schedules:
              - name: billing-rota
                timeZone: Europe/Paris
                layers:
                  - name: everyone
                    members: [%s]
                    rotation: {count: 1, unit: weeks}
                    start: "2026-01-05T09:00"
            escalationPolicies:
              - name: billing-oncall
                repeat: 1
                levels:
                  - delayMinutes: 5
                    targets: [{schedule: billing-rota}]
            services:
              - name: %s
                escalationPolicy: billing-oncall
                dependsOn: [%s]
                groupDelaySeconds: 90
            """
                .formatted(email, billing.name(), ledger.name()));

    assertThat(report.get("current").get("paging").get("byPerson").findValuesAsString("email"))
        .as("the billing service follows no policy: nobody is paged for it")
        .doesNotContain(email);
    JsonNode candidate = report.get("candidate").get("paging");
    JsonNode paged =
        candidate
            .get("byPerson")
            .valueStream()
            .filter(p -> p.get("email").asString().equals(email))
            .findFirst()
            .orElseThrow();
    assertThat(paged.get("pages").asInt())
        .as("the policy's one level, its rota's one member, then its one repeat")
        .isEqualTo(2);
    for (String outcome : List.of("current", "candidate")) {
      JsonNode told =
          report
              .get(outcome)
              .get("paging")
              .get("byPerson")
              .valueStream()
              .filter(p -> p.get("email").asString().equals(followerEmail))
              .findFirst()
              .orElseThrow();
      assertThat(List.of(told.get("pages").asInt(), told.get("subscriptions").asInt()))
          .as("the subscriber hears of the incident opening, either way, and is paged for nothing")
          .isEqualTo(List.of(0, 1));
    }
    assertThat(candidate.get("longestUnreachedSeconds").asLong())
        .as("a service with a dependency holds its first page for its group delay")
        .isEqualTo(90);
    receiver.close();
  }

  @Test
  void aReplayIsAJobThatIsListedFollowedByItsIdAndCancelledOnlyWhileItRuns() {
    Instant now = Instant.now();
    HttpResponse<String> answer = api.send("POST", path(now.minusSeconds(600), now), "");
    assertThat(answer.statusCode()).as(answer.body()).isIn(200, 202);
    String id = JSON.readTree(answer.body()).get("id").asString();
    JsonNode done =
        await()
            .atMost(WAIT)
            .until(
                () -> api.get("/api/v1/replay/" + id),
                j -> j.get("status").asString().equals("done"));

    assertThat(done.get("report").get("current")).isNotNull();
    assertThat(api.get("/api/v1/replay").findValuesAsString("id")).contains(id);
    assertThat(api.ok("DELETE", "/api/v1/replay/" + id, null).get("status").asString())
        .as("a finished replay stays finished")
        .isEqualTo("done");
    assertThat(api.send("GET", "/api/v1/replay/" + java.util.UUID.randomUUID(), null).statusCode())
        .isEqualTo(404);
  }

  @Test
  void aReplayThatCannotRunIsRefusedNamingWhy() {
    Instant now = Instant.now();
    assertThat(refused("/api/v1/replay", "")).contains("\"field\":\"from\"");
    assertThat(refused(path(now.minus(Duration.ofDays(40)), now), ""))
        .contains("\"field\":\"to\"", "31 days");
    assertThat(refused("/api/v1/replay?last=soon", "")).contains("\"field\":\"last\"");
    assertThat(
            refused(
                path(now.minusSeconds(60), now),
                "services:\n  - name: no-such-service\n    dependsOn: []\n"))
        .contains("\"field\":\"services[0].name\"", "no-such-service");
    assertThat(refused(path(now.minusSeconds(60), now), "templates: []\n"))
        .as("a change a replay would not try is refused, not left out")
        .contains("\"field\":\"templates\"");
    assertThat(
            refused(
                path(now.minusSeconds(60), now),
                "escalationPolicies:\n  - name: p\n    levels:\n"
                    + "      - targets: [{user: nobody@example.com}]\n"))
        .contains("\"field\":\"escalationPolicies[0].levels\"", "nobody@example.com");
    assertThat(refused(path(now.minusSeconds(60), now), "servces: []\n")).contains("servces");
  }

  private static Map<String, Integer> opened(
      int opened, int attached, int symptom, int inhibited, int silenced) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("opened", opened);
    counts.put("attached", attached);
    counts.put("symptom", symptom);
    counts.put("inhibited", inhibited);
    counts.put("silenced", silenced);
    return counts;
  }

  private static Map<String, Integer> counts(JsonNode outcome) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    outcome
        .get("correlated")
        .properties()
        .forEach(e -> counts.put(e.getKey(), e.getValue().asInt()));
    return counts;
  }

  /** The report of a replay, followed by its job's id when it runs longer than the request. */
  private static JsonNode replay(Instant from, Instant to, String candidate) {
    HttpResponse<String> answer = api.send("POST", path(from, to), candidate);
    assertThat(answer.statusCode()).as(answer.body()).isIn(200, 202);
    JsonNode job = JSON.readTree(answer.body());
    String id = job.get("id").asString();
    JsonNode done =
        await()
            .atMost(WAIT)
            .until(() -> api.get("/api/v1/replay/" + id), j -> !j.get("finishedAt").isNull());
    assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("done");
    assertThat(done.get("percent").asInt()).isEqualTo(100);
    return done.get("report");
  }

  private static String refused(String path, String body) {
    HttpResponse<String> answer = api.send("POST", path, body);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
    return answer.body();
  }

  private static String path(Instant from, Instant to) {
    return "/api/v1/replay?from="
        + URLEncoder.encode(from.toString(), StandardCharsets.UTF_8)
        + "&to="
        + URLEncoder.encode(to.toString(), StandardCharsets.UTF_8);
  }

  private static Map<String, Long> rows() {
    JdbcClient jdbc = tocsin.bean(JdbcClient.class);
    Map<String, Long> rows = new LinkedHashMap<>();
    for (String table : TABLES) {
      rows.put(table, jdbc.sql("SELECT COUNT(*) FROM " + table).query(Long.class).single());
    }
    return rows;
  }
}
