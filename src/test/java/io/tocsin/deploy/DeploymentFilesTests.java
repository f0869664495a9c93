package io.tocsin.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * There is no Docker engine on the build machine, so the container files are checked for the
 * properties that matter instead of being run: they parse, secrets stay out of them, PostgreSQL is
 * health-checked and waited for, and the image runs as a non-root user with a health check.
 */
class DeploymentFilesTests {

  private static final Pattern PINNED_IMAGE = Pattern.compile("[\\w./-]+:\\d[\\w.-]*");

  @Test
  @SuppressWarnings("unchecked")
  void composeWaitsForAHealthyPostgresAndTakesSecretsOnlyFromDotEnv() throws IOException {
    String text = Files.readString(Path.of("docker-compose.yml"));
    Map<String, Object> compose = new Yaml().load(text);
    Map<String, Map<String, Object>> services =
        (Map<String, Map<String, Object>>) compose.get("services");

    Map<String, Object> postgres = services.get("postgres");
    assertThat((String) postgres.get("image")).matches(PINNED_IMAGE);
    assertThat(((Map<String, Object>) postgres.get("healthcheck")).get("test").toString())
        .contains("pg_isready");

    Map<String, Object> tocsin = services.get("tocsin");
    assertThat(tocsin.get("depends_on"))
        .isEqualTo(Map.of("postgres", Map.of("condition", "service_healthy")));
    assertThat(tocsin.get("env_file")).isEqualTo(".env");
    assertThat((List<String>) tocsin.get("volumes")).anyMatch(v -> v.startsWith("tocsin-data:"));
    assertThat((Map<String, Object>) compose.get("volumes"))
        .containsKeys("tocsin-data", "postgres-data");

    services.forEach(
        (name, service) ->
            ((Map<String, Object>) service.getOrDefault("environment", Map.of()))
                .forEach(
                    (variable, value) -> {
                      if (variable.matches(".*(PASSWORD|SECRET|TOKEN).*")) {
                        assertThat(value.toString())
                            .as("%s of service %s comes from .env", variable, name)
                            .startsWith("${");
                      }
                    }));
    assertThat(text).doesNotContain("TOCSIN_SECRET_KEY");
  }

  @Test
  void dotEnvIsIgnoredAndItsExampleIsCommitted() throws IOException {
    assertThat(Files.readAllLines(Path.of(".gitignore"))).contains(".env");
    assertThat(Files.readString(Path.of(".env.example")))
        .contains("TOCSIN_SECRET_KEY=")
        .contains("POSTGRES_PASSWORD=");
  }

  @Test
  void imageIsMultiStagePinnedNonRootAndHealthCheckedOnReadiness() throws IOException {
    List<String> from =
        Files.readAllLines(Path.of("Dockerfile")).stream()
            .filter(l -> l.startsWith("FROM "))
            .toList();
    String dockerfile = Files.readString(Path.of("Dockerfile"));

    assertThat(from).hasSize(2);
    assertThat(from).allSatisfy(line -> assertThat(line.split("\\s+")[1]).matches(PINNED_IMAGE));
    assertThat(from.get(1)).contains("-jre");
    assertThat(dockerfile).containsPattern("(?m)^USER 10001");
    assertThat(dockerfile).contains("HEALTHCHECK").contains("/actuator/health/readiness");
  }
}
