package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.Api;
import io.tocsin.testing.Browser;
import io.tocsin.testing.BrowserTests;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/**
 * Setting Tocsin up from the console alone, in Debian's headless Chromium: one's own password and
 * signing out, services, escalation policies and schedules made and edited without the API.
 */
class SetupBrowserTests extends BrowserTests {

  private static final String PASSWORD = "a long enough password";

  /** A new incident pages at once: the walk waits for the page, not for a cause to show itself. */
  @Override
  protected Map<String, Object> settings() {
    return Map.of(
        "tocsin.rate-limit.api-token-per-minute", "1000000",
        "tocsin.escalation.group-delay", "0s");
  }

  @Test
  void anAdminSetsUpAServiceWithADependencyAPolicyAndAnIntegrationThatPages() {
    String myName = api.get("/api/v1/users/me").get("name").asString();
    String policy = Api.unique("checkout-policy");
    String schedule = Api.unique("primary");
    api.user("Linus");
    signIn();

    open("/oncall");
    browser.findElement(By.id("new-schedule")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("schedule-form")));
    assertThat(browser.findElement(By.id("preview-problem")).getText()).contains("member");
    browser.findElement(By.id("schedule-name")).sendKeys(schedule);
    new Select(browser.findElement(By.id("schedule-zone"))).selectByValue("UTC");
    new Select(browser.findElement(By.id("layer0-member-0"))).selectByVisibleText(myName);
    // One look at the preview: htmx may swap it again between two separate reads.
    wait(
        page -> {
          String drawn = page.findElement(By.id("track-final")).getAttribute("aria-label");
          return drawn != null && drawn.contains(myName + ", ") && !drawn.contains("Linus");
        });
    new Select(browser.findElement(By.id("layer0-member-1"))).selectByVisibleText("Linus");
    browser.findElement(By.id("layer0-count")).clear();
    browser.findElement(By.id("layer0-count")).sendKeys("1");
    new Select(browser.findElement(By.id("layer0-unit"))).selectByValue("days");
    wait(ExpectedConditions.attributeContains(By.id("track-final"), "aria-label", "Linus, "));
    assertAccessible("a new schedule with its preview");
    browser.findElement(By.xpath("//button[normalize-space()='Create the schedule']")).click();
    wait(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("notice"), "Created the schedule"));
    String schedulePage = browser.getCurrentUrl();
    assertThat(browser.findElement(By.id("track-final")).getAttribute("aria-label"))
        .contains(myName)
        .contains("Linus");
    browser.findElement(By.id("edit-schedule")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("schedule-form")));
    assertThat(browser.findElement(By.id("schedule-name")).getAttribute("value"))
        .isEqualTo(schedule);
    assertThat(browser.findElement(By.id("track-final")).getAttribute("aria-label"))
        .contains("Linus");
    String scheduleEditor = browser.getCurrentUrl();
    open("/policies");
    browser.findElement(By.id("new-policy")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("policy-form")));
    browser.findElement(By.id("policy-name")).sendKeys(policy);
    browser.findElement(By.xpath("//button[normalize-space()='Create the policy']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("error-levels")));
    assertThat(browser.findElement(By.id("error-levels")).getText()).contains("at least one level");
    assertThat(browser.findElement(By.id("policy-name")).getAttribute("value")).isEqualTo(policy);
    assertAccessible("a refused new policy");
    new Select(browser.findElement(By.id("level0-targets"))).selectByVisibleText(schedule);
    browser.findElement(By.id("level0-delay")).clear();
    browser.findElement(By.id("level0-delay")).sendKeys("5");
    browser.findElement(By.id("policy-repeat")).clear();
    browser.findElement(By.id("policy-repeat")).sendKeys("2");
    browser.findElement(By.xpath("//button[normalize-space()='Create the policy']")).click();
    wait(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("notice"), "Created the escalation policy"));
    String policyPage = browser.getCurrentUrl();
    JsonNode made =
        api.get(
            "/api/v1/escalation-policies/" + policyPage.substring(policyPage.lastIndexOf('/') + 1));
    assertThat(made.get("repeat").asInt()).isEqualTo(2);
    assertThat(made.get("levels").get(0).get("delayMinutes").asInt()).isEqualTo(5);
    assertThat(made.get("levels").get(0).get("targets").get(0).get("type").asString())
        .isEqualTo("schedule");
    assertAccessible("a policy");
    String database = Api.unique("database");
    String checkout = Api.unique("checkout");

    open("/services");
    assertAccessible("services with the new-service form");
    createService(database, null, List.of());
    wait(
        ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Created " + database));
    String databasePage = browser.getCurrentUrl();
    open("/services");
    createService(checkout, policy, List.of(database));
    wait(
        ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Created " + checkout));
    String checkoutPage = browser.getCurrentUrl();
    assertThat(browser.findElement(By.id("policy")).getText()).contains(policy).contains(myName);
    assertThat(browser.findElement(By.id("dependency-list")).getText()).contains(database);
    assertAccessible("a new service");

    browser.get(databasePage);
    browser.findElement(By.cssSelector("#edit-service summary")).click();
    browser
        .findElement(
            By.xpath("//fieldset[@id='edit-dependencies']//label[text()='" + checkout + "']"))
        .click();
    browser.findElement(By.xpath("//button[normalize-space()='Save the service']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("error-service-dependencies")));
    assertThat(browser.findElement(By.id("error-service-dependencies")).getText())
        .contains("cycle");
    assertThat(browser.findElement(By.id("edit-service")).getAttribute("open")).isNotNull();
    assertAccessible("a service whose edit was refused");
    browser.findElement(By.id("edit-description")).sendKeys("Keeps the orders.");
    browser
        .findElement(
            By.xpath("//fieldset[@id='edit-dependencies']//label[text()='" + checkout + "']"))
        .click();
    browser.findElement(By.xpath("//button[normalize-space()='Save the service']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Saved " + database));
    assertThat(browser.findElement(By.id("content")).getText()).contains("Keeps the orders.");

    browser.get(checkoutPage);
    browser.findElement(By.id("add-integration")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("new-integration")));
    assertThat(
            new Select(browser.findElement(By.id("integration-service")))
                .getFirstSelectedOption()
                .getText())
        .isEqualTo(checkout);
    browser.findElement(By.id("integration-name")).sendKeys("prometheus");
    browser.findElement(By.xpath("//button[normalize-space()='Add the integration']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("revealed-key")));
    String key = browser.findElement(By.id("revealed-key")).getText();
    String serviceId = checkoutPage.substring(checkoutPage.lastIndexOf('/') + 1);
    Api.Service service = new Api.Service(serviceId, checkout, "Bearer " + key);
    api.fire(service, Api.alert("CheckoutDown"));
    waitForIncidents(service, 1);
    String number =
        api.get("/api/v1/incidents?service=" + serviceId)
            .get("items")
            .get(0)
            .get("number")
            .asString();
    // The escalation worker pages on its next pass, which may come after the page is drawn.
    Awaitility.await()
        .atMost(Browser.WAIT)
        .untilAsserted(
            () -> {
              open("/incidents/" + number);
              assertThat(browser.findElement(By.id("content")).getText())
                  .contains("Paging " + myName);
            });
    assertAccessible("the incident the new service opened");
    assertFitAPhone(
        List.of(
            "/services",
            checkoutPage.substring(checkoutPage.indexOf("/services")),
            "/policies",
            "/policies/new",
            policyPage.substring(policyPage.indexOf("/policies")),
            "/oncall",
            "/schedules/new",
            scheduleEditor.substring(scheduleEditor.indexOf("/schedules")),
            schedulePage.substring(schedulePage.indexOf("/schedules")),
            "/admin/integrations?service=" + serviceId));
  }

  private void createService(String name, String policy, List<String> dependencies) {
    browser.findElement(By.id("new-name")).sendKeys(name);
    if (policy != null) {
      new Select(browser.findElement(By.id("new-policy"))).selectByVisibleText(policy);
    }
    for (String dependency : dependencies) {
      browser
          .findElement(
              By.xpath("//fieldset[@id='new-dependencies']//label[text()='" + dependency + "']"))
          .click();
    }
    browser.findElement(By.xpath("//button[normalize-space()='Create the service']")).click();
  }

  @Test
  void aPersonChangesTheirOwnPasswordWhichEndsTheirOtherSessionsAndSignsOut() {
    String id = api.user("Grace");
    String email = api.get("/api/v1/users/" + id).get("email").asString();
    WebDriver elsewhere = Browser.headless();
    try {
      elsewhere.get(tocsin.uri("/login").toString());
      elsewhere.findElement(By.id("username")).sendKeys(email);
      elsewhere.findElement(By.id("password")).sendKeys(PASSWORD);
      elsewhere.findElement(By.cssSelector("#signin button")).click();
      Browser.waitFor(
          elsewhere, ExpectedConditions.presenceOfElementLocated(By.id("open-incidents")));

      signIn(email, PASSWORD);
      open("/profile");
      changePassword("not my password", "a brand new passphrase", "a brand new passphrase");
      wait(ExpectedConditions.presenceOfElementLocated(By.id("error-currentPassword")));
      assertThat(browser.findElement(By.id("error-currentPassword")).getText())
          .isEqualTo("The current password is wrong.");
      assertAccessible("profile with a wrong current password");
      changePassword(PASSWORD, "a brand new passphrase", "another new passphrase");
      wait(ExpectedConditions.presenceOfElementLocated(By.id("error-passwordAgain")));
      changePassword(PASSWORD, "a brand new passphrase", "a brand new passphrase");
      wait(
          ExpectedConditions.textToBePresentInElementLocated(
              By.id("notice"), "password is changed"));
      assertAccessible("profile after the change");

      open("/profile");
      assertThat(browser.findElement(By.tagName("h1")).getText())
          .as("this session stays signed in")
          .isEqualTo("Grace");
      elsewhere.get(tocsin.uri("/profile").toString());
      Browser.waitFor(elsewhere, ExpectedConditions.presenceOfElementLocated(By.id("signin")));

      assertFitAPhone(List.of("/profile"));
      browser.findElement(By.xpath("//header//button[normalize-space()='Sign out']")).click();
      wait(
          ExpectedConditions.textToBePresentInElementLocated(
              By.id("notice"), "You are signed out"));
      assertThat(browser.getCurrentUrl()).contains("/login");
      assertAccessible("signed out");
      open("/profile");
      wait(ExpectedConditions.presenceOfElementLocated(By.id("signin")));
      signIn(email, "a brand new passphrase");
    } finally {
      elsewhere.quit();
    }
  }

  private void changePassword(String current, String wanted, String again) {
    browser.findElement(By.id("currentPassword")).sendKeys(current);
    browser.findElement(By.id("new-password")).sendKeys(wanted);
    browser.findElement(By.id("passwordAgain")).sendKeys(again);
    browser.findElement(By.xpath("//button[normalize-space()='Change password']")).click();
  }
}
