package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.Api;
import io.tocsin.testing.Browser;
import io.tocsin.testing.BrowserTests;
import io.tocsin.testing.TocsinHarness;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The alert list and the silence pages in headless Chromium: alerts sent through Alertmanager's API
 * v2, found with Alertmanager matchers, silenced from the list after a preview, shown as silenced,
 * and unsilenced again; refusals next to their fields; a phone-sized screen; axe on every page.
 */
class AlertsBrowserTests extends BrowserTests {

  /** Kolkata is UTC+05:30: a page that reads or shows a time as UTC is half an hour off at best. */
  private static final ZoneId VIEWER = ZoneId.of("Asia/Kolkata");

  @java.lang.Override
  protected Map<String, Object> settings() {
    return Map.of(
        "tocsin.rate-limit.api-token-per-minute",
        "1000000",
        "tocsin.admin.time-zone",
        VIEWER.getId());
  }

  @Test
  void aResponderFindsAnAlertByMatcherSilencesItAfterAPreviewAndExpiresTheSilence() {
    Api.Service service = api.service("alerts", "\"autoResolve\":false");
    String wanted = Api.unique("DiskFull");
    String other = Api.unique("DiskFull");
    api.fire(
        service,
        Api.alert(wanted, "severity", "critical", "env", "prod"),
        Api.alert(other, "severity", "warning", "env", "dev"));
    awaitAnIncident(service);
    signIn();

    browser.get(tocsin.uri("/alerts").toString());
    assertAccessible("alert list");
    browser.findElement(By.id("filter")).sendKeys("{alertname=~\"DiskFull-.*\", env!=\"dev\"}");
    browser.findElement(By.xpath("//button[normalize-space()='Filter']")).click();
    wait(ExpectedConditions.urlContains("filter="));
    String listed = browser.findElement(By.id("alerts")).getText();
    assertThat(listed)
        .contains(wanted)
        .contains(wanted + " summary")
        .contains("env=prod")
        .contains(service.name())
        .contains("incident #")
        .doesNotContain(other);
    assertAccessible("filtered alert list");

    alertItem(wanted).findElement(By.linkText("Silence…")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("caught")));
    assertThat(browser.findElement(By.id("matchers")).getDomProperty("value"))
        .contains("alertname=\"" + wanted + "\"")
        .contains("env=\"prod\"");
    assertThat(browser.findElement(By.id("caught-count")).getText())
        .isEqualTo("1 firing alert would be muted.");
    assertThat(browser.findElement(By.id("caught")).getText()).contains(wanted);
    assertAccessible("new silence form");

