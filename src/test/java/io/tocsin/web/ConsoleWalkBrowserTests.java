package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.Api;
import io.tocsin.testing.Browser;
import io.tocsin.testing.BrowserTests;
import io.tocsin.testing.RecordingHttpServer;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chromium.ChromiumDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * Issue 24's "done when" walk through the console: sign in, see a new critical incident come to the
 * top of the dashboard without a reload, acknowledge it in one tap, declare an incident, set up a
 * schedule, an escalation policy and a service with an integration, page someone through that
 * integration, and sign out, all through the pages, the API serving only as the monitoring system
 * that fires alerts.
 *
 * <p>The walk runs twice, on a 1366×900 desktop in light mode and on a 390×844 phone in dark mode.
 * Every page it visits passes axe-core in both colour schemes (it switches the emulated scheme for
 * a second look, then back) with nothing in the browser's console, so each of the four size and
 * scheme pairs is checked for the price of two walks; on the phone each page also fits the screen
 * without a word broken. The desktop walk takes the README's dashboard and schedule-editor
 * screenshots, the phone walk its incident.
 */
class ConsoleWalkBrowserTests extends BrowserTests {

  private static final Screen DESKTOP = new Screen(new Dimension(1366, 900), "light");
  private static final Screen PHONE = new Screen(new Dimension(390, 844), "dark");

  /** The one on call now in the walk's schedule, whose turn comes first. */
  private static final String TEAMMATE = "Linus";

  /** Where the teammate's pages arrive: someone the walk pages is someone who gets the page. */
  private static RecordingHttpServer pager;

  private static String pagerPath;

  private static Api.Service storefront;

  private Screen screen = DESKTOP;

  /** A new incident pages at once: the walk waits for the page, not for a cause to show itself. */
  @Override
  protected Map<String, Object> settings() {
    return Map.of(
        "tocsin.rate-limit.api-token-per-minute", "1000000",
        "tocsin.escalation.group-delay", "0s");
  }

  /**
   * A teammate who can be paged, and a service already warning, so that "the new critical comes
   * first" is a question of order, not of being alone.
   */
  @Override
  protected void seed() throws IOException {
    pager = new RecordingHttpServer();
    pagerPath = api.verifiedWebhook(api.user(TEAMMATE), pager);
    storefront = api.service("storefront", "\"autoResolve\":false");
    api.fire(storefront, Api.alert("CheckoutSlow", "severity", "warning"));
    waitForIncidents(storefront, 1);
  }

  @AfterParameterizedClassInvocation
  static void stopThePager() {
    if (pager != null) {
      pager.close();
      pager = null;
    }
  }

  @Test
  void onADesktopInLightModeAnAdminWalksFromSignInToSignOut() {
    walk(DESKTOP);
  }

  @Test
  void onAPhoneInDarkModeAnAdminWalksFromSignInToSignOut() {
    walk(PHONE);
  }

