package io.tocsin.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.info.BuildProperties;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI description that the server serves is the one springdoc generates from the
 * controllers of this build. When they differ, the test writes the generated one over {@code
 * src/main/resources/api/openapi.json} and fails, so that a changed API comes with its changed
 * description in the same commit.
 */
class ApiDescriptionTests {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Path COMMITTED =
      Path.of("src/main/resources").resolve(ApiDescriptionController.DESCRIPTION);
  private static final String GENERATED = "/api/openapi-from-the-controllers";

  @Test
  void theServedDescriptionIsTheOneGeneratedFromTheControllersWithTheServersVersion()
      throws IOException {
    try (TestDatabase.CleanSchema schema = TestDatabase.H2.createCleanSchema();
        TocsinHarness tocsin =
            TocsinHarness.startWithAdmin(
                schema,
                Map.of(
                    "springdoc.api-docs.enabled", "true",
                    "springdoc.api-docs.path", GENERATED,
                    "springdoc.paths-to-match", "/api/v1/**,/api/v2/**,/v2/**",
                    "springdoc.writer-with-order-by-keys", "true"),
                ApiDocsConfiguration.class)) {
      HttpResponse<String> generated =
          tocsin.send("GET", GENERATED, "Bearer " + tocsin.adminToken(), null);
      assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
      String description =
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(generated.body()))
              + "\n";
      String committed = Files.exists(COMMITTED) ? Files.readString(COMMITTED) : "";
      if (!committed.equals(description)) {
        Files.writeString(COMMITTED, description);
      }
      assertThat(committed.equals(description))
          .as(
              "%s no longer describes the controllers; it has been rewritten: review it, rebuild"
                  + " and commit it",
              COMMITTED)
          .isTrue();

      ObjectNode served = (ObjectNode) JSON.readTree(tocsin.get("/api/openapi").body());
      String version = served.get("info").get("version").asString();
      ((ObjectNode) served.get("info")).put("version", "dev");
      assertThat(served).isEqualTo(JSON.readTree(description));
      assertThat(version).isEqualTo(tocsin.bean(BuildProperties.class).getVersion());
      assertThat(tocsin.get("/api/openapi.yaml").body())
          .startsWith("---\nopenapi: ")
          .contains("/api/v1/services/{id}/dependencies:");
    }
  }
}
