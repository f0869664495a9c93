package io.tocsin.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The outage Tocsin was built for: the database fails, then 23 services that need it send tens of
 * thousands of alerts. It must become one incident that names the database, with every symptom on
 * it, and resolve itself when everything recovers.
 */
class IncidentStormIntegrationTests extends BothDatabasesTests {

  private static final String EMAIL = "admin@example.com";
  private static final String PASSWORD = "correct horse battery staple";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration WAIT = Duration.ofMinutes(5);

  /** Alerts sent after the database alert, repeats included, as in the outage report. */
  private static final int SENT = 46_769;

  /** Distinct symptom alerts among them; the rest are re-sends, as Prometheus makes. */
  private static final int DISTINCT = 40_000;

  private static final int BATCH = 500;
  private static final String[] SYMPTOMS = {
    "PrometheusTargetDown", "APIServiceUnhealthy", "HighApiErrorRate", "HighLatency"
  };

  @Test
  void aDatabaseOutageWithTensOfThousandsOfSymptomsIsOneIncidentThatResolvesItself()
      throws Exception {
    try (TocsinHarness tocsin =
        TocsinHarness.start(
            schema().url(),
            schema().user(),
            schema().password(),
            Files.createTempDirectory("tocsin-storm"),
            Map.of("tocsin.admin.email", EMAIL, "tocsin.admin.password", PASSWORD))) {
      String admin = "Bearer " + tocsin.adminToken(EMAIL, PASSWORD);
      Map<String, String> keys = new LinkedHashMap<>();
      String postgres = createService(tocsin, admin, "postgres", List.of());
      keys.put("postgres", key(tocsin, admin, postgres));
      List<String> symptomatic = new ArrayList<>();
      String api1 = null;
      for (int i = 1; i <= 12; i++) {
        String id = createService(tocsin, admin, "api-" + i, List.of(postgres));
        api1 = api1 == null ? id : api1;
        keys.put("api-" + i, key(tocsin, admin, id));
        symptomatic.add("api-" + i);
      }
      for (int i = 1; i <= 8; i++) {
        String id = createService(tocsin, admin, "worker-" + i, List.of(postgres));
        keys.put("worker-" + i, key(tocsin, admin, id));
        symptomatic.add("worker-" + i);
      }
      for (int i = 1; i <= 3; i++) {
        // Through api-1: a dependency two hops away.
        String id = createService(tocsin, admin, "frontend-" + i, List.of(api1));
        keys.put("frontend-" + i, key(tocsin, admin, id));
        symptomatic.add("frontend-" + i);
      }
      assertThat(keys).hasSize(24);

      String database =
          "{\"labels\":{\"alertname\":\"DatabaseUnavailable\",\"cluster\":\"prod\","
              + "\"severity\":\"critical\"},\"annotations\":{\"summary\":\"postgres is down\"}%s}";
      post(tocsin, keys.get("postgres"), "[" + database.formatted("") + "]");

      List<List<String>> batches = symptomBatches(symptomatic, "");
      int sent = 0;
      for (int i = 0; sent < SENT; i = (i + 1) % batches.size()) {
        List<String> batch = batches.get(i);
        List<String> alerts = batch.subList(1, Math.min(batch.size(), 1 + SENT - sent));
        post(tocsin, keys.get(batch.get(0)), "[" + String.join(",", alerts) + "]");
        sent += alerts.size();
      }
      assertThat(sent).isEqualTo(SENT);

      JsonNode incident =
          await()
              .atMost(WAIT)
              .pollInterval(Duration.ofSeconds(1))
              .until(
                  () -> onlyOpenIncident(tocsin, admin),
                  found -> found != null && found.get("alertCount").asInt() == 1 + DISTINCT);
      String id = incident.get("id").asString();
      JsonNode detail = get(tocsin, admin, "/api/v1/incidents/" + id);
      assertThat(detail.get("incident").get("service").get("name").asString())
          .isEqualTo("postgres");
      assertThat(detail.get("incident").get("probableCause").get("name").asString())
          .isEqualTo("postgres");
      assertThat(detail.get("incident").get("title").asString()).isEqualTo("postgres is down");
      List<String> affected = new ArrayList<>();
      detail.get("affectedServices").forEach(s -> affected.add(s.get("name").asString()));
      assertThat(affected.get(0)).isEqualTo("postgres");
      assertThat(affected).containsExactlyInAnyOrderElementsOf(keys.keySet());
      int symptoms =
          get(tocsin, admin, "/api/v1/incidents?status=open,acknowledged,in_progress")
              .get("items")
              .size();
      assertThat(symptoms).as("no other open incident").isEqualTo(1);
      JsonNode timeline = detail.get("timeline").get("items");
      assertThat(timeline.size()).as("the storm is summarised").isLessThanOrEqualTo(5);
      int attached = 0;
      for (JsonNode entry : timeline) {
        if (entry.get("kind").asString().equals("alerts_attached")) {
          attached += entry.get("alertCount").asInt();
        }
      }
      assertThat(attached).as("the summaries count every symptom").isEqualTo(DISTINCT);
      JsonNode firstSymptom =
          get(tocsin, admin, "/api/v1/incidents/" + id + "/alerts?limit=2").get("items").get(1);
      assertThat(firstSymptom.get("role").asString()).isEqualTo("symptom");

      String ended = ",\"endsAt\":\"" + Instant.now().minusSeconds(1) + "\"";
      post(tocsin, keys.get("postgres"), "[" + database.formatted(ended) + "]");
      for (List<String> batch : symptomBatches(symptomatic, ended)) {
        post(
            tocsin,
            keys.get(batch.get(0)),
            "[" + String.join(",", batch.subList(1, batch.size())) + "]");
      }
      JsonNode resolved =
          await()
              .atMost(WAIT)
              .pollInterval(Duration.ofSeconds(1))
              .until(
                  () -> get(tocsin, admin, "/api/v1/incidents/" + id).get("incident"),
                  found -> found.get("status").asString().equals("resolved"));
      assertThat(resolved.get("resolvedBy").asString()).isEqualTo("Tocsin");
      assertThat(resolved.get("firingAlertCount").asInt()).isZero();
      assertThat(
              get(tocsin, admin, "/api/v1/incidents/" + id + "/metrics")
                  .get("mttrSeconds")
                  .isNumber())
          .as("MTTR is recorded")
          .isTrue();
    }
  }

