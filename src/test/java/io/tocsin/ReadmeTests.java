package io.tocsin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README is the operator's reference: it must not fall behind the settings that exist. */
class ReadmeTests {

  @Test
  void configurationTableListsEveryEnvironmentVariableTheServerReads() throws IOException {
    String properties = Files.readString(Path.of("src/main/resources/application.properties"));
    String readme = Files.readString(Path.of("README.md"));
    Matcher variables = Pattern.compile("\\$\\{(TOCSIN_[A-Z_]+)").matcher(properties);
    List<String> names = variables.results().map(m -> m.group(1)).distinct().toList();

    assertThat(names).hasSizeGreaterThan(10);
    assertThat(names).allSatisfy(name -> assertThat(readme).contains("| `" + name + "` |"));
  }

  @Test
  void pagerDutyParagraphShowsTheClientSetupsThatTheConformanceChecksDrive() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    String pagerDuty =
        readme.substring(
            readme.indexOf("**PagerDuty Events API v2.**"), readme.indexOf("**Any HTTP client**"));
    String script = Files.readString(Path.of(".ci/conformance-pagerduty"));
    String test =
        Files.readString(
            Path.of("src/test/java/io/tocsin/ingest/PagerDutyClientConformanceTests.java"));

    assertThat(pagerDuty)
        .contains("pagerduty_configs:", "url: https://tocsin.example.com/v2/enqueue")
        .contains("PagerDutyEventsClient.create(")
        .contains("trigger({server: 'tocsin.example.com'")
        .contains("{\"status\":\"invalid event\",\"message\":\"Invalid routing key\"");
    assertThat(script)
        .contains("pagerduty_configs:", "url: \"$base/v2/enqueue\"")
        .contains("@pagerduty/pdjs@$pdjs_version", "server,");
    assertThat(test).contains("PagerDutyEventsClient.create(");
  }

  @Test
  void quickStartGivesTheStartAndTestCommands() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    String quickStart =
        readme.substring(readme.indexOf("## Quick start"), readme.indexOf("## Configuration"));

    assertThat(quickStart).contains("./mvnw spring-boot:run").contains("./mvnw verify");
  }
}
