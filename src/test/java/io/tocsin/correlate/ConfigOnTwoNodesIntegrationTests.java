package io.tocsin.correlate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.Api;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Each node keeps silences, inhibition rules, services and integrations' grouping in memory. A
 * change made through one node must decide how the other node correlates the very next alert, with
 * no wait: the second node's copies are warm before each change, so a copy kept too long correlates
 * by the old settings and fails the test.
 */
// PostgreSQL only: several nodes share a PostgreSQL database; the embedded H2 is one node's.
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class ConfigOnTwoNodesIntegrationTests extends HarnessTests {

  private static final String SECRET = "config-two-nodes-secret-key-0123456789abcdef";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Override
  protected Map<String, Object> settings() {
    return Map.of("tocsin.secret-key", SECRET);
  }

  @Test
  void aChangeMadeOnOneNodeDecidesHowTheOtherCorrelatesItsNextAlert() throws IOException {
    Api.Service service = api.service("two-nodes", "");
    try (TocsinHarness second = anotherNode(Map.of("tocsin.secret-key", SECRET))) {
      Api other = api.on(second);
      other.fire(service, Api.alert("Warm"));
      awaitIncidents(service, 1);

      HttpResponse<String> silence =
          api.send(
              "POST",
              "/api/v2/silences",
              """
                  {"matchers":[{"name":"alertname","value":"Hushed","isRegex":false,"isEqual":true}],
                   "startsAt":"%s","endsAt":"%s","createdBy":"ops","comment":"known"}
                  """
                  .formatted(Instant.now().minusSeconds(1), Instant.now().plusSeconds(3600)));
      assertThat(silence.statusCode()).as(silence.body()).isEqualTo(200);
      other.fire(service, Api.alert("Hushed"), Api.alert("Loud"));
      assertThat(titles(awaitIncidents(service, 2)))
          .as("the silence made on the first node mutes the second node's next alert")
          .containsExactlyInAnyOrder("Warm summary", "Loud summary");

      api.ok(
          "PATCH",
          "/api/v1/services/" + service.id(),
          "{\"groupBy\":[\"alertname\",\"instance\"]}");
      other.fire(
          service,
          Api.alert("Split", "instance", "a"),
          Api.alert("Split", "instance", "b"),
          Api.alert("Closing"));
      assertThat(titles(awaitIncidents(service, 5)))
          .as("the grouping changed on the first node splits the second node's next alerts")
          .containsExactlyInAnyOrder(
              "Warm summary", "Loud summary", "Split summary", "Split summary", "Closing summary");
    }
  }

  /** Waits until the service has {@code count} incidents, the last alert's among them. */
  private static List<JsonNode> awaitIncidents(Api.Service service, int count) {
    await().atMost(WAIT).until(() -> api.incidents(service.id()).size() >= count);
    return api.incidents(service.id());
  }

  private static List<String> titles(List<JsonNode> incidents) {
    return incidents.stream().map(i -> i.get("title").asString()).toList();
  }
}