  /**
   * The distinct symptom alerts in batches of one service each: the service name first, then the
   * alerts. Services take turns, as in a real storm.
   */
  private static List<List<String>> symptomBatches(List<String> services, String ended) {
    List<List<String>> batches = new ArrayList<>();
    Map<String, List<String>> open = new LinkedHashMap<>();
    for (int n = 0; n < DISTINCT; n++) {
      String service = services.get(n % services.size());
      String alertname = SYMPTOMS[(n / services.size()) % SYMPTOMS.length];
      String alert =
          "{\"labels\":{\"alertname\":\""
              + alertname
              + "\",\"cluster\":\"prod\",\"pod\":\""
              + service
              + "-"
              + n
              + "\",\"severity\":\"critical\"},\"annotations\":{\"summary\":\""
              + alertname
              + " on "
              + service
              + "\"}"
              + ended
              + "}";
      List<String> batch = open.computeIfAbsent(service, s -> new ArrayList<>(List.of(s)));
      batch.add(alert);
      if (batch.size() == BATCH + 1) {
        batches.add(batch);
        open.remove(service);
      }
    }
    batches.addAll(open.values());
    return batches;
  }

  private static JsonNode onlyOpenIncident(TocsinHarness tocsin, String admin) {
    JsonNode items = get(tocsin, admin, "/api/v1/incidents?status=open").get("items");
    return items.size() == 1 ? items.get(0) : null;
  }

  private static String createService(
      TocsinHarness tocsin, String admin, String name, List<String> dependencies) {
    HttpResponse<String> created =
        tocsin.postJson(
            "/api/v1/services",
            admin,
            "{\"name\":\""
                + name
                + "\",\"dependencies\":"
                + JSON.writeValueAsString(dependencies)
                + "}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return JSON.readTree(created.body()).get("id").asString();
  }

  private static String key(TocsinHarness tocsin, String admin, String service) {
    return "Bearer "
        + tocsin
            .createIntegration(admin.substring(7), service, "prometheus", "alertmanager")
            .get("key");
  }

  private static void post(TocsinHarness tocsin, String key, String alerts) {
    HttpResponse<String> response = tocsin.postJson("/api/v2/alerts", key, alerts);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static JsonNode get(TocsinHarness tocsin, String admin, String path) {
    HttpResponse<String> response =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri(path)).header("Authorization", admin).GET().build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