  @Test
  void theApiDocsPageListsTheApiUnderTheContentSecurityPolicy() {
    showViewport(DESKTOP.size());
    open("/api/docs");
    wait(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector(
                ".opblock-summary-path[data-path='/api/v1/services/{id}/dependencies']")));
    assertThat(browser.findElement(By.cssSelector(".info .title")).getText())
        .contains("Tocsin API");
    Browser.assertNoConsoleErrors(browser, "API docs page");
  }

  private void walk(Screen screen) {
    this.screen = screen;
    showViewport(screen.size());
    emulate(screen.scheme());
    String me = api.get("/api/v1/users/me").get("name").asString();

    open("/");
    wait(ExpectedConditions.urlContains("/login"));
    check("sign-in page");
    browser.findElement(By.id("username")).sendKeys(TocsinHarness.ADMIN_EMAIL);
    browser.findElement(By.id("password")).sendKeys(TocsinHarness.ADMIN_PASSWORD);
    browser.findElement(By.cssSelector("#signin button")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("open-incidents")));
    check("dashboard");

    // A reload would drop this mark: the new incident must come over the live stream.
    script("window.walkNotReloaded = true;");
    String critical = Api.unique("DatabaseDown");
    api.fire(storefront, Api.alert(critical, "severity", "critical"));
    wait(page -> firstDashboardRow().contains(critical));
    assertThat(script("return window.walkNotReloaded === true;"))
        .as("the dashboard showed the new incident without reloading")
        .isEqualTo(true);
    assertThat(firstDashboardRow()).containsIgnoringCase("Critical").contains("Open");
    assertThat(browser.findElement(By.id("open-incidents")).getText())
        .as("the warning that was there before is still listed, below it")
        .contains("CheckoutSlow");
    check("dashboard with a new critical incident");

    openFromTheDashboard(critical);
    wait(ExpectedConditions.textToBe(By.id("status"), "Open"));
    String reference = browser.findElement(By.cssSelector("h1 span")).getText();
    check("incident page");
    if (screen == PHONE) {
      assertThat(
              script(
                  "return document.querySelector('.incident-actions button.primary')"
                      + ".getBoundingClientRect().bottom <= innerHeight;"))
          .as("Acknowledge is on the phone's first screen: one tap, no scrolling")
          .isEqualTo(true);
      Browser.screenshot(browser, "incident-phone");
    }
    browser.findElement(By.xpath("//button[normalize-space()='Acknowledge']")).click();
    // The page the form answers with, not the live update that may change the status first.
    wait(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Acknowledged");
    assertThat(browser.findElement(By.id("notice")).getText())
        .isEqualTo(reference + " acknowledged; it is yours now. Paging stopped.");
    check("acknowledged incident");

    follow("Dashboard");
    browser.findElement(By.id("declare-link")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("declare")));
    check("declare-an-incident form");
    assertThat(browser.findElement(By.id("title")).getDomProperty("value"))
        .as("what is wrong, before anything is typed")
        .isEmpty();
    String declared = Api.unique("Customers cannot pay by card");
    browser.findElement(By.id("title")).sendKeys(declared);
    new Select(browser.findElement(By.id("serviceId"))).selectByVisibleText(storefront.name());
    new Select(browser.findElement(By.id("severity"))).selectByVisibleText("error");
    browser.findElement(By.id("description")).sendKeys("Support calls, no alert.");
    browser.findElement(By.xpath("//button[normalize-space()='Declare and page']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "declared"));
    assertThat(browser.findElement(By.tagName("h1")).getText()).matches("#\\d+ " + declared);
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Open");
    assertThat(browser.findElement(By.id("latest")).getText())
        .contains("Declared by " + TocsinHarness.ADMIN_EMAIL + ": Support calls, no alert.");
    check("declared incident");

    follow("On call");
    check("on-call page");
    browser.findElement(By.id("new-schedule")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("schedule-form")));
    String schedule = Api.unique("storefront-primary");
    browser.findElement(By.id("schedule-name")).sendKeys(schedule);
    new Select(browser.findElement(By.id("schedule-zone"))).selectByValue("UTC");
    new Select(browser.findElement(By.id("layer0-member-0"))).selectByVisibleText(TEAMMATE);
    new Select(browser.findElement(By.id("layer0-member-1"))).selectByVisibleText(me);
    browser.findElement(By.id("layer0-count")).clear();
    browser.findElement(By.id("layer0-count")).sendKeys("1");
    new Select(browser.findElement(By.id("layer0-unit"))).selectByValue("days");
    // One look at the preview: htmx may swap it again between two separate reads.
    wait(
        page -> {
          String drawn = page.findElement(By.id("track-final")).getAttribute("aria-label");
          return drawn != null && drawn.contains(TEAMMATE + ", ") && drawn.contains(me + ", ");
        });
    check("schedule editor with its preview");
    if (screen == DESKTOP) {
      // The form's last fields above the preview they drew, without the focus ring of the last.
      script(
          "document.activeElement.blur();"
              + " document.getElementById('preview').scrollIntoView({block: 'end'});");
      Browser.screenshot(browser, "schedule-editor");
    }
    browser.findElement(By.xpath("//button[normalize-space()='Create the schedule']")).click();
    wait(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("notice"), "Created the schedule"));
    check("new schedule");

    follow("On call");
    browser.findElement(By.partialLinkText("Escalation policies")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("new-policy")));
    check("escalation policies");
    browser.findElement(By.id("new-policy")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("policy-form")));
    check("new-policy form");
    String policy = Api.unique("storefront-policy");
    browser.findElement(By.id("policy-name")).sendKeys(policy);
    new Select(browser.findElement(By.id("level0-targets"))).selectByVisibleText(schedule);
    browser.findElement(By.id("level0-delay")).clear();
    browser.findElement(By.id("level0-delay")).sendKeys("5");
    browser.findElement(By.xpath("//button[normalize-space()='Create the policy']")).click();
    wait(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("notice"), "Created the escalation policy"));
    check("new escalation policy");

    follow("Services");
    check("services with the new-service form");
    String service = Api.unique("checkout");
    browser.findElement(By.id("new-name")).sendKeys(service);
    new Select(browser.findElement(By.id("new-policy"))).selectByVisibleText(policy);
    browser.findElement(By.xpath("//button[normalize-space()='Create the service']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Created " + service));
    String serviceId =
        browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);
    assertThat(browser.findElement(By.id("policy")).getText())
        .as("who the new service pages now")
        .contains(policy)
        .contains(TEAMMATE);
    check("new service");
    browser.findElement(By.id("add-integration")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("new-integration")));
    assertThat(
            new Select(browser.findElement(By.id("integration-service")))
                .getFirstSelectedOption()
                .getText())
        .isEqualTo(service);
    check("new-integration form");
    browser.findElement(By.id("integration-name")).sendKeys("prometheus");
    browser.findElement(By.xpath("//button[normalize-space()='Add the integration']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("revealed-key")));
    String key = browser.findElement(By.id("revealed-key")).getText();
    assertThat(key).startsWith("tik_");
    assertThat(browser.findElement(By.id("new-key")).getText())
        .as("the setup snippet carries the key shown once")
        .contains("credentials: \"" + key + "\"");
    check("integration with its key shown once");

    // Prometheus, set up with the snippet just shown, sends its first alert with that key.
    String down = Api.unique("CheckoutDown");
    api.fire(
        new Api.Service(serviceId, service, "Bearer " + key),
        Api.alert(down, "severity", "critical"));
    follow("Dashboard");
    openFromTheDashboard(down);
    wait(ExpectedConditions.textToBe(By.id("status"), "Open"));
    // The escalation worker pages on its next pass, and the page may be drawn before it.
    Awaitility.await()
        .atMost(Browser.WAIT)
        .untilAsserted(
            () -> {
              browser.navigate().refresh();
              assertThat(browser.findElement(By.id("latest")).getText())
                  .contains("Paging " + TEAMMATE + " (level 1");
              assertThat(paging()).contains(TEAMMATE + " by webhook: Delivered");
            });
    assertThat(pager.requests(pagerPath))
        .as("the teammate's webhook got the page")
        .anySatisfy(request -> assertThat(request.body()).contains(down));
    check("incident that paged the teammate");

    follow("Dashboard");
    if (screen == DESKTOP) {
      Browser.screenshot(browser, "dashboard");
    }
    browser.findElement(By.xpath("//header//button[normalize-space()='Sign out']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "You are signed out"));
    assertThat(browser.getCurrentUrl()).contains("/login");
    check("signed-out page");
    open("/incidents");
    wait(ExpectedConditions.urlContains("/login"));
    assertThat(browser.findElements(By.id("signin")))
        .as("a signed-out visitor is asked to sign in again")
        .hasSize(1);
  }

  /** A size of window and the colour scheme the walk asks of the browser there. */
  private record Screen(Dimension size, String scheme) {

    String otherScheme() {
      return scheme.equals("light") ? "dark" : "light";
    }
  }

  /**
   * The page as it is now in both colour schemes: axe-core finds nothing serious and the console
   * nothing at all; on the phone, it also fits the screen.
   */
  private void check(String page) {
    assertAccessible(page + " in " + screen.scheme() + " mode");
    emulate(screen.otherScheme());
    assertAccessible(page + " in " + screen.otherScheme() + " mode");
    emulate(screen.scheme());
    if (screen == PHONE) {
      assertFitsTheScreen(page);
    }
  }

  /**
   * Sizes the window so that the page itself gets {@code size}, as on the device: the window's size
   * includes the browser's own bars.
   */
  private void showViewport(Dimension size) {
    browser.manage().window().setSize(size);
    long bars = size.height - (Long) script("return window.innerHeight;");
    browser.manage().window().setSize(new Dimension(size.width, size.height + (int) bars));
    assertThat(script("return window.innerWidth + 'x' + window.innerHeight;"))
        .isEqualTo(size.width + "x" + size.height);
  }

  private void emulate(String scheme) {
    ((ChromiumDriver) browser)
        .executeCdpCommand(
            "Emulation.setEmulatedMedia",
            Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    assertThat(script("return matchMedia('(prefers-color-scheme: " + scheme + ")').matches;"))
        .as("the browser emulates " + scheme + " mode")
        .isEqualTo(true);
  }

  /** Goes to a page through the header's main navigation, as a person would. */
  private void follow(String link) {
    WebElement leaving = browser.findElement(By.tagName("html"));
    browser
        .findElement(By.xpath("//nav[@aria-label='Main']/a[normalize-space()='" + link + "']"))
        .click();
    wait(ExpectedConditions.stalenessOf(leaving));
    wait(page -> "complete".equals(script("return document.readyState;")));
  }

  /**
   * Opens the dashboard's incident titled {@code name} once it is listed: the live list may swap
   * the row between finding its link and clicking it, so a stale link is looked up again.
   */
  private void openFromTheDashboard(String name) {
    wait(
        page -> {
          page.findElement(By.partialLinkText(name)).click();
          return true;
        });
  }

  /** The first row of the dashboard's open incidents, read in one look. */
  private String firstDashboardRow() {
    Object row =
        script(
            "const row = document.querySelector('#open-incidents table.incidents tbody tr');"
                + " return row ? row.innerText : '';");
    return String.valueOf(row);
  }

  /** The incident page's paging log, one line per message. */
  private String paging() {
    return browser.findElement(By.xpath("//h2[.='Paging']/following-sibling::*[1]")).getText();
  }

  private Object script(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }
}
