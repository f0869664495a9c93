package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.Api;
import io.tocsin.testing.BrowserTests;
import io.tocsin.testing.RecordingHttpServer;
import io.tocsin.testing.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What a change would have paged, in Debian's headless Chromium: the configuration page replays the
 * last 7 days under an edited document and shows both outcomes with the incidents that differ
 * linked to the real ones; the services page lists the dependencies the history suggests, and
 * accepting one adds it. On a clock the test moves, to make a history of hours in seconds.
 */
class ReplayBrowserTests extends BrowserTests {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final TestClock CLOCK =
      new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

  /** The test's clock in place of the system's; a harness source, not a scanned configuration. */
  static class ClockConfiguration {
    @Bean
    @Primary
    Clock testClock() {
      return CLOCK;
    }
  }

  @Override
  protected Class<?>[] sources() {
    return new Class<?>[] {ClockConfiguration.class};
  }

  @Test
  void theConfigurationPageReplaysTheLastWeekUnderAnEditedDocumentSideBySide()
      throws java.io.IOException {
    Api.Service cache = api.service("cache", "");
    Api.Service shop = api.service("shop", "");
    String me = api.get("/api/v1/users/me").get("id").asString();
    RecordingHttpServer receiver = RecordingHttpServer.started();
    api.verifiedWebhook(me, receiver);
    String policy = api.policyPaging(me);
    api.follow(cache, policy);
    api.follow(shop, policy);
    api.fire(cache, Api.alert("CacheDown"));
    api.awaitOpenIncident(cache.id());
    CLOCK.advance(Duration.ofSeconds(20));
    api.fire(shop, Api.alert("ShopErrors"));
    JsonNode real = api.awaitOpenIncident(shop.id());
    CLOCK.advance(Duration.ofMinutes(10));
    ObjectNode document =
        (ObjectNode) YAML.readTree(api.send("GET", "/api/v1/config/export", null).body());
    for (JsonNode service : document.get("services")) {
      if (service.get("name").asString().equals(shop.name())) {
        ((ObjectNode) service).putArray("dependsOn").add(cache.name());
      }
    }

    signIn();
    open("/admin/configuration");
    assertAccessible("/admin/configuration");
    WebElement text = browser.findElement(By.id("document"));
    assertThat(text.getAttribute("value")).contains(shop.name(), cache.name());
    ((JavascriptExecutor) browser)
        .executeScript(
            "arguments[0].value = arguments[1];", text, YAML.writeValueAsString(document));
    browser.findElement(By.id("replay")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("outcomes")));

    assertThat(browser.findElement(By.id("changes")).getText())
        .contains("update service " + shop.name() + " [dependsOn]");
    List<Integer> opened =
        browser
            .findElements(By.cssSelector("#outcomes tbody tr"))
            .get(0)
            .findElements(By.tagName("td"))
            .stream()
            .map(cell -> Integer.parseInt(cell.getText()))
            .toList();
    assertThat(opened.get(1) - opened.get(2))
        .as("the shop's incident joins the cache's: one fewer opened, whatever else the week had")
        .isEqualTo(1);
    WebElement gone = browser.findElement(By.id("gone"));
    assertThat(gone.findElements(By.tagName("li"))).hasSize(1);
    assertThat(gone.getText()).contains("ShopErrors");
    WebElement link = gone.findElement(By.partialLinkText("real incident #"));
    assertThat(link.getText()).contains("#" + real.get("number").asLong());
    wait(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#pages-chart canvas")));
    assertThat(browser.findElement(By.id("people")).getText())
        .as("the first page of each incident, and then only the cache's")
        .contains("2 → 1");
    assertAccessible("/admin/configuration/replays/{id}");

    link.click();
    wait(ExpectedConditions.urlContains("/incidents/" + real.get("number").asLong()));
    receiver.close();
  }

  @Test
  void aSuggestedDependencyIsListedOnTheServicesPageUntilAccepted() {
    Api.Service queue = api.service("queue", "");
    Api.Service worker = api.service("worker", "");
    for (int round = 1; round <= 5; round++) {
      for (Api.Service service : List.of(queue, worker)) {
        api.fire(service, Api.alert(service.name() + "Failing"));
        int opened = round;
        await().atMost(WAIT).until(() -> api.incidents(service.id()).size() == opened);
        CLOCK.advance(Duration.ofSeconds(30));
      }
      for (Api.Service service : List.of(queue, worker)) {
        api.fire(
            service,
            Api.alert(service.name() + "Failing")
                .replace("}}", "},\"endsAt\":\"" + CLOCK.instant() + "\"}"));
        await()
            .atMost(WAIT)
            .until(
                () ->
                    api.incidents(service.id()).stream()
                        .allMatch(i -> i.get("status").asString().equals("resolved")));
      }
      CLOCK.advance(Duration.ofHours(1));
    }
    JsonNode suggested = api.ok("POST", "/api/v1/dependency-suggestions/look", null);
    String id =
        suggested
            .valueStream()
            .filter(s -> s.get("service").get("name").asString().equals(worker.name()))
            .findFirst()
            .orElseThrow()
            .get("id")
            .asString();

    signIn();
    open("/services");
    WebElement suggestion = browser.findElement(By.id("suggestion-" + id));
    assertThat(suggestion.getText())
        .contains(worker.name() + " depends on " + queue.name(), "5 of " + queue.name());
    assertAccessible("/services with a suggestion");
    suggestion.findElement(By.xpath(".//button[text()='Accept']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("notice")));

    assertThat(browser.findElement(By.id("notice")).getText())
        .isEqualTo("Added the dependency: " + worker.name() + " depends on " + queue.name() + ".");
    assertThat(browser.findElements(By.id("suggestion-" + id))).isEmpty();
    assertThat(
            api.get("/api/v1/services/" + worker.id())
                .get("dependencies")
                .valueStream()
                .map(JsonNode::asString)
                .toList())
        .containsExactly(queue.id());
  }
}
