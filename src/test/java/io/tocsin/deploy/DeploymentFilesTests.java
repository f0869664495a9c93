package io.tocsin.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * There is no Docker engine on the build machine, so the container files are checked for the
 * properties that matter instead of being run. Every property of the compose stack is checked for
 * every service, so that a service added later cannot skip one: a health check, waiting only for
 * healthy dependencies, resource limits, rotated logs, a restart policy the engine backs off,
 * pinned images, secrets only from .env, and networks that keep PostgreSQL away from the proxy.
 * .ci/check-compose adds dclint (schema and style), promtool, amtool and haproxy -c.
 */
class DeploymentFilesTests {

  private static final Path STACK = Path.of("deploy/compose");
  private static final Path COMPOSE = STACK.resolve("compose.yaml");
  private static final Pattern PINNED_IMAGE = Pattern.compile("[\\w./-]+:v?\\d+\\.\\d+[\\w.-]*");
  private static final Pattern SECRET_NAME =
      Pattern.compile(".*(PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL).*");

  /** A value taken from .env: `${NAME}`, `${NAME:?message}` or `${NAME:-}`, never a literal. */
  private static final Pattern FROM_DOT_ENV =
      Pattern.compile("\\$\\{[A-Z][A-Z0-9_]*(:\\?[^}]*|:-)?}");