    WebElement matchers = browser.findElement(By.id("matchers"));
    matchers.clear();
    matchers.sendKeys("alertname=\"" + other + "\"");
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("caught"), other));
    matchers.clear();
    matchers.sendKeys("alertname=\"" + wanted + "\"\nenv=\"prod\"");
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("caught"), wanted));
    assertThat(browser.findElement(By.id("caught")).getText()).doesNotContain(other);

    browser.findElement(By.id("comment")).sendKeys("Disk replaced tonight.");
    browser.findElement(By.xpath("//button[normalize-space()='Save silence']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Silenced"));
    WebElement silence = silenceItem("alertname=\"" + wanted + "\"");
    assertThat(silence.getAttribute("data-state")).isEqualTo("active");
    assertThat(silence.getText())
        .contains("Disk replaced tonight.")
        .contains(TocsinHarness.ADMIN_EMAIL)
        .contains("mutes 1 firing alert");
    assertAccessible("silence list");

    browser.get(
        tocsin.uri("/alerts?state=silenced&filter=alertname%3D%22" + wanted + "%22").toString());
    assertThat(alertItem(wanted).findElement(By.cssSelector(".muted-by")).getText())
        .isEqualTo("Silenced");
    browser.get(
        tocsin.uri("/alerts?state=silenced&filter=alertname%3D%22" + other + "%22").toString());
    assertThat(browser.findElements(By.id("alerts")))
        .as("the other alert is not silenced")
        .isEmpty();

    browser.get(tocsin.uri("/silences").toString());
    silenceItem("alertname=\"" + wanted + "\"")
        .findElement(By.xpath(".//button[normalize-space()='Expire']"))
        .click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "expired"));
    assertThat(silenceItem("alertname=\"" + wanted + "\"").getAttribute("data-state"))
        .isEqualTo("expired");
    assertThat(silenceItem("alertname=\"" + wanted + "\"").findElements(By.tagName("button")))
        .isEmpty();
    browser.get(tocsin.uri("/alerts?filter=alertname%3D%22" + wanted + "%22").toString());
    assertThat(alertItem(wanted).findElements(By.cssSelector(".muted-by"))).isEmpty();
  }

  @Test
  void anAlertWithoutANameIsTitledBySummaryAndServiceMatchesTheTocsinService() {
    Api.Service service = api.service("checkout", "\"autoResolve\":false");
    Api.Service elsewhere = api.service("payments", "\"autoResolve\":false");
    String summary = Api.unique("Card declines above 5 percent");
    api.fire(
        service,
        "{\"labels\":{\"team\":\"shop\"},\"annotations\":{\"summary\":\"" + summary + "\"}}");
    String other = Api.unique("QueueBacklog");
    api.fire(elsewhere, Api.alert(other, "severity", "warning"));
    awaitAnIncident(service);
    signIn();

    browser.get(
        tocsin
            .uri(
                "/alerts?filter="
                    + java.net.URLEncoder.encode(
                        "service=\"" + service.name() + "\"",
                        java.nio.charset.StandardCharsets.UTF_8))
            .toString());
    String listed = browser.findElement(By.id("alerts")).getText();
    assertThat(alertItem(summary).getText())
        .as("titled by its summary, not its fingerprint")
        .contains(service.name())
        .containsIgnoringCase("warning");
    assertThat(listed).doesNotContain(other);
    assertThat(browser.findElement(By.id("filter")).getAttribute("placeholder"))
        .contains("service=\"checkout\"");
    browser.get(tocsin.uri("/alerts?filter=severity%3D%22warning%22").toString());
    assertThat(browser.findElement(By.id("alerts")).getText())
        .as("Tocsin's level, for an alert whose sender set no severity label")
        .contains(summary)
        .contains(other);
  }

  @Test
  void malformedMatchersAreShownNextToTheirFields() {
    signIn();
    browser.get(tocsin.uri("/alerts").toString());
    browser.findElement(By.id("filter")).sendKeys("alertname=~\"(\"");
    browser.findElement(By.xpath("//button[normalize-space()='Filter']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("error-filter")));
    assertThat(browser.findElement(By.id("error-filter")).getText())
        .contains("is not a label matcher")
        .contains("does not compile");
    assertThat(browser.findElement(By.id("filter")).getAttribute("aria-describedby"))
        .contains("error-filter");
    assertAccessible("alert list with a malformed filter");

    browser.get(tocsin.uri("/silences/new").toString());
    browser.findElement(By.id("matchers")).sendKeys("alertname DiskFull");
    browser.findElement(By.id("comment")).sendKeys("Never saved.");
    browser.findElement(By.xpath("//button[normalize-space()='Save silence']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("error-matchers")));
    assertThat(browser.findElement(By.id("error-matchers")).getText())
        .contains("expected name=\"value\"");
    assertThat(browser.findElement(By.id("matchers")).getDomProperty("value"))
        .as("what the person wrote comes back to be corrected")
        .isEqualTo("alertname DiskFull");
    assertAccessible("new silence form with a malformed matcher");
  }

  @Test
  void aMaintenanceWindowSilencesEveryAlertOfTheChosenService() {
    Api.Service service = api.service("maintained", "\"autoResolve\":false");
    String name = Api.unique("Reboot");
    api.fire(service, Api.alert(name, "severity", "error"));
    signIn();
    browser.get(tocsin.uri("/silences/new").toString());
    browser
        .findElement(By.xpath("//label[span[normalize-space()='" + service.name() + "']]/input"))
        .click();
    LocalDateTime localEnd = LocalDateTime.now(VIEWER).plusHours(3).truncatedTo(ChronoUnit.MINUTES);
    String end = localEnd.toString();
    ((JavascriptExecutor) browser)
        .executeScript("document.getElementById('window-endsAt').value = arguments[0];", end);
    browser.findElement(By.id("window-comment")).sendKeys("Kernel upgrade.");
    browser.findElement(By.xpath("//button[normalize-space()='Schedule the window']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "maintenance"));
    WebElement window = silenceItem("tocsin_service=~\"" + service.name() + "\"");
    assertThat(window.getText()).contains("Kernel upgrade.").contains("mutes 1 firing alert");
    assertThat(window.getText())
        .as("the end is read and shown in the viewer's zone, as the form's label says")
        .contains(
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT)
                .format(localEnd.atZone(VIEWER)));
    browser.get(
        tocsin.uri("/alerts?state=silenced&filter=alertname%3D%22" + name + "%22").toString());
    assertThat(alertItem(name).getText()).contains("Silenced");
  }

  @Test
  void theAlertAndSilencePagesFitAPhoneScreen() {
    Api.Service service = api.service("phone-alerts", "\"autoResolve\":false");
    String name = Api.unique("AVeryLongAlertNameThatKeepsGoingWithoutAnySpaceToBreakAt");
    api.fire(
        service,
        Api.alert(
            name,
            "severity",
            "critical",
            "instance",
            "db-primary-0.payments.eu-central-1.internal.example.com:9187"));
    api.ok(
        "POST",
        "/api/v2/silences",
        """
        {"matchers":[{"name":"alertname","value":"%s","isRegex":false,"isEqual":true}],
         "startsAt":"%s","endsAt":"%s","createdBy":"ops","comment":"Phone check."}
        """
            .formatted(
                name,
                java.time.Instant.now().toString(),
                java.time.Instant.now().plus(Duration.ofHours(1)).toString()));
    browser.manage().window().setSize(new Dimension(360, 780));
    signIn();
    assertFitAPhone(
        List.of("/alerts", "/silences", "/silences/new?matchers=alertname%3D%22" + name + "%22"));
  }

  private WebElement alertItem(String name) {
    wait(ExpectedConditions.presenceOfElementLocated(By.id("alerts")));
    return browser.findElement(
        By.xpath("//ul[@id='alerts']/li[.//strong[normalize-space()='" + name + "']]"));
  }

  private WebElement silenceItem(String matcherText) {
    wait(ExpectedConditions.presenceOfElementLocated(By.id("silences")));
    return browser.findElement(
        By.xpath(
            "//ul[@id='silences']/li[.//ul[@class='chips']/li[contains(., '"
                + matcherText.replace("'", "")
                + "')]]"));
  }

  /** Waits until {@code service} has an incident, so that its alerts are stored. */
  private static void awaitAnIncident(Api.Service service) {
    Awaitility.await().atMost(Browser.WAIT).until(() -> !api.incidents(service.id()).isEmpty());
  }
}
