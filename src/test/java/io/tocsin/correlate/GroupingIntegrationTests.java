package io.tocsin.correlate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Each integration groups its alerts into incidents its own way: a PagerDuty integration by {@code
 * dedup_key} as PagerDuty does, any integration by chosen labels, all together, or as its service
 * groups.
 */
// PostgreSQL only: the classes still on H2 send each of its statements there (.ci/sql-coverage).
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class GroupingIntegrationTests extends HarnessTests {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @Test
  void twoUnrelatedDedupKeysOfAPagerDutyIntegrationAreTwoIncidentsAcknowledgedAndResolvedApart() {
    String service = api.bareService("storage");
    String key = integration(service, "pd", "{\"name\":\"pd\",\"kind\":\"pagerduty\"}");

    trigger(key, "disk-db-1", "Disk full on db-1", "db-1");
    trigger(key, "cert-web-1", "Certificate expires on web-1", "web-1");
    await().atMost(WAIT).until(() -> api.incidents(service).size() == 2);
    assertThat(api.incident(service, "Disk full on db-1").get("status").asString())
        .isEqualTo("open");

    assertThat(event(key, "acknowledge", "disk-db-1").statusCode()).isEqualTo(202);
    await()
        .atMost(WAIT)
        .until(() -> api.status(service, "Disk full on db-1").equals("acknowledged"));
    assertThat(api.status(service, "Certificate expires on web-1"))
        .as("acknowledging one dedup key leaves the other's incident open, paging as before")
        .isEqualTo("open");

    assertThat(event(key, "resolve", "cert-web-1").statusCode()).isEqualTo(202);
    await()
        .atMost(WAIT)
        .until(() -> api.status(service, "Certificate expires on web-1").equals("resolved"));
    assertThat(api.status(service, "Disk full on db-1")).isEqualTo("acknowledged");

    trigger(key, "disk-db-1", "Disk full on db-1", "db-1");
    assertThat(api.incidents(service))
        .as("a re-trigger of a firing dedup key pages nobody")
        .hasSize(2);
    JsonNode detail =
        api.get(
            "/api/v1/incidents/" + api.incident(service, "Disk full on db-1").get("id").asString());
    assertThat(detail.get("groupKey").asString()).isEqualTo("dedup_key=disk-db-1");
    assertThat(detail.get("alerts").get("items")).hasSize(1);
  }

  @Test
  void anIntegrationGroupsByItsChosenLabelsOrAllTogether() {
    String service = api.bareService("web");
    String bySource =
        integration(
            service,
            "pd-by-source",
            """
            {"name":"pd-by-source","kind":"pagerduty",
             "grouping":{"by":"Labels","labels":["source"]}}
            """);
    String together =
        integration(
            service,
            "pd-together",
            "{\"name\":\"pd-together\",\"kind\":\"pagerduty\",\"grouping\":{\"by\":\"ALL\"}}");

    trigger(bySource, "a", "Slow on web-1", "web-1");
    trigger(bySource, "b", "Errors on web-1", "web-1");
    trigger(bySource, "c", "Slow on web-2", "web-2");
    await().atMost(WAIT).until(() -> alertCounts(service), counts -> counts.equals(List.of(1, 2)));

    trigger(together, "x", "Deploy failed", "ci");
    trigger(together, "y", "Smoke test failed", "ci-2");
    await()
        .atMost(WAIT)
        .until(() -> alertCounts(service), counts -> counts.equals(List.of(1, 2, 2)));
  }

  @Test
  void theGroupingIsShownTakesAnyCaseAndABadOneIsRefusedWithWhatIsAllowed() {
    String service = api.bareService("api");
    JsonNode created =
        api.create(
            "/api/v1/services/" + service + "/integrations",
            "{\"name\":\"pd\",\"kind\":\"PagerDuty\"}");
    assertThat(created.get("grouping").toString())
        .isEqualTo("{\"by\":\"dedup_key\",\"labels\":[]}");
    String id = created.get("id").asString();
    JsonNode prometheus =
        api.create(
            "/api/v1/services/" + service + "/integrations",
            "{\"name\":\"prometheus\",\"kind\":\"alertmanager\"}");
    assertThat(prometheus.get("grouping").get("by").asString()).isEqualTo("service");

    JsonNode changed =
        api.ok(
            "PATCH",
            "/api/v1/integrations/" + id,
            "{\"grouping\":{\"by\":\"LABELS\",\"labels\":[\"source\",\"component\"]}}");
    assertThat(changed.get("name").asString())
        .as("a grouping alone keeps the name")
        .isEqualTo("pd");
    assertThat(api.get("/api/v1/integrations/" + id).get("grouping").toString())
        .isEqualTo("{\"by\":\"labels\",\"labels\":[\"source\",\"component\"]}");

    HttpResponse<String> unknown =
        api.send("PATCH", "/api/v1/integrations/" + id, "{\"grouping\":{\"by\":\"sideways\"}}");
    assertThat(unknown.statusCode()).isEqualTo(422);
    assertThat(unknown.body())
        .contains("grouping.by")
        .contains("\"allowedValues\":[\"service\",\"dedup_key\",\"labels\",\"all\"]");
    HttpResponse<String> stray =
        api.send(
            "POST",
            "/api/v1/services/" + service + "/integrations",
            "{\"name\":\"x\",\"kind\":\"generic\",\"grouping\":{\"by\":\"all\",\"labels\":[\"a\"]}}");
    assertThat(stray.statusCode()).isEqualTo(422);
    assertThat(stray.body()).contains("grouping.labels").contains("only grouping by labels");
    HttpResponse<String> none =
        api.send("PATCH", "/api/v1/integrations/" + id, "{\"grouping\":{\"by\":\"labels\"}}");
    assertThat(none.statusCode()).isEqualTo(422);
    assertThat(none.body()).contains("must name 1 to 20 labels");
    assertThat(api.get("/api/v1/integrations/" + id).get("grouping").get("by").asString())
        .isEqualTo("labels");
  }

  private static String integration(String service, String name, String body) {
    return api.create("/api/v1/services/" + service + "/integrations", body).get("key").asString();
  }

  private static void trigger(String key, String dedupKey, String summary, String source) {
    HttpResponse<String> sent =
        tocsin.postJson(
            "/v2/enqueue",
            null,
            """
            {"routing_key":"%s","event_action":"trigger","dedup_key":"%s",
             "payload":{"summary":"%s","source":"%s","severity":"critical"}}
            """
                .formatted(key, dedupKey, summary, source));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
  }

  private static HttpResponse<String> event(String key, String action, String dedupKey) {
    return tocsin.postJson(
        "/v2/enqueue",
        null,
        "{\"routing_key\":\"%s\",\"event_action\":\"%s\",\"dedup_key\":\"%s\"}"
            .formatted(key, action, dedupKey));
  }

  /** How many alerts each incident of the service has, fewest first. */
  private static List<Integer> alertCounts(String service) {
    return api.incidents(service).stream().map(i -> i.get("alertCount").asInt()).sorted().toList();
  }
}
