package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.integration.Integration;
import io.tocsin.directory.integration.IntegrationKind;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The snippets a sender pastes, as its own configuration reads them. */
class IntegrationSnippetsTests {

  private static final String BASE = "https://tocsin.example.com";
  private static final String KEY = "tik_abc";

  @Test
  void grafanasProvisionedContactPointPostsToTheGrafanaWebhookWithTheKeyAsBearer() {
    List<IntegrationSnippets.Snippet> snippets =
        IntegrationSnippets.of(integration(IntegrationKind.GRAFANA), BASE, KEY);

    assertThat(snippets).hasSize(2);
    assertThat(snippets.get(0).text())
        .contains("URL: " + BASE + "/api/v1/webhooks/grafana")
        .contains("HTTP Method: POST")
        .contains("Authorization Header - Scheme: Bearer")
        .contains("Authorization Header - Credentials: " + KEY)
        .contains("the key as password");
    JsonNode file = YAMLMapper.builder().build().readTree(snippets.get(1).text());
    assertThat(file.get("apiVersion").asInt()).isEqualTo(1);
    JsonNode receiver = file.get("contactPoints").get(0).get("receivers").get(0);
    assertThat(receiver.get("type").asString()).isEqualTo("webhook");
    JsonNode settings = receiver.get("settings");
    assertThat(settings.get("url").asString()).isEqualTo(BASE + "/api/v1/webhooks/grafana");
    assertThat(settings.get("httpMethod").asString()).isEqualTo("POST");
    assertThat(settings.get("authorization_scheme").asString()).isEqualTo("Bearer");
    assertThat(settings.get("authorization_credentials").asString()).isEqualTo(KEY);
  }

  @Test
  void everyKindHasASnippet() {
    for (IntegrationKind kind : EnumSet.allOf(IntegrationKind.class)) {
      assertThat(IntegrationSnippets.of(integration(kind), BASE, KEY)).as(kind.name()).isNotEmpty();
    }
  }

  private static Integration integration(IntegrationKind kind) {
    return new Integration(
        UUID.randomUUID(),
        UUID.randomUUID(),
        "sender",
        kind,
        Grouping.defaultFor(kind),
        1,
        Instant.EPOCH,
        Instant.EPOCH,
        kind == IntegrationKind.EMAIL
            ? new Integration.Email("alerts-abc@tocsin.example.com", null, null)
            : null);
  }
}
