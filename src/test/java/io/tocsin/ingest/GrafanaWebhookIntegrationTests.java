package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.Api;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Grafana Alerting's webhook contact point posts to {@code /api/v1/webhooks/grafana}: each alert of
 * a notification fires and resolves on its own, with Grafana's links and values.
 *
 * <p>The fixture {@code grafana-webhook-firing.json} is, unchanged, the example payload of
 * Grafana's documentation, "Configure the webhook notifier for Alerting"
 * (https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/;
 * its source is {@code
 * docs/sources/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier.md}
 * in grafana/grafana at commit 06bab5c0fa2358f353e8f1e02e6f872e4ae7a365). Its {@code dashboardURL}
 * and {@code panelURL} are empty, as Grafana sends them for a rule without a dashboard; where a
 * test fills them, the URLs are shaped as Grafana's own notifier test expects them ({@code
 * receivers/webhook/v1/webhook_test.go} in grafana/alerting).
 */
// PostgreSQL only: the classes still on H2 send each of its statements there (.ci/sql-coverage).
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class GrafanaWebhookIntegrationTests extends HarnessTests {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String MEMORY = "This alert was triggered for zone us-1";
  private static final String CPU = "This alert was triggered for zone eu-1";
  private static final String SILENCE_MEMORY =
      "https://play.grafana.org/alerting/silence/new?alertmanager=grafana"
          + "&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1";

  private static String admin;

  @Override
  protected void seed() {
    admin = adminToken;
  }

  @Test
  void theDocumentedPayloadOpensAnIncidentPerAlertWithItsTitleLabelsValuesAndLinks()
      throws IOException {
    String service = api.bareService("grafana-docs");
    String key = key(service, "grafana");

    HttpResponse<String> sent = post("Bearer " + key, documented());

    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    await().atMost(WAIT).until(() -> api.incidents(service).size() == 2);
    JsonNode incident = api.incident(service, MEMORY);
    assertThat(incident.get("status").asString()).isEqualTo("open");
    JsonNode alert = onlyAlert(incident);
    assertThat(alert.get("summary").asString()).isEqualTo(MEMORY);
    assertThat(alert.get("status").asString()).isEqualTo("firing");
    JsonNode details = alert.get("details");
    assertThat(JSON.treeToValue(details.get("labels"), Map.class))
        .isEqualTo(Map.of("alertname", "High memory usage", "team", "blue", "zone", "us-1"));
    assertThat(details.get("annotations").get("runbook_url").asString())
        .isEqualTo("https://myrunbook.com/runbook/1234");
    assertThat(details.get("generatorUrl").asString())
        .isEqualTo("https://play.grafana.org/alerting/1afz29v7z/edit");
    assertThat(links(details))
        .as("empty dashboardURL and panelURL are no links")
        .containsExactly("Silence in Grafana -> " + SILENCE_MEMORY);
    assertThat(details.get("details").toString()).isEqualTo("{\"B\":44.23943737541908,\"C\":1}");
    assertThat(Instant.parse(details.get("startsAt").asString()))
        .isEqualTo(Instant.parse("2021-10-12T07:51:03.157076Z"));
    assertThat(
            onlyAlert(api.incident(service, CPU))
                .get("details")
                .get("labels")
                .get("zone")
                .asString())
        .isEqualTo("eu-1");
  }

  @Test
  void aResolvedAlertResolvesItsIncidentWhileItsGroupmateFiresOn() throws IOException {
    String service = api.bareService("grafana-resolve");
    String key = key(service, "grafana");
    assertThat(post("Bearer " + key, documented()).statusCode()).isEqualTo(200);
    await().atMost(WAIT).until(() -> api.incidents(service).size() == 2);

    // Grafana's next notification of the group: the first alert resolved, the second still firing.
    String resolved =
        edit(
            documented(),
            alerts -> {
              ObjectNode first = (ObjectNode) alerts.get(0);
              first.put("status", "resolved");
              first.put("endsAt", Instant.now().toString());
            });
    HttpResponse<String> sent = post("Bearer " + key, resolved);

    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    await().atMost(WAIT).until(() -> api.status(service, MEMORY).equals("resolved"));
    assertThat(api.status(service, CPU)).isEqualTo("open");
    assertThat(api.incidents(service)).as("a resend of a firing alert opens nothing").hasSize(2);
  }

  @Test
  void dashboardPanelAndImageBecomeLinksAndGrafanasOwnLabelsAreKept() throws IOException {
    String service = api.bareService("grafana-links");
    String key = key(service, "grafana");
    String payload =
        edit(
            documented(),
            alerts -> {
              ObjectNode first = (ObjectNode) alerts.get(0);
              ((ObjectNode) first.get("labels")).put("grafana_folder", "Databases");
              first.put("dashboardURL", "http://localhost/d/abcd?orgId=1");
              first.put("panelURL", "http://localhost/d/abcd?orgId=1&viewPanel=efgh");
              first.put("imageURL", "https://images.example.com/abcd.png");
            });

    // The contact point's HTTP Basic Authentication: any user name, the key as password.
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("grafana:" + key).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> sent = post(basic, payload);

    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    await().atMost(WAIT).until(() -> api.incidents(service).size() == 2);
    JsonNode details = onlyAlert(api.incident(service, MEMORY)).get("details");
    assertThat(links(details))
        .containsExactly(
            "Dashboard -> http://localhost/d/abcd?orgId=1",
            "Panel -> http://localhost/d/abcd?orgId=1&viewPanel=efgh",
            "Image -> https://images.example.com/abcd.png",
            "Silence in Grafana -> " + SILENCE_MEMORY);
    assertThat(details.get("labels").get("grafana_folder").asString()).isEqualTo("Databases");
    assertThat(details.get("labels").get("alertname").asString()).isEqualTo("High memory usage");
  }

  @Test
  void aKeyOfAnotherKindIsRefusedAndAGrafanaKeyFitsNoOtherEndpoint() throws IOException {
    String service = api.bareService("grafana-kinds");
    String grafana = key(service, "grafana");
    String alertmanager = key(service, "alertmanager");

    HttpResponse<String> wrongKind = post("Bearer " + alertmanager, documented());
    assertThat(wrongKind.statusCode()).isEqualTo(403);
    assertThat(wrongKind.body())
        .contains("integration-kind-mismatch")
        .contains("this endpoint takes grafana keys");
    HttpResponse<String> elsewhere =
        tocsin.postJson("/api/v1/webhooks/alertmanager", "Bearer " + grafana, "{\"alerts\":[]}");
    assertThat(elsewhere.statusCode()).isEqualTo(403);
    assertThat(post(null, documented()).statusCode()).isEqualTo(401);
    assertThat(post("Bearer tik_unknown", documented()).statusCode()).isEqualTo(401);
    assertThat(storedAlerts(service)).isZero();
  }

  @Test
  void aMalformedAlertIsRefusedNamingItsFieldAndNothingOfTheNotificationIsStored()
      throws IOException {
    String service = api.bareService("grafana-bad");
    String key = key(service, "grafana");
    Map<String, Consumer<JsonNode>> breakages = new HashMap<>();
    breakages.put("alerts[1].status", alerts -> ((ObjectNode) alerts.get(1)).put("status", "ok"));
    breakages.put(
        "alerts[1].startsAt", alerts -> ((ObjectNode) alerts.get(1)).put("startsAt", "yesterday"));
    breakages.put(
        "alerts[0].panelURL", alerts -> ((ObjectNode) alerts.get(0)).put("panelURL", "/d/abcd"));
    breakages.put(
        "alerts[0].values.B",
        alerts -> ((ObjectNode) alerts.get(0).get("values")).put("B", "high"));
    breakages.put(
        "alerts[1].labels",
        alerts -> ((ObjectNode) alerts.get(1)).set("labels", JSON.createObjectNode()));

    for (Map.Entry<String, Consumer<JsonNode>> breakage : breakages.entrySet()) {
      HttpResponse<String> refused = post("Bearer " + key, edit(documented(), breakage.getValue()));

      assertThat(refused.statusCode()).as(refused.body()).isBetween(400, 499);
      assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(refused.body()).contains("\"field\":\"" + breakage.getKey() + "\"");
    }
    HttpResponse<String> notJson = post("Bearer " + key, "{\"alerts\":[");
    assertThat(notJson.statusCode()).isEqualTo(400);
    HttpResponse<String> nullAlert = post("Bearer " + key, "{\"alerts\":[null]}");
    assertThat(nullAlert.statusCode()).isEqualTo(422);
    assertThat(nullAlert.body()).contains("\"field\":\"alerts[0]\"");
    assertThat(storedAlerts(service)).isZero();
  }

  @Test
  void theOpenApiDescriptionListsTheEndpointWithHowItAuthenticates() {
    JsonNode description = JSON.readTree(tocsin.get("/api/openapi").body());
    JsonNode post = description.get("paths").get("/api/v1/webhooks/grafana").get("post");
    assertThat(post.get("security").toString())
        .contains("integrationKey", "integrationKeyBasic")
        .doesNotContain("apiToken");
  }

  private static String documented() throws IOException {
    try (InputStream in =
        GrafanaWebhookIntegrationTests.class.getResourceAsStream("grafana-webhook-firing.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The payload with its {@code alerts} changed by {@code change}. */
  private static String edit(String payload, Consumer<JsonNode> change) {
    JsonNode tree = JSON.readTree(payload);
    change.accept(tree.get("alerts"));
    return JSON.writeValueAsString(tree);
  }

  private static HttpResponse<String> post(String authorization, String body) {
    return tocsin.postJson("/api/v1/webhooks/grafana", authorization, body);
  }

  private static String key(String service, String kind) {
    return tocsin.createIntegration(admin, service, Api.unique(kind), kind).get("key");
  }

  private static JsonNode onlyAlert(JsonNode incident) {
    JsonNode items =
        api.get("/api/v1/incidents/" + incident.get("id").asString() + "/alerts").get("items");
    assertThat(items).hasSize(1);
    return items.get(0);
  }

  private static List<String> links(JsonNode details) {
    List<String> links = new ArrayList<>();
    details
        .get("links")
        .forEach(l -> links.add(l.get("text").asString() + " -> " + l.get("href").asString()));
    return links;
  }

  private static int storedAlerts(String service) {
    return JdbcClient.create(schema().dataSource())
        .sql("SELECT COUNT(*) FROM ingest_alert WHERE service_id = :service")
        .param("service", java.util.UUID.fromString(service))
        .query(Integer.class)
        .single();
  }
}
