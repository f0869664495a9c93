package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.Api;
import io.tocsin.testing.Browser;
import io.tocsin.testing.BrowserTests;
import io.tocsin.testing.RecordingHttpServer;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.chromium.ChromiumDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import tools.jackson.databind.JsonNode;

/**
 * The console in Debian's headless Chromium: signing in, the live dashboard, acting on an incident,
 * a phone-sized screen, and an axe-core accessibility check of every page visited.
 */
class ConsoleBrowserTests extends BrowserTests {

  /** A held first page waits 2 s, not 10: a storm's symptoms page sooner if nothing takes them. */
  @Override
  protected Map<String, Object> settings() {
    return Map.of(
        "tocsin.rate-limit.api-token-per-minute", "1000000", "tocsin.escalation.group-delay", "2s");
  }

  @Test
  void aStormWithoutACauseAlertShowsItsInferredCauseAndASymptomIsSplitOut() throws IOException {
    try (RecordingHttpServer receiver = new RecordingHttpServer()) {
      // Inference needs someone the cause's policy reaches now.
      String person = api.user("Oncall");
      api.verifiedWebhook(person, receiver);
      String policy = api.policyPaging(person);
      Api.Service postgres = api.service("postgres", "");
      api.follow(postgres, policy);
      List<Api.Service> dependents = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Api.Service dependent = api.service("api", "\"dependencies\":[\"" + postgres.id() + "\"]");
        api.follow(dependent, policy);
        dependents.add(dependent);
      }
      for (Api.Service dependent : dependents) {
        api.fire(dependent, Api.alert(Api.unique("HighErrorRate"), "severity", "critical"));
      }
      JsonNode inferred =
          org.awaitility.Awaitility.await()
              .atMost(Browser.WAIT)
              .until(
                  () -> api.get("/api/v1/incidents?service=" + postgres.id()).get("items"),
                  items ->
                      items.size() == 1
                          && items.get(0).get("inferred").asBoolean()
                          && items.get(0).get("alertCount").asInt() == 3);
      long number = inferred.get(0).get("number").asLong();
      signIn();

      open("/incidents/" + number);
      wait(ExpectedConditions.textToBe(By.id("status"), "Open"));
      assertThat(browser.findElement(By.cssSelector("#inference .badge")).getText())
          .isEqualTo("Inferred cause");
      assertThat(browser.findElement(By.id("evidence")).getText())
          .startsWith("3 of its 3 dependents failing since ")
          .endsWith(postgres.name() + " sent no alert of its own.");
      List<org.openqa.selenium.WebElement> rows =
          browser.findElements(By.cssSelector("#storm-services tbody tr"));
      assertThat(rows).hasSize(4);
      assertThat(rows.get(0).getText())
          .contains(postgres.name())
          .contains("Inferred cause")
          .contains("no alert of its own");
      for (Api.Service dependent : dependents) {
        assertThat(row(dependent.name()).getText()).contains("Symptom").contains("1 / 1");
      }
      assertThat(browser.findElements(By.cssSelector("#storm-graph a"))).hasSize(4);
      assertThat(browser.findElements(By.cssSelector("#storm-graph line")))
          .as("an arrow from each symptom to the cause")
          .hasSize(3);
      assertThat(browser.findElement(By.cssSelector("#storm-graph a.cause")).getText())
          .contains(postgres.name())
          .contains("inferred cause");
      assertAccessible("incident page with an inferred storm");
      ((JavascriptExecutor) browser)
          .executeScript("document.getElementById('storm').scrollIntoView()");
      Browser.screenshot(browser, "storm");

      open("/services/" + dependents.get(0).id());
      assertThat(browser.findElement(By.tagName("main")).getText())
          .as("a service's page counts the incident it is a symptom of")
          .contains("#" + number + " ");

      open("/incidents?service=" + postgres.id());
      assertThat(browser.findElement(By.cssSelector("table .chip-inferred")).getText())
          .isEqualTo("inferred");

      open("/incidents/" + number);
      Api.Service split = dependents.get(1);
      row(split.name()).findElement(By.xpath(".//button[normalize-space()='Split out']")).click();
      wait(ExpectedConditions.presenceOfElementLocated(By.id("split-from")));
      assertThat(browser.findElement(By.id("split-from")).getText())
          .startsWith("Split out of #" + number);
      assertThat(browser.findElement(By.id("notice")).getText())
          .matches("Split " + split.name() + " out as #\\d+; it pages now\\.");
      assertThat(browser.getCurrentUrl()).doesNotEndWith("/incidents/" + number);
      assertThat(browser.findElement(By.cssSelector("ol.timeline")).getText())
          .contains("Split out of #" + number);
      assertAccessible("incident split out of a storm");

      open("/services/" + postgres.id());
      assertThat(browser.findElement(By.id("group-delay")).getText())
          .isEqualTo("never held: no dependencies");
      Api.Service held = dependents.get(0);
      open("/services/" + held.id());
      assertThat(browser.findElement(By.id("group-delay")).getText())
          .isEqualTo("2 s (the default)");
      browser.findElement(By.id("groupDelaySeconds")).sendKeys("0");
      browser.findElement(By.xpath("//button[normalize-space()='Save grouping']")).click();
      wait(
          ExpectedConditions.textToBePresentInElementLocated(
              By.id("notice"), "Saved the grouping settings."));
      assertThat(browser.findElement(By.id("group-delay")).getText())
          .isEqualTo("0 s: pages at once");
      assertThat(browser.findElement(By.id("groupDelaySeconds")).getDomProperty("value"))
          .isEqualTo("0");
      assertThat(api.get("/api/v1/services/" + held.id()).get("groupDelaySeconds").asInt())
          .isZero();
      assertAccessible("service page with its group delay");
      assertFitAPhone(List.of("/incidents/" + number));
    }
  }

  /** The storm table's row of the service named {@code name}. */
  private org.openqa.selenium.WebElement row(String name) {
    return browser.findElement(
        By.xpath("//table[@id='storm-services']//tr[td/a[normalize-space()='" + name + "']]"));
  }

  @Test
  void aResponderSignsInSeesTheIncidentLiveAndAcknowledgesIt() {
    Api.Service service = api.service("console", "\"autoResolve\":false");
    String first = Api.unique("DiskFull");
    api.fire(service, Api.alert(first, "severity", "critical"));
    waitForIncidents(service, 1);

    browser.get(tocsin.uri("/").toString());
    wait(ExpectedConditions.urlContains("/login"));
    assertAccessible("sign-in page");
    browser.findElement(By.id("username")).sendKeys(TocsinHarness.ADMIN_EMAIL);
    browser.findElement(By.id("password")).sendKeys("a wrong password");
    browser.findElement(By.cssSelector("#signin button")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("signin-error"), "wrong"));
    expectConsoleError("/login", 401);
    browser.findElement(By.id("password")).clear();
    browser.findElement(By.id("password")).sendKeys(TocsinHarness.ADMIN_PASSWORD);
    browser.findElement(By.cssSelector("#signin button")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("open-incidents")));
    assertThat(browser.findElement(By.id("open-incidents")).getText()).contains(first);
    assertThat(browser.getTitle()).matches("\\d+ open · Tocsin");
    assertAccessible("dashboard");

    String second = Api.unique("HighLatency");
    api.fire(service, Api.alert(second, "severity", "warning"));
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("open-incidents"), second));

    // The live dashboard may swap the row out between finding its link and clicking it.
    wait(
        driver -> {
          driver.findElement(By.partialLinkText(first)).click();
          return true;
        });
    wait(ExpectedConditions.textToBe(By.id("status"), "Open"));
    assertAccessible("incident page");
    browser.findElement(By.xpath("//button[normalize-space()='Acknowledge']")).click();
    wait(ExpectedConditions.textToBe(By.id("status"), "Acknowledged"));
    assertThat(browser.findElement(By.cssSelector("ol.timeline")).getText())
        .contains("Acknowledged");

    browser.findElement(By.id("note")).sendKeys("Disk cleanup running on db-2.");
    browser.findElement(By.xpath("//button[normalize-space()='Add note']")).click();
    wait(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector("ol.timeline"), "Disk cleanup running on db-2."));

    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("phase")))
        .selectByVisibleText("monitoring");
    browser.findElement(By.id("update")).sendKeys("Disk space recovering.");
    browser.findElement(By.xpath("//button[normalize-space()='Post the update']")).click();
    wait(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector("ol.timeline"), "Status update (monitoring): Disk space recovering."));
    browser.findElement(By.xpath("//button[normalize-space()='Reassign and page']")).click();
    wait(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("error-userId"), "choose whom to hand the incident to"));
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("reassign")))
        .selectByIndex(1);
    browser.findElement(By.xpath("//button[normalize-space()='Reassign and page']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "who is paged now."));
    assertThat(
            browser.findElement(By.xpath("(//ol[contains(@class,'timeline')])[last()]")).getText())
        .contains("Assigned to " + TocsinHarness.ADMIN_EMAIL + " (acknowledged it)");

    browser.get(tocsin.uri("/incidents?severity=warning").toString());
    assertThat(browser.findElement(By.tagName("table")).getText())
        .contains(second)
        .doesNotContain(first);
    assertAccessible("incident list");
    browser.get(tocsin.uri("/incidents?assignee=me").toString());
    assertThat(browser.findElement(By.tagName("table")).getText())
        .as("the reassigned incident is the admin's")
        .contains(first)
        .doesNotContain(second);
    browser.get(tocsin.uri("/incidents?severity=loud&from=2026-01-01").toString());
    assertThat(browser.findElement(By.id("error-severity")).getText()).contains("critical");
    browser.get(tocsin.uri("/incidents?severity=warning").toString());
    browser.findElement(By.cssSelector("input[name=number]")).click();
    browser.findElement(By.xpath("//button[normalize-space()='Acknowledge selected']")).click();
    wait(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("notice"), "1 incident acknowledged."));
  }

  /**
   * Headless Chromium shows no notifications, so the page's calls to the Notification API are
   * recorded where they would show; the permission itself is granted for real, as a click on the
   * browser's prompt would, and what is announced, to whom, comes from Tocsin's event stream.
   */
  @Test
  void pagesChangeLiveWithoutReloadAndAnOnCallResponderIsNotifiedInTheBrowser() {
    Api.Service service = api.service("live", "\"autoResolve\":false");
    api.follow(service, api.policyPaging(api.get("/api/v1/users/me").get("id").asString()));
    Api.Service elsewhere = api.service("nobodys", "\"autoResolve\":false");
    signIn();
    ((ChromiumDriver) browser)
        .executeCdpCommand(
            "Browser.grantPermissions",
            Map.of(
                "origin",
                tocsin.uri("/").toString().replaceAll("/$", ""),
                "permissions",
                List.of("notifications")));
    browser.findElement(By.id("notify-toggle")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notify-state"), "On:"));
    JavascriptExecutor script = (JavascriptExecutor) browser;
    script.executeScript(
        """
        window.shown = [];
        window.Notification = function (title, options) {
          window.shown.push(title + ' | ' + options.body);
          this.addEventListener = function () {};
        };
        """);
    String quiet = Api.unique("NotMine");
    api.fire(elsewhere, Api.alert(quiet, "severity", "critical"));
    String loud = Api.unique("CheckoutDown");
    api.fire(service, Api.alert(loud, "severity", "critical"));
    waitForIncidents(service, 1);
    JsonNode opened = api.incidents(service.id()).get(0);
    long number = opened.get("number").asLong();
    wait(
        driver ->
            script.executeScript("return window.shown.join('\\n');").toString().contains(loud));
    assertThat(script.executeScript("return window.shown;"))
        .as("one notification, for the incident of the service the viewer is on call for")
        .asList()
        .containsExactly(
            "#"
                + number
                + " "
                + opened.get("title").asString()
                + " | Critical · you are on call · Tocsin");

    open("/incidents/" + number);
    wait(ExpectedConditions.textToBe(By.id("status"), "Open"));
    script.executeScript("window.notReloaded = true;");
    api.create("/api/v1/incidents/" + number + "/notes", "{\"body\":\"Rolled back v42.\"}");
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("timeline"), "Rolled back v42."));
    api.ok("PATCH", "/api/v1/incidents/" + number, "{\"status\":\"acknowledged\"}");
    wait(ExpectedConditions.textToBe(By.id("status"), "Acknowledged"));
    String instance = Api.unique("db");
    api.fire(service, Api.alert(loud, "severity", "critical", "instance", instance));
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("alerts-part"), instance));
    assertThat(script.executeScript("return window.notReloaded === true;")).isEqualTo(true);
    assertAccessible("incident page after live changes");

    open("/incidents");
    script.executeScript("window.notReloaded = true;");
    String listed = Api.unique("QueueBacklog");
    api.fire(elsewhere, Api.alert(listed, "severity", "warning"));
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("incident-results"), listed));
    open("/alerts");
    script.executeScript("window.notReloaded = true;");
    String arrived = Api.unique("CacheMiss");
    api.fire(elsewhere, Api.alert(arrived, "severity", "info"));
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("alert-results"), arrived));
    assertThat(script.executeScript("return window.notReloaded === true;")).isEqualTo(true);
    assertAccessible("alert list after a live change");
  }

  @Test
  void whatIsOnFireComesFirstAndTheListFiltersSearchesAndMarksWhatPagesNobody() {
    String me = api.get("/api/v1/users/me").get("id").asString();
    api.create(
        "/api/v1/schedules",
        """
        {"name":"%s","timeZone":"Europe/Berlin","layers":[{"name":"only","members":["%s"],
         "rotation":{"count":1,"unit":"weeks"},"start":"2026-01-05T09:00","restrictions":[]}]}
        """
            .formatted(Api.unique("fire-rota"), me));
    Api.Service handled = api.service("handled", "\"autoResolve\":false");
    api.follow(handled, api.policyPaging(me));
    Api.Service unowned = api.service("unowned", "\"autoResolve\":false");
    String acknowledged = Api.unique("AckedCritical");
    api.fire(handled, Api.alert(acknowledged, "severity", "critical"));
    waitForIncidents(handled, 1);
    api.ok(
        "PATCH",
        "/api/v1/incidents/" + incidentId(handled, acknowledged),
        "{\"status\":\"acknowledged\"}");
    String resolved = Api.unique("LongGone");
    api.fire(handled, Api.alert(resolved, "severity", "critical"));
    waitForIncidents(handled, 2);
    api.ok(
        "PATCH", "/api/v1/incidents/" + incidentId(handled, resolved), "{\"status\":\"resolved\"}");
    String critical = Api.unique("OpenCritical");
    String host = Api.unique("db-west-");
    api.fire(unowned, Api.alert(critical, "severity", "critical", "host", host));
    String warning = Api.unique("OpenWarning");
    api.fire(unowned, Api.alert(warning, "severity", "warning"));
    waitForIncidents(unowned, 2);

    signIn();
    org.awaitility.Awaitility.await()
        .atMost(Browser.WAIT)
        .until(
            () -> {
              browser.navigate().refresh();
              return dashboardRow(critical);
            },
            row -> row.contains("Pages nobody"));
    List<String> rows = dashboardRows();
    assertThat(indexOf(rows, critical))
        .as("an open critical above an open warning, both above an acknowledged critical")
        .isLessThan(indexOf(rows, warning));
    assertThat(indexOf(rows, warning)).isLessThan(indexOf(rows, acknowledged));
    assertThat(dashboardRow(critical)).contains("Open").contains("Critical");
    assertThat(dashboardRow(acknowledged)).contains("Acknowledged").doesNotContain("Pages nobody");
    assertThat(browser.findElement(By.id("you-on-call")).getText())
        .startsWith("You are on call until");
    assertAccessible("dashboard, what is on fire first");

    browser.get(tocsin.uri("/incidents").toString());
    assertThat(browser.findElement(By.cssSelector("table.incidents")).getText())
        .as("not resolved by default")
        .contains(critical, warning, acknowledged)
        .doesNotContain(resolved);
    assertThat(browser.findElement(By.id("status-open")).isSelected()).isTrue();
    assertThat(browser.findElement(By.id("status-resolved")).isSelected()).isFalse();
    browser.findElement(By.cssSelector("details.filter-more > summary")).click();
    browser.findElement(By.id("status-open")).click();
    browser.findElement(By.id("status-resolved")).click();
    browser.findElement(By.id("q")).sendKeys(handled.name());
    browser.findElement(By.xpath("//button[normalize-space()='Filter']")).click();
    wait(ExpectedConditions.urlContains("status=resolved"));
    assertThat(browser.getCurrentUrl()).contains("status=acknowledged");
    assertThat(browser.findElement(By.cssSelector("table.incidents")).getText())
        .contains(acknowledged, resolved)
        .doesNotContain(critical, warning);
    assertAccessible("incident list with several statuses and a search");

    browser.get(tocsin.uri("/incidents?q=" + host.toUpperCase(java.util.Locale.ROOT)).toString());
    assertThat(browser.findElement(By.cssSelector("table.incidents")).getText())
        .as("an alert's label value")
        .contains(critical)
        .doesNotContain(warning, acknowledged);
  }

  private static String incidentId(Api.Service service, String alertName) {
    for (JsonNode incident : api.get("/api/v1/incidents?service=" + service.id()).get("items")) {
      if (incident.get("title").asString().startsWith(alertName)) {
        return incident.get("id").asString();
      }
    }
    throw new AssertionError("no incident titled " + alertName);
  }

  /**
   * The dashboard's rows, read in one look: the live list may swap its rows between two reads of
   * the page.
   */
  @SuppressWarnings("unchecked")
  private List<String> dashboardRows() {
    return (List<String>)
        ((JavascriptExecutor) browser)
            .executeScript(
                "return [...document.querySelectorAll("
                    + "'#open-incidents table.incidents tbody tr')].map(row => row.innerText);");
  }

  private String dashboardRow(String name) {
    return dashboardRows().stream().filter(row -> row.contains(name)).findFirst().orElse("");
  }

  private static int indexOf(List<String> rows, String name) {
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).contains(name)) {
        return i;
      }
    }
    throw new AssertionError(name + " is not listed");
  }

  @Test
  void inDarkModeAndWithTheKeyboardAloneAResponderTakesAnIncident() {
    Api.Service service = api.service("keyboard", "\"autoResolve\":false");
    String name = Api.unique("NightShift");
    api.fire(service, Api.alert(name, "severity", "critical"));
    waitForIncidents(service, 1);
    ((ChromiumDriver) browser)
        .executeCdpCommand(
            "Emulation.setEmulatedMedia",
            Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
    signIn();

    assertThat(luminance("getComputedStyle(document.body).backgroundColor"))
        .as("the page follows the system's dark mode")
        .isLessThan(0.2);
    assertThat(luminance("getComputedStyle(document.body).color")).isGreaterThan(0.6);
    assertAccessible("dashboard in dark mode");

    tab();
    assertThat(focused("textContent")).isEqualTo("Skip to the content");
    assertThat(focused("outlineStyle"))
        .as("the focused element is visibly marked")
        .isNotEqualTo("none");
    int presses = 1;
    while (!focused("textContent").contains(name) && presses++ < 100) {
      tab();
    }
    assertThat(focused("textContent")).as("the incident is reachable with Tab").contains(name);
    assertThat(focused("outlineStyle")).isNotEqualTo("none");
    new Actions(browser).sendKeys(Keys.ENTER).perform();
    wait(ExpectedConditions.textToBe(By.id("status"), "Open"));
    while (!focused("textContent").equals("Acknowledge") && presses++ < 200) {
      tab();
    }
    assertThat(focused("textContent"))
        .as("Acknowledge is reachable with Tab")
        .isEqualTo("Acknowledge");
    new Actions(browser).sendKeys(Keys.ENTER).perform();
    wait(ExpectedConditions.textToBe(By.id("status"), "Acknowledged"));
    assertAccessible("incident page in dark mode");
  }

  private void tab() {
    new Actions(browser).sendKeys(Keys.TAB).perform();
  }

  /** A property of the focused element, or of its computed style. */
  private String focused(String property) {
    Object value =
        ((JavascriptExecutor) browser)
            .executeScript(
                """
                const e = document.activeElement;
                return e[arguments[0]] ?? getComputedStyle(e)[arguments[0]];
                """,
                property);
    return String.valueOf(value).trim();
  }

  /** The relative luminance (0 black, 1 white) of the colour a script returns as rgb(r, g, b). */
  private double luminance(String script) {
    String colour = (String) ((JavascriptExecutor) browser).executeScript("return " + script);
    String[] rgb = colour.replaceAll("[^0-9,.]", "").split(",");
    double[] linear = new double[3];
    for (int i = 0; i < 3; i++) {
      double c = Double.parseDouble(rgb[i]) / 255;
      linear[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  }

  @Test
  void withTheKeyboardAResponderMovesThroughIncidentsAcknowledgesAndResolves() {
    Api.Service service = api.service("keys", "\"autoResolve\":false");
    for (String severity : List.of("critical", "error", "warning")) {
      api.fire(service, Api.alert(Api.unique("Keyed"), "severity", severity));
    }
    waitForIncidents(service, 3);
    signIn();

    press("j");
    assertThat(selectedIncident())
        .as("j on the live dashboard selects its first incident")
        .isEqualTo(incidentRows().get(0));
    press("?");
    org.openqa.selenium.WebElement help = browser.findElement(By.id("shortcuts"));
    wait(ExpectedConditions.visibilityOf(help));
    assertThat(help.getText()).contains("Acknowledge the selected incident");
    assertAccessible("keyboard shortcuts dialog");
    press(Keys.ESCAPE);
    wait(ExpectedConditions.invisibilityOf(help));

    press("/");
    wait(ExpectedConditions.urlContains("/incidents#q"));
    assertThat(focused("id")).as("/ on the dashboard goes to the incident search").isEqualTo("q");
    // The name holds a k: typed into the search, it selects nothing.
    press(service.name(), Keys.ENTER);
    wait(ExpectedConditions.urlContains("q=" + service.name()));
    List<String> rows = incidentRows();
    assertThat(rows).hasSize(3);
    press("j", "j", "k");
    assertThat(selectedIncident()).isEqualTo(rows.get(0));
    press("j");
    assertThat(selectedIncident()).isEqualTo(rows.get(1));
    assertAccessible("incident list with an incident selected");

    press("/");
    assertThat(focused("id")).isEqualTo("q");
    press("a");
    assertThat(browser.findElement(By.id("q")).getDomProperty("value")).isEqualTo("a");
    assertThat(browser.getCurrentUrl()).as("an a typed into the search stays there").contains("q=");
    assertThat(status(rows.get(1))).isEqualTo("open");

    press(Keys.TAB, "a");
    wait(ExpectedConditions.urlContains("/incidents/" + rows.get(1)));
    wait(ExpectedConditions.textToBe(By.id("status"), "Acknowledged"));
    assertThat(status(rows.get(1))).isEqualTo("acknowledged");
    assertThat(status(rows.get(0))).isEqualTo("open");

    press("r");
    wait(ExpectedConditions.presenceOfElementLocated(By.id("confirm-resolve")));
    assertThat(status(rows.get(1)))
        .as("r asks first, as the button does, while the alert still fires")
        .isEqualTo("acknowledged");
  }

  private void press(CharSequence... keys) {
    new Actions(browser).sendKeys(keys).perform();
  }

  /** The numbers of the incidents listed on the page, top to bottom, read in one look. */
  @SuppressWarnings("unchecked")
  private List<String> incidentRows() {
    return (List<String>)
        ((JavascriptExecutor) browser)
            .executeScript(
                "return [...document.querySelectorAll('table.incidents tr[data-incident]')]"
                    + ".map(row => row.dataset.incident);");
  }

  /** The number of the incident marked selected, both to the eye and to a screen reader. */
  private @Nullable String selectedIncident() {
    return (String)
        ((JavascriptExecutor) browser)
            .executeScript(
                "const row = document.querySelector('tr.selected[aria-current=\"true\"]');"
                    + " return row && row.dataset.incident;");
  }

  private static String status(String number) {
    return api.get("/api/v1/incidents/" + number).get("incident").get("status").asString();
  }

  @Test
  void onAPhoneAResponderAcknowledgesInOneTapIsAskedBeforeResolvingFiringAlertsAndDeclares() {
    Api.Service service = api.service("tap", "\"autoResolve\":false");
    String name = Api.unique("PhoneTap");
    api.fire(service, Api.alert(name, "severity", "critical"));
    waitForIncidents(service, 1);
    long number =
        api.get("/api/v1/incidents?service=" + service.id())
            .get("items")
            .get(0)
            .get("number")
            .asLong();
    browser.manage().window().setSize(new Dimension(390, 844));
    signIn();

    open("/incidents/" + number);
    wait(ExpectedConditions.textToBe(By.id("status"), "Open"));
    assertThat(
            ((JavascriptExecutor) browser)
                .executeScript(
                    """
                    return ['h1', '#status', '.actions button', '#cause',
                            '#latest li'].filter(s => {
                      const e = document.querySelector(s);
                      return !e || e.getBoundingClientRect().bottom > window.innerHeight;
                    });
                    """))
        .as("title, status, actions, probable cause and the latest entries above the fold")
        .asList()
        .isEmpty();
    assertThat(browser.findElement(By.cssSelector("details.alert-group summary")).getText())
        .contains(service.name())
        .contains("since");
    assertAccessible("incident page on a phone");

    browser.findElement(By.xpath("//button[normalize-space()='Acknowledge']")).click();
    // The page the form answers with, not the live update that may change the status first.
    wait(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Acknowledged");
    assertThat(browser.findElement(By.id("notice")).getText())
        .isEqualTo("#" + number + " acknowledged; it is yours now. Paging stopped.");
    assertThat(browser.findElement(By.id("notice")).getAttribute("role")).isEqualTo("status");

    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("snooze-duration")))
        .selectByVisibleText("15 minutes");
    browser.findElement(By.xpath("//button[normalize-space()='Snooze']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "snoozed until"));
    assertThat(browser.findElement(By.id("snoozed")).getText()).startsWith("· snoozed until");
    assertThat(api.get("/api/v1/incidents/" + number).get("incident").get("snoozedUntil").isNull())
        .isFalse();

    browser.findElement(By.xpath("//button[normalize-space()='Resolve']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("confirm-resolve")));
    assertThat(browser.findElement(By.id("confirm-heading")).getText())
        .isEqualTo("1 alert still fires — resolve anyway?");
    assertAccessible("resolve confirmation");
    browser.findElement(By.xpath("//button[normalize-space()='Resolve anyway']")).click();
    // The page the form answers with, not the live update that may change the status first.
    wait(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Resolved");
    assertThat(browser.findElement(By.id("notice")).getText())
        .startsWith("#" + number + " resolved.");

    open("/incidents");
    browser.findElement(By.id("declare-link")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("declare")));
    assertAccessible("declare an incident");
    browser.findElement(By.id("title")).sendKeys("Customers cannot pay by card");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("serviceId")))
        .selectByVisibleText(service.name());
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("severity")))
        .selectByVisibleText("error");
    browser.findElement(By.id("description")).sendKeys("Support calls, no alert.");
    browser.findElement(By.xpath("//button[normalize-space()='Declare and page']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "declared"));
    assertThat(browser.findElement(By.tagName("h1")).getText())
        .contains("Customers cannot pay by card");
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Open");
    assertThat(browser.findElement(By.id("latest")).getText())
        .contains("Declared by " + TocsinHarness.ADMIN_EMAIL + ": Support calls, no alert.");
    assertFitAPhone(List.of("/incidents/" + number, "/incidents/new"));
  }

  @Test
  void theConsoleFitsAPhoneScreen() {
    Api.Service service = api.service("phone", "\"autoResolve\":false");
    api.fire(service, Api.alert(Api.unique("PhoneCheck"), "severity", "error"));
    waitForIncidents(service, 1);
    browser.manage().window().setSize(new Dimension(360, 780));
    signIn();
    assertFitAPhone(List.of("/", "/incidents"));
  }

  @Test
  void aResponderAddsAndVerifiesAContactMethodFromTheProfile() throws IOException {
    try (RecordingHttpServer receiver = new RecordingHttpServer()) {
      browser.manage().window().setSize(new Dimension(1280, 900));
      signIn();
      browser.get(tocsin.uri("/profile").toString());
      assertThat(browser.findElement(By.tagName("main")).getText())
          .as("a person without a verified method is told so")
          .contains("Pages cannot reach you");
      assertAccessible("profile");
      new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("type")))
          .selectByVisibleText("webhook");
      browser.findElement(By.id("name")).sendKeys("bridge");
      browser.findElement(By.id("target")).sendKeys(receiver.url("/profile-hook"));
      browser.findElement(By.xpath("//button[normalize-space()='Add']")).click();
      wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "signing secret"));

      browser.findElement(By.xpath("//button[normalize-space()='Send a code']")).click();
      String code =
          org.awaitility.Awaitility.await()
              .atMost(Browser.WAIT)
              .until(
                  () -> {
                    java.util.regex.Matcher found =
                        java.util.regex.Pattern.compile("\\b(\\d{6})\\b")
                            .matcher(
                                receiver.requests("/profile-hook").stream()
                                    .map(RecordingHttpServer.Request::body)
                                    .findFirst()
                                    .orElse(""));
                    return found.find() ? found.group(1) : null;
                  },
                  java.util.Objects::nonNull);
      browser.findElement(By.cssSelector("input[name=code]")).sendKeys(code);
      browser.findElement(By.xpath("//button[normalize-space()='Verify']")).click();
      wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "is verified"));
      assertThat(browser.findElement(By.id("methods")).getText()).contains("verified");
      assertThat(browser.findElement(By.tagName("main")).getText())
          .contains("bridge after 0 min")
          .doesNotContain("Pages cannot reach you");
      assertAccessible("profile with a method");

      new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("high-method-1")))
          .selectByIndex(1);
      browser.findElement(By.id("high-delay-1")).clear();
      browser.findElement(By.id("high-delay-1")).sendKeys("5");
      browser.findElement(By.xpath("//button[normalize-space()='Save rules']")).click();
      wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "rules are saved"));
      assertThat(browser.findElement(By.id("rules")).getText())
          .contains("bridge after 0 min")
          .contains("bridge after 5 min");
      browser.findElement(By.id("high-delay-1")).clear();
      browser.findElement(By.id("high-delay-1")).sendKeys("99999");
      ((JavascriptExecutor) browser)
          .executeScript("document.getElementById('rules-form').noValidate = true;");
      browser.findElement(By.xpath("//button[normalize-space()='Save rules']")).click();
      wait(ExpectedConditions.textToBePresentInElementLocated(By.id("error-rules"), "1440"));

      new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("timeZone")))
          .selectByValue("Europe/Berlin");
      browser.findElement(By.xpath("//button[normalize-space()='Save time zone']")).click();
      wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Europe/Berlin"));

      browser.findElement(By.id("token-name")).sendKeys("deploy script");
      browser.findElement(By.xpath("//button[normalize-space()='Create token']")).click();
      wait(ExpectedConditions.presenceOfElementLocated(By.id("new-token")));
      String token = browser.findElement(By.id("new-token")).getDomProperty("value");
      assertThat(new Api(tocsin, token).get("/api/v1/users/me").get("timeZone").asString())
          .as("the token works, and the time zone was saved")
          .isEqualTo("Europe/Berlin");
      assertAccessible("profile with a new token");
      browser.findElement(By.xpath("//button[@aria-label='Revoke deploy script']")).click();
      wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "no longer works"));
      assertThat(new Api(tocsin, token).send("GET", "/api/v1/users/me", null).statusCode())
          .as("a revoked token")
          .isEqualTo(401);
      browser.get(tocsin.uri("/profile").toString());
      assertThat(browser.findElements(By.id("new-token"))).as("the token is shown once").isEmpty();
    }
  }

  @Test
  void theOnCallPageShowsWhoIsOnCallNowAndTheViewersShifts() {
    String me = api.get("/api/v1/users/me").get("id").asString();
    String name = Api.unique("primary");
    api.create(
        "/api/v1/schedules",
        """
        {"name":"%s","timeZone":"Europe/Berlin","layers":[{"name":"only","members":["%s"],
         "rotation":{"count":1,"unit":"weeks"},"start":"2026-01-05T09:00","restrictions":[]}]}
        """
            .formatted(name, me));
    signIn();
    browser.get(tocsin.uri("/oncall").toString());
    String schedules = browser.findElement(By.id("schedules")).getText();
    assertThat(schedules).contains(name).contains("Europe/Berlin").contains("until");
    assertThat(browser.findElement(By.tagName("main")).getText()).contains(name + ": ");
    assertAccessible("on-call page");
  }

  @Test
  void aResponderMergesAnIncidentAndWritesThePostmortem() {
    Api.Service service = api.service("merged", "\"autoResolve\":false");
    String kept = Api.unique("Kept");
    String duplicate = Api.unique("Duplicate");
    api.fire(service, Api.alert(kept, "severity", "error"));
    api.fire(service, Api.alert(duplicate, "severity", "error"));
    waitForIncidents(service, 2);
    Map<String, Long> numbers = new java.util.HashMap<>();
    api.get("/api/v1/incidents?service=" + service.id())
        .get("items")
        .forEach(i -> numbers.put(i.get("title").asString(), i.get("number").asLong()));
    long target =
        numbers.entrySet().stream()
            .filter(e -> e.getKey().contains(kept))
            .findFirst()
            .orElseThrow()
            .getValue();
    long source =
        numbers.entrySet().stream()
            .filter(e -> e.getKey().contains(duplicate))
            .findFirst()
            .orElseThrow()
            .getValue();
    signIn();

    browser.get(tocsin.uri("/incidents/" + target).toString());
    browser.findElement(By.id("merge")).sendKeys("#" + source);
    browser.findElement(By.xpath("//button[normalize-space()='Merge']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Merged"));
    assertThat(browser.findElement(By.tagName("main")).getText()).contains(duplicate);
    assertThat(api.get("/api/v1/incidents/" + source).get("incident").get("status").asString())
        .isEqualTo("resolved");

    assertThat(browser.findElement(By.id("still-firing")).getText())
        .as("said before resolving")
        .isEqualTo(
            "2 alerts are still firing; resolved now, they will open a new incident when next sent.");
    browser.findElement(By.xpath("//button[normalize-space()='Resolve']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("confirm-resolve")));
    assertThat(browser.findElement(By.id("confirm-heading")).getText())
        .isEqualTo("2 alerts still fire — resolve anyway?");
    browser.findElement(By.xpath("//button[normalize-space()='Resolve anyway']")).click();
    // The page the form answers with, not the live update that may change the status first.
    wait(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Resolved");
    assertThat(browser.findElement(By.id("notice")).getText())
        .as("and after")
        .isEqualTo(
            "#"
                + target
                + " resolved. 2 alerts are still firing; they will open a new incident when next"
                + " sent.");
    browser.findElement(By.id("postmortem-link")).click();
    browser.findElement(By.xpath("//button[normalize-space()='Start the postmortem']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("summary")));
    assertThat(browser.findElement(By.id("what-0")).getDomProperty("value"))
        .as("the timeline starts from the incident's")
        .isNotBlank();
    assertAccessible("postmortem editor");
    browser.findElement(By.id("summary")).sendKeys("Checkout failed for 20 minutes.");
    browser.findElement(By.id("fu-0")).sendKeys("Alert on disk growth, not disk full");
    browser
        .findElement(By.cssSelector("input[name=checklist][value=root_cause_identified]"))
        .click();
    List<org.openqa.selenium.WebElement> whens = browser.findElements(By.name("timelineAt"));
    List<org.openqa.selenium.WebElement> whats = browser.findElements(By.name("timelineText"));
    whens.get(whens.size() - 1).sendKeys("yesterday");
    whats.get(whats.size() - 1).sendKeys("Someone noticed");
    browser.findElement(By.xpath("//button[normalize-space()='Save the postmortem']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("error-timeline"), "UTC time"));

    browser.findElement(By.id("summary")).sendKeys("Checkout failed for 20 minutes.");
    browser.findElement(By.id("fu-0")).sendKeys("Alert on disk growth, not disk full");
    browser
        .findElement(By.cssSelector("input[name=checklist][value=root_cause_identified]"))
        .click();
    browser.findElement(By.xpath("//button[normalize-space()='Save the postmortem']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "saved"));
    assertThat(browser.findElement(By.id("summary")).getDomProperty("value"))
        .isEqualTo("Checkout failed for 20 minutes.");
    assertThat(browser.findElement(By.id("fu-0")).getDomProperty("value"))
        .isEqualTo("Alert on disk growth, not disk full");
    assertThat(
            browser
                .findElement(By.cssSelector("input[name=checklist][value=root_cause_identified]"))
                .isSelected())
        .isTrue();
    String markdown =
        (String)
            ((JavascriptExecutor) browser)
                .executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                        + "fetch(document.getElementById('export').href).then(r => r.text()).then(done);");
    assertThat(markdown)
        .contains("Checkout failed for 20 minutes.")
        .contains("Alert on disk growth, not disk full");
  }

  @Test
  void theIncidentPageShowsAPagerDutyEventsDetailsAndFollowsOnlyItsWebLinks() {
    Api.Service service = api.service("vendor", "\"autoResolve\":false");
    String routingKey =
        api.create(
                "/api/v1/services/" + service.id() + "/integrations",
                "{\"name\":\"pd-" + service.name() + "\",\"kind\":\"pagerduty\"}")
            .get("key")
            .asString();
    HttpResponse<String> sent =
        tocsin.postJson(
            "/v2/enqueue",
            null,
            """
            {"routing_key":"%s","event_action":"trigger","dedup_key":"disk-db-1",
             "payload":{"summary":"Disk full on db-1","source":"db-1","severity":"critical",
                        "custom_details":{"free":"0 bytes","mounts":{"/var":"100%%"}}},
             "links":[{"href":"https://grafana.example.com/d/disk","text":"Disk dashboard"},
                      {"href":"javascript:alert(1)","text":"Run me"}],
             "images":[{"src":"https://grafana.example.com/render/disk.png",
                        "href":"https://grafana.example.com/d/disk","alt":"Disk usage"},
                       {"src":"javascript:alert(2)","alt":"Script image"}]}
            """
                .formatted(routingKey));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
    waitForIncidents(service, 1);
    long number =
        api.get("/api/v1/incidents?service=" + service.id())
            .get("items")
            .get(0)
            .get("number")
            .asLong();
    signIn();

    open("/incidents/" + number);
    wait(ExpectedConditions.textToBe(By.id("status"), "Open"));
    String alerts = browser.findElement(By.cssSelector("ul.alerts")).getText();
    assertThat(alerts).contains("dedup key disk-db-1").contains("free").contains("0 bytes");
    assertThat(browser.findElement(By.xpath("//dt[.='mounts']/following-sibling::dd")).getText())
        .contains("\"/var\" : \"100%\"");
    assertThat(browser.findElement(By.linkText("Disk dashboard")).getAttribute("href"))
        .isEqualTo("https://grafana.example.com/d/disk");
    assertThat(browser.findElement(By.linkText("Image: Disk usage")).getAttribute("href"))
        .isEqualTo("https://grafana.example.com/d/disk");
    assertThat(browser.findElements(By.cssSelector("a[href^='javascript']")))
        .as("a sender's javascript: URL is never a link")
        .isEmpty();
    assertThat(alerts).doesNotContain("Run me").doesNotContain("Script image");
    assertAccessible("incident page with a PagerDuty event's details");
  }

  @Test
  void aViewerSeesNoActionsAndAForgedActionIsRefused() {
    Api.Service service = api.service("viewed", "\"autoResolve\":false");
    api.fire(service, Api.alert(Api.unique("ViewerSees"), "severity", "critical"));
    waitForIncidents(service, 1);
    JsonNode incident = api.get("/api/v1/incidents?service=" + service.id()).get("items").get(0);
    String email = Api.unique("viewer") + "@example.com";
    api.create(
        "/api/v1/users",
        """
        {"name":"Vera Viewer","email":"%s","role":"viewer","timeZone":"UTC",
         "password":"a long enough password"}
        """
            .formatted(email));
    signIn(email, "a long enough password");

    browser.get(tocsin.uri("/incidents/" + incident.get("number").asLong()).toString());
    wait(ExpectedConditions.textToBe(By.id("status"), "Open"));
    assertThat(browser.findElements(By.xpath("//button[normalize-space()='Acknowledge']")))
        .as("a viewer is offered no acknowledge button")
        .isEmpty();
    assertThat(browser.findElements(By.cssSelector("main form"))).isEmpty();
    assertThat(
            ForgedForm.post(
                browser, "/incidents/" + incident.get("number").asLong() + "/acknowledge", ""))
        .as("a viewer's forged acknowledge")
        .isEqualTo(403);
    expectConsoleError("/acknowledge", 403);
    assertThat(
            api.get("/api/v1/incidents/" + incident.get("id").asString())
                .get("incident")
                .get("status")
                .asString())
        .isEqualTo("open");
    assertAccessible("incident page for a viewer");
    api.ok(
        "PATCH", "/api/v1/incidents/" + incident.get("id").asString(), "{\"status\":\"resolved\"}");
  }
}