  private static final Pattern REQUIRED_VARIABLE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):\\?");

  private String composeText;
  private Map<String, Object> compose;
  private Map<String, Map<String, Object>> services;

  @BeforeEach
  @SuppressWarnings("unchecked")
  void readCompose() throws IOException {
    composeText = Files.readString(COMPOSE);
    compose = new Yaml().load(composeText);
    services = (Map<String, Map<String, Object>>) compose.get("services");
  }

  /** One check of a service of the compose file: {@code name}, its settings, soft assertions. */
  @FunctionalInterface
  private interface ServiceCheck {
    void check(SoftAssertions soft, String name, Map<String, Object> service);
  }

  /** Checks every service softly, so that one run names every service that fails, not the first. */
  private void eachService(ServiceCheck check) {
    assertSoftly(soft -> services.forEach((name, service) -> check.check(soft, name, service)));
  }

  @Test
  void stackHasTwoTocsinNodesBehindAProxyOnOnePostgresWithMonitoring() {
    assertThat(services)
        .containsOnlyKeys(
            "alertmanager", "grafana", "postgres", "prometheus", "proxy", "tocsin-1", "tocsin-2");
    assertThat(map(services.get("proxy").get("depends_on")))
        .containsOnlyKeys("tocsin-1", "tocsin-2");
    for (String node : List.of("tocsin-1", "tocsin-2")) {
      assertThat(map(services.get(node).get("depends_on"))).containsOnlyKeys("postgres");
      assertThat(map(services.get(node).get("environment")))
          .containsEntry("TOCSIN_MODE", "production")
          .containsEntry("TOCSIN_DATABASE_URL", "jdbc:postgresql://postgres:5432/tocsin");
    }
    assertThat(map(services.get("postgres").get("healthcheck")).get("test").toString())
        .contains("pg_isready");
  }

  @Test
  void theTwoNodesDifferOnlyInTheirNames() {
    assertThat(services.get("tocsin-2")).isEqualTo(services.get("tocsin-1"));
  }

  @Test
  void everyServiceHasAHealthCheck() {
    eachService(
        (soft, name, service) -> {
          Map<String, Object> healthcheck = map(service.get("healthcheck"));
          soft.assertThat(healthcheck.get("disable"))
              .as("%s: healthcheck.disable", name)
              .isNotEqualTo(true);
          List<Object> test = list(healthcheck.get("test"));
          soft.assertThat(test).as("%s: healthcheck.test", name).hasSizeGreaterThan(1);
          soft.assertThat(test.isEmpty() ? null : test.get(0))
              .as("%s: healthcheck.test runs a command", name)
              .isIn("CMD", "CMD-SHELL");
          soft.assertThat(healthcheck)
              .as("%s: healthcheck", name)
              .containsKeys("interval", "timeout", "retries", "start_period");
        });
  }

  @Test
  void everyDependencyIsWaitedForUntilHealthy() {
    eachService(
        (soft, name, service) -> {
          Object dependsOn = service.get("depends_on");
          if (dependsOn == null) {
            return;
          }
          soft.assertThat(dependsOn)
              .as("%s: depends_on is a map with a condition per dependency", name)
              .isInstanceOf(Map.class);
          map(dependsOn)
              .forEach(
                  (dependency, condition) -> {
                    soft.assertThat(map(condition).get("condition"))
                        .as("%s: condition of depends_on.%s", name, dependency)
                        .isEqualTo("service_healthy");
                    soft.assertThat(services)
                        .as("%s depends on a service of this file", name)
                        .containsKey(dependency.toString());
                  });
        });
  }

  @Test
  void everyServiceHasCpuAndMemoryLimits() {
    eachService(
        (soft, name, service) -> {
          Map<String, Object> limits =
              map(map(map(service.get("deploy")).get("resources")).get("limits"));
          soft.assertThat(limits)
              .as("%s: deploy.resources.limits", name)
              .containsKeys("cpus", "memory");
        });
  }

  @Test
  void everyServiceRotatesItsLogs() {
    eachService(
        (soft, name, service) -> {
          Map<String, Object> logging = map(service.get("logging"));
          soft.assertThat(logging.get("driver"))
              .as("%s: logging.driver", name)
              .isEqualTo("json-file");
          soft.assertThat(map(logging.get("options")))
              .as("%s: logging.options", name)
              .containsKeys("max-size", "max-file");
        });
  }

  @Test
  void everyServiceRestartsWithTheEnginesBackoff() {
    // The engine doubles the delay between restarts of a container that ran less than 10 s, up to
    // a minute, for every restart policy. deploy.restart_policy's delay and window are honoured by
    // Swarm only, so they must not stand in for that.
    eachService(
        (soft, name, service) -> {
          soft.assertThat(service.get("restart"))
              .as("%s: restart", name)
              .isEqualTo("unless-stopped");
          soft.assertThat(map(service.get("deploy")))
              .as("%s: deploy", name)
              .doesNotContainKey("restart_policy");
        });
  }

  @Test
  void everyImageIsPinnedToAnExactVersion() throws IOException {
    String projectVersion = projectVersion();
    eachService(
        (soft, name, service) -> {
          String image = String.valueOf(service.get("image"));
          soft.assertThat(image).as("%s: image", name).matches(PINNED_IMAGE);
          if (service.containsKey("build")) {
            soft.assertThat(image)
                .as("%s: the image built from this repository is tagged with its version", name)
                .isEqualTo("tocsin:" + projectVersion);
          }
        });
  }

  @Test
  void secretsComeOnlyFromDotEnvAndTheFilesItNames() throws IOException {
    assertSoftly(
        soft -> {
          services.forEach(
              (name, service) -> {
                soft.assertThat(service).as("%s: env_file", name).doesNotContainKey("env_file");
                map(service.get("environment"))
                    .forEach(
                        (variable, value) -> {
                          if (SECRET_NAME.matcher(variable.toString()).matches()) {
                            soft.assertThat(String.valueOf(value))
                                .as("%s: %s comes from .env", name, variable)
                                .matches(FROM_DOT_ENV);
                          }
                        });
              });
          map(compose.get("secrets"))
              .forEach(
                  (secret, definition) ->
                      soft.assertThat(String.valueOf(map(definition).get("file")))
                          .as("secret %s is a file that .env names", secret)
                          .matches(FROM_DOT_ENV));
        });
    assertThat(composeText).as("an integration key").doesNotContainPattern("tik_[A-Za-z0-9_-]{8,}");

    Set<String> required = new TreeSet<>();
    Matcher matcher = REQUIRED_VARIABLE.matcher(composeText);
    while (matcher.find()) {
      required.add(matcher.group(1));
    }
    Map<String, String> example = dotEnv(STACK.resolve(".env.example"));
    assertThat(example.keySet())
        .as(".env.example names every required variable")
        .containsAll(required);
    assertThat(Files.readAllLines(STACK.resolve(".gitignore"))).contains(".env", "secrets/");
  }

  @Test
  void networksKeepPostgresAwayFromTheProxyAndOnlyTheProxyPublishesPorts() {
    Map<String, Object> networks = map(compose.get("networks"));
    List<Object> proxyNetworks = networksOf("proxy");
    List<Object> postgresNetworks = networksOf("postgres");
    assertThat(postgresNetworks).isNotEmpty().doesNotContainAnyElementsOf(proxyNetworks);
    postgresNetworks.forEach(
        network ->
            assertThat(map(networks.get(network)).get("internal"))
                .as("network %s of postgres is internal", network)
                .isEqualTo(true));
    assertThat(networksOf("prometheus")).contains("monitoring");
    assertThat(networksOf("grafana")).contains("monitoring");

    eachService(
        (soft, name, service) -> {
          // A service without networks would join the default network, which every such
          // service shares.
          soft.assertThat(networksOf(name))
              .as("%s: networks", name)
              .isNotEmpty()
              .allSatisfy(network -> assertThat(networks).containsKey(network.toString()));
          soft.assertThat(service).as("%s: network_mode", name).doesNotContainKey("network_mode");
          if (!name.equals("proxy")) {
            soft.assertThat(service).as("%s: ports", name).doesNotContainKey("ports");
          }
        });
    assertThat(list(services.get("proxy").get("ports")))
        .isNotEmpty()
        .allSatisfy(port -> assertThat(port.toString()).startsWith("127.0.0.1:"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void prometheusScrapesBothNodesAndUsesThemAsItsAlertmanagersWithAKeyFile() throws IOException {
    Map<String, Object> prometheus =
        new Yaml().load(Files.readString(STACK.resolve("prometheus.yml")));
    List<String> nodes = List.of("tocsin-1:8080", "tocsin-2:8080");

    Map<String, Object> scrape =
        ((List<Map<String, Object>>) prometheus.get("scrape_configs"))
            .stream().filter(job -> "tocsin".equals(job.get("job_name"))).findFirst().orElseThrow();
    assertThat(scrape.get("metrics_path")).isEqualTo("/actuator/prometheus");
    assertThat(targets(scrape)).containsExactlyElementsOf(nodes);

    Map<String, Object> alertmanagers =
        ((List<Map<String, Object>>) map(prometheus.get("alerting")).get("alertmanagers")).get(0);
    assertThat(alertmanagers.get("api_version")).isEqualTo("v2");
    assertThat(targets(alertmanagers)).containsExactlyElementsOf(nodes);
    assertThat(map(alertmanagers.get("authorization")).get("credentials_file"))
        .isEqualTo("/run/secrets/prometheus_tocsin_key");
    assertThat(list(services.get("prometheus").get("secrets"))).contains("prometheus_tocsin_key");

    Map<String, Object> alertmanager =
        new Yaml().load(Files.readString(STACK.resolve("alertmanager.yml")));
    List<Map<String, Object>> webhooks =
        (List<Map<String, Object>>)
            ((List<Map<String, Object>>) alertmanager.get("receivers"))
                .get(0)
                .get("webhook_configs");
    assertThat(webhooks)
        .extracting(webhook -> webhook.get("url"))
        .containsExactly(
            "http://tocsin-1:8080/api/v1/webhooks/alertmanager",
            "http://tocsin-2:8080/api/v1/webhooks/alertmanager");
    assertThat(webhooks)
        .allSatisfy(
            webhook ->
                assertThat(
                        map(map(map(webhook.get("http_config")).get("authorization")))
                            .get("credentials_file"))
                    .isEqualTo("/run/secrets/alertmanager_tocsin_key"));
    assertThat(list(services.get("alertmanager").get("secrets")))
        .contains("alertmanager_tocsin_key");
  }

  @Test
  @SuppressWarnings("unchecked")
  void proxyChecksTheNodesReadinessAndGrafanaLoadsTheDashboardsItIsGiven() throws IOException {
    String haproxy = Files.readString(STACK.resolve("haproxy.cfg"));
    assertThat(haproxy)
        .contains("option httpchk GET /actuator/health/readiness")
        .containsPattern("(?m)^\\s*default-server check ")
        .containsPattern("(?m)^\\s*server tocsin-1 tocsin-1:8080 ")
        .containsPattern("(?m)^\\s*server tocsin-2 tocsin-2:8080 ");

    Map<String, Object> provider =
        ((List<Map<String, Object>>)
                map(new Yaml()
                        .load(
                            Files.readString(
                                Path.of("deploy/grafana/provisioning/dashboards/tocsin.yml"))))
                    .get("providers"))
            .get(0);
    String dashboardsPath = map(provider.get("options")).get("path").toString();
    assertThat(list(services.get("grafana").get("volumes")))
        .contains("../grafana/dashboards:" + dashboardsPath + ":ro");
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

  private static String projectVersion() throws IOException {
    Matcher version =
        Pattern.compile("</parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
            .matcher(Files.readString(Path.of("pom.xml")));
    assertThat(version.find()).as("the project's version in pom.xml").isTrue();
    return version.group(1);
  }

  private static Map<String, String> dotEnv(Path file) throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      int equals = line.indexOf('=');
      if (!line.startsWith("#") && equals > 0) {
        values.put(line.substring(0, equals).trim(), line.substring(equals + 1));
      }
    }
    return values;
  }

  private static List<Object> targets(Map<String, Object> config) {
    List<Object> targets = new ArrayList<>();
    list(config.get("static_configs")).forEach(c -> targets.addAll(list(map(c).get("targets"))));
    return targets;
  }

  /** A service's networks, written as a list or, where one needs settings, as a map. */
  private List<Object> networksOf(String service) {
    Object networks = services.get(service).get("networks");
    return networks instanceof Map<?, ?> m ? List.copyOf(m.keySet()) : list(networks);
  }

  @Test
  void theNodesBelieveForwardedAddressesFromTheProxyAlone() {
    String proxy =
        (String) map(map(services.get("proxy").get("networks")).get("edge")).get("ipv4_address");
    assertThat(proxy).as("the proxy's fixed address on edge").isNotBlank();
    Object subnet =
        list(map(map(map(compose.get("networks")).get("edge")).get("ipam")).get("config")).stream()
            .map(config -> map(config).get("subnet"))
            .findFirst()
            .orElse(null);
    assertThat(subnet).as("edge's subnet").isEqualTo("172.28.0.0/24");
    assertThat(proxy).startsWith("172.28.0.");
    for (String node : List.of("tocsin-1", "tocsin-2")) {
      assertThat(map(services.get(node).get("environment")))
          .containsEntry("TOCSIN_WEB_TRUSTED_PROXIES", proxy + "/32");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : new HashMap<>();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value) {
    return value instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
