package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.Api;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v2/status} with the key of an integration that has routing rules: its rules as
 * the Alertmanager routing tree that {@code amtool config routes} prints ({@code
 * .ci/conformance-routing} runs amtool itself on a table of alerts).
 */
// PostgreSQL only: the classes still on H2 send each of its statements there (.ci/sql-coverage).
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class RoutingTreeIntegrationTests extends HarnessTests {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  @SuppressWarnings("unchecked")
  void theStatusOfARoutingKeyIsItsRulesAsATree() {
    Api.Service platform = api.service("platform", "");
    Api.Service payments = api.service("payments", "");
    Api.Service cache = api.service("cache.eu", "");
    String integration =
        api.route(
            platform,
            """
        {"rules":[
          {"name":"no watchdogs","match":[{"name":"alertname","value":"Watchdog"}],"drop":true},
          {"name":"pd","match":[{"name":"custom_details.region","value":"eu"}],"drop":true},
          {"name":"team","match":[{"name":"team","operator":"!=","value":""}],
           "setLabels":{"routed":"yes"},"continue":true},
          {"name":"payments","match":[{"name":"job","operator":"=~","value":"pay.*"}],
           "service":"%s","continue":true},
          {"name":"by label","serviceFromLabel":"service","service":"%s"}]}
        """
                .formatted(payments.name(), cache.name()));

    Map<String, Object> config = configuration(basic(platform));

    Map<String, Object> route = (Map<String, Object>) config.get("route");
    assertThat(route.get("receiver")).isEqualTo(platform.name());
    List<Map<String, Object>> routes = (List<Map<String, Object>>) route.get("routes");
    assertThat(routes)
        .as("the custom_details rule, which no label set matches, is not shown")
        .extracting(r -> r.get("receiver"))
        .containsExactly("tocsin-drop", platform.name(), payments.name(), cache.name());
    assertThat(routes.get(0).get("matchers")).isEqualTo(List.of("alertname=\"Watchdog\""));
    assertThat(routes.get(0)).doesNotContainKey("continue");
    assertThat(routes.get(1).get("matchers")).isEqualTo(List.of("team!=\"\""));
    assertThat(routes.get(1).get("continue")).isEqualTo(true);
    assertThat(routes.get(2).get("matchers")).isEqualTo(List.of("job=~\"pay.*\""));
    assertThat(routes.get(2).get("continue")).isEqualTo(true);
    assertThat(routes.get(3)).doesNotContainKeys("matchers", "continue");
    List<Map<String, Object>> byLabel = (List<Map<String, Object>>) routes.get(3).get("routes");
    assertThat(byLabel)
        .contains(
            Map.of(
                "receiver",
                cache.name(),
                "matchers",
                List.of("service=~\"(?i)" + cache.name().replace(".", "\\\\.") + "\"")),
            Map.of(
                "receiver",
                payments.name(),
                "matchers",
                List.of("service=~\"(?i)" + payments.name() + "\"")));
    assertThat((List<Map<String, Object>>) config.get("receivers"))
        .extracting(r -> r.get("name"))
        .contains(platform.name(), "tocsin-drop", payments.name(), cache.name())
        .doesNotHaveDuplicates();
  }

  @Test
  @SuppressWarnings("unchecked")
  void withoutRulesOrWithAPersonsTokenTheStatusIsOneReceiverPerService() {
    Api.Service plain = api.service("plain", "");

    for (String authorization : List.of(plain.key(), "Bearer " + tocsin.adminToken())) {
      Map<String, Object> route = (Map<String, Object>) configuration(authorization).get("route");
      assertThat(route.get("receiver")).as(authorization).isEqualTo("tocsin");
      assertThat((List<Map<String, Object>>) route.get("routes"))
          .contains(
              Map.of(
                  "receiver",
                  plain.name(),
                  "matchers",
                  List.of("tocsin_service=\"" + plain.name() + "\"")));
    }
  }

  private static String basic(Api.Service service) {
    String key = service.key().substring("Bearer ".length());
    return "Basic "
        + Base64.getEncoder().encodeToString(("amtool:" + key).getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, Object> configuration(String authorization) {
    HttpResponse<String> status =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri("/api/v2/status"))
                .header("Authorization", authorization)
                .GET()
                .build());
    assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
    String yaml = JSON.readTree(status.body()).get("config").get("original").asString();
    return new Yaml().load(yaml);
  }
}
