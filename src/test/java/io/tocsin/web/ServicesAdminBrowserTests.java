package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.directory.SignInForm;
import io.tocsin.ingest.RoutingPlatform;
import io.tocsin.testing.Api;
import io.tocsin.testing.Browser;
import io.tocsin.testing.BrowserTests;
import io.tocsin.testing.RecordingHttpServer;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/**
 * The services pages and administration in Debian's headless Chromium: a service with its
 * dependency graph and setup snippets, integration keys shown once, roles, the audit trail, dead
 * letters, and what a responder may not do there.
 */
class ServicesAdminBrowserTests extends BrowserTests {

  private static final tools.jackson.databind.json.JsonMapper ROUTING_JSON =
      tools.jackson.databind.json.JsonMapper.builder().build();

  @java.lang.Override
  protected Map<String, Object> settings() {
    return Map.of(
        "tocsin.rate-limit.api-token-per-minute", "1000000",
        "tocsin.notify.retry-base", "100ms",
        "tocsin.notify.retry-cap", "1s",
        "tocsin.notify.poll-interval", "100ms");
  }

  @Test
  void aServiceShowsItsDependencyGraphAndSetupSnippetsWithTheKeyMasked() {
    Api.Service database = api.service("database", "");
    Api.Service checkout = api.service("checkout", "\"dependencies\":[\"" + database.id() + "\"]");
    Api.Service shop = api.service("shop", "\"dependencies\":[\"" + checkout.id() + "\"]");
    String me = api.get("/api/v1/users/me").get("id").asString();
    String policy = Api.unique("checkout-policy");
    String policyId =
        api.create(
                "/api/v1/escalation-policies",
                "{\"name\":\"%s\",\"levels\":[{\"delayMinutes\":30,\"targets\":[{\"type\":\"user\",\"id\":\"%s\"}]}]}"
                    .formatted(policy, me))
            .get("id")
            .asString();
    api.ok(
        "PUT",
        "/api/v1/services/" + checkout.id() + "/escalation-policy",
        "{\"policyId\":\"" + policyId + "\"}");
    signIn();

    browser.get(tocsin.uri("/services").toString());
    assertThat(browser.findElement(By.id("services")).getText()).contains(policy);
    assertAccessible("service list");
    browser.findElement(By.linkText(checkout.name())).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("dependency-graph")));
    assertThat(browser.findElement(By.id("policy")).getText())
        .contains(policy)
        .contains(api.get("/api/v1/users/me").get("name").asString());
    WebElement graph = browser.findElement(By.id("dependency-graph"));
    assertThat(graph.getAttribute("innerHTML"))
        .contains(database.name())
        .contains(shop.name())
        .contains("/services/" + database.id());
    assertThat(browser.findElement(By.id("dependency-list")).getText())
        .contains(database.name())
        .contains(shop.name());

    String snippets =
        browser.findElements(By.cssSelector("figure.snippet pre")).stream()
            .map(WebElement::getText)
            .reduce("", String::concat);
    String key = checkout.key().substring("Bearer ".length());
    assertThat(snippets)
        .contains("api_version: v2")
        .contains("scheme: http")
        .contains("targets: [\"127.0.0.1:" + tocsin.uri("/").getPort() + "\"]")
        .contains("webhook_configs:")
        .contains(tocsin.uri("/api/v1/webhooks/alertmanager").toString())
        .contains("credentials: \"" + IntegrationSnippets.MASKED + "\"")
        .doesNotContain(key);
    assertAccessible("service page");

    browser.findElement(By.id("rule-name")).sendKeys("database down");
    browser.findElement(By.id("rule-source")).sendKeys("alertname=~\"(\"");
    browser.findElement(By.xpath("//button[normalize-space()='Add the rule']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("error-source")));
    assertThat(browser.findElement(By.id("error-source")).getText()).contains("does not compile");
    assertAccessible("service page with a refused rule");
    browser.findElement(By.id("rule-name")).sendKeys(Api.unique("database down"));
    browser.findElement(By.id("rule-source")).sendKeys("alertname=\"DatabaseDown\"");
    browser.findElement(By.id("rule-equal")).sendKeys("cluster");
    browser.findElement(By.xpath("//button[normalize-space()='Add the rule']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("rule-list")));
    assertThat(browser.findElement(By.id("rule-list")).getText())
        .contains("alertname=\"DatabaseDown\"")
        .contains("tocsin_service=\"" + checkout.name() + "\"");

    browser.findElement(By.id("flapWindowMinutes")).clear();
    browser.findElement(By.id("flapWindowMinutes")).sendKeys("5000");
    browser.findElement(By.xpath("//button[normalize-space()='Save grouping']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("error-flapWindowMinutes")));
    browser.findElement(By.id("groupBy")).clear();
    browser.findElement(By.id("groupBy")).sendKeys("alertname, cluster");
    browser.findElement(By.id("flapWindowMinutes")).clear();
    browser.findElement(By.id("flapWindowMinutes")).sendKeys("15");
    browser.findElement(By.xpath("//button[normalize-space()='Save grouping']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Saved"));
    assertThat(api.get("/api/v1/services/" + checkout.id()).get("groupBy").toString())
        .isEqualTo("[\"alertname\",\"cluster\"]");
  }

  @Test
  void anAdminCreatesAnIntegrationAndRotatesItsKeySeeingEachKeyOnce() {
    Api.Service service = api.service("payments", "");
    signIn();
    browser.get(tocsin.uri("/admin/integrations").toString());
    assertAccessible("integrations administration");
    new Select(browser.findElement(By.id("integration-service")))
        .selectByVisibleText(service.name());
    String name = Api.unique("prometheus");
    browser.findElement(By.id("integration-name")).sendKeys(name);
    new Select(browser.findElement(By.id("integration-kind"))).selectByValue("alertmanager");
    browser.findElement(By.xpath("//button[normalize-space()='Add the integration']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("revealed-key")));
    String key = browser.findElement(By.id("revealed-key")).getText();
    assertThat(key).startsWith("tik_");
    assertThat(browser.findElement(By.id("new-key")).getText())
        .contains("credentials: \"" + key + "\"");
    assertAccessible("integrations administration with a new key");
    assertThat(fire(key).statusCode()).as("the key shown works").isEqualTo(200);

    browser.navigate().refresh();
    assertThat(browser.findElements(By.id("revealed-key"))).as("shown only once").isEmpty();

    browser.findElement(By.xpath("//button[@aria-label='Rotate the key of " + name + "']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("revealed-key")));
    String rotated = browser.findElement(By.id("revealed-key")).getText();
    assertThat(rotated).startsWith("tik_").isNotEqualTo(key);
    assertThat(fire(rotated).statusCode()).isEqualTo(200);
    assertThat(fire(key).statusCode()).as("the old key stopped at once").isEqualTo(401);
  }

  @Test
  void anAdminChoosesHowEachIntegrationGroupsItsAlertsIntoIncidents() {
    Api.Service service = api.service("vendor", "");
    signIn();
    open("/admin/integrations");
    new Select(browser.findElement(By.id("integration-service")))
        .selectByVisibleText(service.name());
    String name = Api.unique("pagerduty");
    browser.findElement(By.id("integration-name")).sendKeys(name);
    new Select(browser.findElement(By.id("integration-kind"))).selectByValue("pagerduty");
    browser.findElement(By.xpath("//button[normalize-space()='Add the integration']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("revealed-key")));
    String id = integrationId(service, name);
    assertThat(
            new Select(browser.findElement(By.id("group-by-" + id)))
                .getFirstSelectedOption()
                .getText())
        .as("a PagerDuty integration groups by dedup_key by default")
        .isEqualTo("dedup_key");

    new Select(browser.findElement(By.id("group-by-" + id))).selectByVisibleText("labels");
    browser
        .findElement(By.xpath("//button[@aria-label='Change the grouping of " + name + "']"))
        .click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("problem")));
    assertThat(browser.findElement(By.id("problem")).getText())
        .isEqualTo(
            "The grouping of '"
                + name
                + "' is unchanged: grouping.labels must name 1 to 20 labels to group by (by: all"
                + " groups by none)");
    assertAccessible("integrations administration refusing a grouping");

    new Select(browser.findElement(By.id("group-by-" + id))).selectByVisibleText("labels");
    browser.findElement(By.id("group-labels-" + id)).sendKeys("source, component");
    browser
        .findElement(By.xpath("//button[@aria-label='Change the grouping of " + name + "']"))
        .click();
    wait(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("notice"), "now groups by labels"));
    assertThat(api.get("/api/v1/integrations/" + id).get("grouping").toString())
        .isEqualTo("{\"by\":\"labels\",\"labels\":[\"source\",\"component\"]}");
    assertThat(browser.findElement(By.id("group-labels-" + id)).getAttribute("value"))
        .isEqualTo("source, component");

    String together = Api.unique("generic");
    new Select(browser.findElement(By.id("integration-service")))
        .selectByVisibleText(service.name());
    browser.findElement(By.id("integration-name")).sendKeys(together);
    new Select(browser.findElement(By.id("integration-kind"))).selectByValue("generic");
    new Select(browser.findElement(By.id("integration-group-by"))).selectByVisibleText("all");
    browser.findElement(By.xpath("//button[normalize-space()='Add the integration']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("revealed-key")));
    assertThat(
            api.get("/api/v1/integrations/" + integrationId(service, together))
                .get("grouping")
                .get("by")
                .asString())
        .isEqualTo("all");
  }

  @Test
  void anIntegrationsRoutingRulesAreListedTriedOnItsNewestAlertAndABadRuleIsRefused() {
    Api.Service platform = api.service("platform", "");
    Api.Service payments = api.service("payments", "");
    String integration =
        api.route(
            platform,
            """
        {"rules":[{"name":"no watchdogs","match":[{"name":"alertname","value":"Watchdog"}],
                   "drop":true},
                  {"name":"tidy","setLabels":{"team":"core"},"removeLabels":["pod"],
                   "continue":true},
                  {"name":"by label","match":[{"name":"service","operator":"=~","value":".+"}],
                   "serviceFromLabel":"service","service":"%s"}]}
        """
                .formatted(payments.name()));
    // Sent with no service label: rule #3 does not match, so it goes where no rule chose.
    api.fire(platform, Api.alert("DiskFull", "pod", "api-7", "instance", "db-1"));

    signIn();
    open("/admin/integrations");
    browser.findElement(By.linkText("am-" + platform.name())).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("routing-rules")));
    assertThat(browser.findElements(By.cssSelector("#routing-rules tbody tr")))
        .extracting(WebElement::getText)
        .containsExactly(
            "#1 no watchdogs alertname=\"Watchdog\" drop",
            "#2 tidy every alert remove pod; set team=core; continue",
            "#3 by label service=~\".+\" service from label service, else → service "
                + payments.name());
    WebElement byDefault = browser.findElement(By.id("routed-by-default"));
    assertThat(byDefault.getText())
        .startsWith("1 alert routed by default in the last hour")
        .contains(platform.name());
    assertThat(byDefault.getAttribute("class")).isEqualTo("warning");
    assertAccessible("integration page");

    assertThat(browser.findElement(By.id("labels")).getAttribute("value"))
        .as("filled from the alert just sent, as stored after the rules")
        .isEqualTo("alertname=DiskFull\ninstance=db-1\nteam=core");
    browser.findElement(By.xpath("//button[normalize-space()='Test']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("routing-decision")));
    assertThat(browser.findElement(By.id("decision-matched")).getText()).isEqualTo("#2 tidy");
    assertThat(browser.findElement(By.id("decision-rule")).getText())
        .startsWith("no rule: routed by default");
    assertThat(browser.findElement(By.id("decision-service")).getText()).isEqualTo(platform.name());

    WebElement labels = browser.findElement(By.id("labels"));
    labels.clear();
    labels.sendKeys(
        "alertname=Latency\nservice=" + payments.name() + "\npod=api-9\nseverity=warning");
    browser.findElement(By.xpath("//button[normalize-space()='Test']")).click();
    wait(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("decision-matched"), "#2 tidy, #3 by label"));
    assertThat(browser.findElement(By.id("decision-rule")).getText()).isEqualTo("#3 by label");
    assertThat(browser.findElement(By.cssSelector("#decision-service a")).getAttribute("href"))
        .endsWith("/services/" + payments.id());
    assertThat(browser.findElement(By.id("decision-severity")).getText()).isEqualTo("warning");
    assertThat(browser.findElement(By.id("decision-labels")).getText())
        .contains("team=\"core\"")
        .doesNotContain("pod=");
    assertThat(browser.findElement(By.id("decision-group-key")).getText()).isNotBlank();
    assertAccessible("integration page with a routing decision");

    labels = browser.findElement(By.id("labels"));
    labels.clear();
    labels.sendKeys("alertname=Watchdog");
    browser.findElement(By.xpath("//button[normalize-space()='Test']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("decision-dropped")));
    assertThat(browser.findElement(By.id("decision-dropped")).getText())
        .startsWith("Dropped by #1 no watchdogs");

    String bad =
        "[{\"match\":[{\"name\":\"job\",\"operator\":\"=~\",\"value\":\"(\"}],"
            + "\"service\":\""
            + payments.name()
            + "\"}]";
    WebElement rules = browser.findElement(By.id("rules"));
    rules.clear();
    rules.sendKeys(bad);
    browser.findElement(By.xpath("//button[normalize-space()='Save the rules']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("error-rules")));
    assertThat(browser.findElement(By.id("error-rules")).getText())
        .startsWith("routing[0].match[0].value: the regular expression does not compile");
    assertThat(browser.findElement(By.id("rules")).getAttribute("value"))
        .as("the admin's text comes back to be corrected")
        .isEqualTo(bad);
    assertThat(browser.findElements(By.cssSelector("#routing-rules tbody tr")))
        .as("the old rules remain")
        .hasSize(3);
    assertThat(api.get("/api/v1/integrations/" + integration + "/routing").get("rules")).hasSize(3);
    assertAccessible("integration page refusing a rule");
  }

  /**
   * The console's test form answers as the API does, on the twenty alerts of the API's table: each
   * posted as the browser posts the form (lines ending in CRLF), and three of them typed into the
   * form in Chromium.
   */
  @Test
  void theRoutingTestFormAgreesWithTheApiOnTwentyAlerts() {
    RoutingPlatform routed = RoutingPlatform.create(api, RoutingPlatform.TWENTY_ALERTS_RULES);
    String integration = routed.integration();
    Api.Service payments = routed.payments();
    Api.Service search = routed.search();
    List<String> cases =
        List.of(
            "alertname=Watchdog",
            "alertname=Watchdog\njob=payments",
            "alertname=A1\nenv=staging\njob=payments",
            "alertname=A2\nenv=prod\njob=payments",
            "alertname=A3\njob=payroll",
            "alertname=A4\njob=checkout",
            "alertname=A5\njob=checkouts",
            "alertname=A6\njob=search-api",
            "alertname=A7\njob=search-api\nseverity=info",
            "alertname=A8\njob=search-api\nseverity=warning",
            "alertname=A9\njob=search\nteam=core",
            "alertname=A10\nservice=" + payments.name(),
            "alertname=A11\nservice=" + search.name().toUpperCase(java.util.Locale.ROOT),
            "alertname=A12\nservice=gone",
            "alertname=A13",
            "alertname=A14\nteam=core",
            "alertname=A15\nservice=" + search.name() + "\nteam=core",
            "alertname=A16\njob=search-api\nservice=" + payments.name(),
            "alertname=A17\njob=web\nservice=" + payments.name(),
            "alertname=A18\nenv=prod");
    String session =
        SignInForm.session(tocsin, TocsinHarness.ADMIN_EMAIL, TocsinHarness.ADMIN_PASSWORD);
    for (String labels : cases) {
      HttpResponse<String> page =
          tocsin.send(
              HttpRequest.newBuilder(
                      tocsin.uri("/admin/integrations/" + integration + "/routing/test"))
                  .header("Cookie", "TOCSIN_SESSION=" + session + "; XSRF-TOKEN=csrf")
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "_csrf=csrf&labels="
                              + URLEncoder.encode(
                                  labels.replace("\n", "\r\n"), StandardCharsets.UTF_8)))
                  .build());
      assertThat(page.statusCode()).as(labels).isEqualTo(200);
      MatchResult decision = DECISION.matcher(page.body()).results().findFirst().orElseThrow();
      String shown = decision.group(1) != null ? decision.group(1) : decision.group(2);
      assertThat(shown).as(labels).startsWith(decided(integration, labels));
    }

    signIn();
    open("/admin/integrations/" + integration);
    for (String labels : List.of(cases.get(1), cases.get(9), cases.get(13))) {
      WebElement field = browser.findElement(By.id("labels"));
      field.clear();
      field.sendKeys(labels);
      List<WebElement> before = browser.findElements(By.id("routing-decision"));
      browser.findElement(By.xpath("//button[normalize-space()='Test']")).click();
      if (!before.isEmpty()) {
        wait(ExpectedConditions.stalenessOf(before.get(0)));
      }
      wait(ExpectedConditions.presenceOfElementLocated(By.id("routing-decision")));
      String shown =
          browser.findElements(By.id("decision-dropped")).isEmpty()
              ? browser.findElement(By.id("decision-service")).getText()
              : browser.findElement(By.id("decision-dropped")).getText();
      assertThat(shown).as(labels).startsWith(decided(integration, labels));
    }
  }

  /** The decision's words on the page: "Dropped by …", or the chosen service's link. */
  private static final Pattern DECISION =
      Pattern.compile(
          "id=\"decision-dropped\"><strong>([^<]*)</strong>"
              + "|id=\"decision-service\">\\s*<a [^>]*>([^<]*)</a>");

  /** What the API decides for the labels: "Dropped by" its rule, or the service's name. */
  private static String decided(String integration, String labels) {
    Map<String, String> asMap = new TreeMap<>();
    labels.lines().forEach(l -> asMap.put(l.split("=", 2)[0], l.split("=", 2)[1]));
    JsonNode decision =
        api.ok(
            "POST",
            "/api/v1/integrations/" + integration + "/routing/test",
            "{\"labels\":" + ROUTING_JSON.writeValueAsString(asMap) + "}");
    return decision.get("dropped").asBoolean()
        ? "Dropped by " + decision.get("rule").asString()
        : decision.get("service").asString();
  }

  private static String integrationId(Api.Service service, String name) {
    return api.get("/api/v1/services/" + service.id() + "/integrations")
        .valueStream()
        .filter(i -> i.get("name").asString().equals(name))
        .findFirst()
        .orElseThrow()
        .get("id")
        .asString();
  }

  @Test
  void anAdminChangesARoleAndFindsTheChangeInTheAuditLog() {
    String email = Api.unique("riley") + "@example.com";
    String id =
        api.create(
                "/api/v1/users",
                """
                {"name":"Riley Responder","email":"%s","role":"responder","timeZone":"UTC",
                 "password":"a long enough password"}
                """
                    .formatted(email))
            .get("id")
            .asString();
    signIn();
    browser.get(tocsin.uri("/admin").toString());
    assertAccessible("users administration");
    new Select(browser.findElement(By.id("role-" + id))).selectByVisibleText("Viewer");
    browser
        .findElement(By.xpath("//button[@aria-label='Change the role of " + email + "']"))
        .click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "is now viewer"));
    assertThat(api.get("/api/v1/users/" + id).get("role").asString()).isEqualTo("viewer");

    browser.get(tocsin.uri("/admin/teams").toString());
    String team = Api.unique("payments");
    browser.findElement(By.id("team-name")).sendKeys(team);
    browser.findElement(By.xpath("//button[normalize-space()='Add the team']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Created the team"));
    By teamSection = By.xpath("//section[h3[normalize-space()='" + team + "']]");
    new Select(browser.findElement(teamSection).findElement(By.name("userId")))
        .selectByVisibleText("Riley Responder");
    browser.findElement(By.xpath("//button[@aria-label='Add to " + team + "']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Added Riley"));
    assertThat(browser.findElement(teamSection).getText()).contains("Riley Responder (member)");
    assertAccessible("teams administration");
    browser
        .findElement(By.xpath("//button[@aria-label='Remove Riley Responder from " + team + "']"))
        .click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Removed Riley"));
    assertThat(browser.findElement(teamSection).getText()).contains("No members.");

    browser.get(tocsin.uri("/admin/audit").toString());
    browser.findElement(By.id("actor")).sendKeys(TocsinHarness.ADMIN_EMAIL);
    browser.findElement(By.id("kind")).sendKeys("user.role_changed");
    browser.findElement(By.xpath("//button[normalize-space()='Filter']")).click();
    wait(ExpectedConditions.urlContains("kind=user.role_changed"));
    String entries = browser.findElement(By.id("audit")).getText();
    assertThat(entries)
        .contains("User role changed")
        .contains("user Riley Responder")
        .doesNotContain(id)
        .contains("role responder -> viewer");
    assertThat(entries).doesNotContain("User created").doesNotContain("user.role_changed");
    assertAccessible("audit log");

    ((JavascriptExecutor) browser)
        .executeScript(
            "document.getElementById('from').value = '2020-01-01T00:00';"
                + "document.getElementById('to').value = '2021-01-01T00:00';");
    browser.findElement(By.xpath("//button[normalize-space()='Filter']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.xpath("//p[.='No entries match.']")));
  }

  @Test
  void aDeadLetterIsListedAndReplayed() throws IOException {
    try (RecordingHttpServer receiver = new RecordingHttpServer()) {
      String user = api.user("Dana");
      String method =
          api.create(
                  "/api/v1/users/" + user + "/contact-methods",
                  "{\"type\":\"webhook\",\"name\":\"hook\",\"target\":\""
                      + receiver.url("/gone")
                      + "\"}")
              .get("id")
              .asString();
      receiver.failAlways(404);
      HttpResponse<String> sent =
          api.send("POST", "/api/v1/users/" + user + "/contact-methods/" + method + "/test", null);
      assertThat(sent.statusCode()).isEqualTo(202);
      String message =
          tools.jackson.databind.json.JsonMapper.builder()
              .build()
              .readTree(sent.body())
              .get("messageId")
              .asString();
      Awaitility.await().atMost(Browser.WAIT).until(() -> status(user, message), "dead"::equals);

      signIn();
      browser.get(tocsin.uri("/admin/dead-letters").toString());
      WebElement letters = browser.findElement(By.id("dead-letters"));
      assertThat(letters.getText()).contains("Dana").contains("HTTP 404");
      assertAccessible("dead letters");
      receiver.recover();
      browser
          .findElement(
              By.cssSelector("form[action='/admin/dead-letters/" + message + "/replay'] button"))
          .click();
      wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "queued again"));
      Awaitility.await()
          .atMost(Browser.WAIT)
          .until(() -> status(user, message), "delivered"::equals);
      browser.navigate().refresh();
      assertThat(
              browser.findElements(
                  By.cssSelector("form[action='/admin/dead-letters/" + message + "/replay']")))
          .isEmpty();
    }
  }

  @Test
  void aResponderIsRefusedAdministrationAndAForgedAdminPost() {
    Api.Service service = api.service("guarded", "");
    String email = Api.unique("rory") + "@example.com";
    String id =
        api.create(
                "/api/v1/users",
                """
                {"name":"Rory Responder","email":"%s","role":"responder","timeZone":"UTC",
                 "password":"a long enough password"}
                """
                    .formatted(email))
            .get("id")
            .asString();
    signIn(email, "a long enough password");
    assertThat(browser.findElements(By.linkText("Admin"))).isEmpty();
    browser.get(tocsin.uri("/admin").toString());
    wait(ExpectedConditions.presenceOfElementLocated(By.id("not-allowed")));
    expectConsoleError("/admin", 403);
    assertAccessible("administration refused");

    assertThat(ForgedForm.post(browser, "/admin/users/" + id + "/role", "role=admin"))
        .as("a responder's forged role change")
        .isEqualTo(403);
    assertThat(
            ForgedForm.post(
                browser, "/services/" + service.id() + "/grouping", "flapWindowMinutes=1"))
        .as("a responder's forged grouping change")
        .isEqualTo(403);
    assertThat(api.get("/api/v1/users/" + id).get("role").asString()).isEqualTo("responder");

    browser.get(tocsin.uri("/services/" + service.id()).toString());
    assertThat(browser.findElements(By.id("grouping-form"))).isEmpty();
    assertThat(browser.findElements(By.id("new-rule"))).isEmpty();
  }

  @Test
  void servicesAndAdministrationFitAPhoneScreen() {
    Api.Service database = api.service("phone-db", "");
    Api.Service service =
        api.service(
            "phone-service-with-a-rather-long-name",
            "\"dependencies\":[\"" + database.id() + "\"]");
    browser.manage().window().setSize(new Dimension(360, 780));
    signIn();
    assertFitAPhone(
        List.of(
            "/services",
            "/services/" + service.id(),
            "/admin",
            "/admin/teams",
            "/admin/integrations",
            "/admin/integrations/" + integrationId(service, "am-" + service.name()),
            "/admin/audit",
            "/admin/dead-letters"));
  }

  private static HttpResponse<String> fire(String key) {
    return tocsin.postJson(
        "/api/v2/alerts", "Bearer " + key, "[" + Api.alert(Api.unique("KeyCheck")) + "]");
  }

  private static String status(String user, String message) {
    JsonNode found = api.get("/api/v1/users/" + user + "/messages/" + message);
    return found.get("status").asString();
  }
}
