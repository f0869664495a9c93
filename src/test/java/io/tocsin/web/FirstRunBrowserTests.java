package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.directory.SetupTokenLog;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.Browser;
import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The first run in the browser: no admin yet, so every page leads to the setup form. */
// On PostgreSQL only, as every browser test (see BrowserTests); FirstAdminSetupIntegrationTests
// covers the first run's SQL on both databases.
@ExtendWith(OutputCaptureExtension.class)
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class FirstRunBrowserTests extends BothDatabasesTests {

  @Test
  void theFirstAdminIsCreatedWithTheTokenFromTheLogAndCanSignIn(
      @TempDir Path dataDir, CapturedOutput output) {
    WebDriver browser = Browser.shared();
    try (TocsinHarness tocsin =
        TocsinHarness.start(
            schema().url(), schema().user(), schema().password(), dataDir, Map.of())) {
      String token = SetupTokenLog.awaitToken(output);

      browser.get(tocsin.uri("/").toString());
      Browser.waitFor(browser, ExpectedConditions.urlContains("/setup"));
      Browser.assertAccessible(browser, "setup page");
      browser.findElement(By.id("token")).sendKeys("0".repeat(32));
      browser.findElement(By.id("setup-name")).sendKeys("Ada");
      browser.findElement(By.id("setup-email")).sendKeys("ada@example.com");
      browser.findElement(By.id("setup-password")).sendKeys("correct horse battery");
      browser.findElement(By.cssSelector("#setup button")).click();
      Browser.waitFor(
          browser, ExpectedConditions.textMatches(By.id("setup-error"), Pattern.compile("\\S")));

      browser.findElement(By.id("token")).clear();
      browser.findElement(By.id("token")).sendKeys(token);
      browser.findElement(By.cssSelector("#setup button")).click();
      Browser.waitFor(browser, ExpectedConditions.urlContains("/login"));
      browser.findElement(By.id("username")).sendKeys("ada@example.com");
      browser.findElement(By.id("password")).sendKeys("correct horse battery");
      browser.findElement(By.cssSelector("#signin button")).click();
      Browser.waitFor(
          browser, ExpectedConditions.presenceOfElementLocated(By.id("open-incidents")));
      assertThat(browser.findElement(By.cssSelector("header .me")).getText())
          .isEqualTo("ada@example.com");
      Browser.waitFor(
          browser,
          ExpectedConditions.textToBe(By.id("volume-chart"), "No alerts in the last 6 hours."));
      assertThat(browser.findElements(By.cssSelector("#volume-chart canvas")))
          .as("an empty chart says so instead of drawing empty axes")
          .isEmpty();
      assertThat(browser.findElement(By.id("you-on-call")).getText())
          .isEqualTo("You are not on call now.");
      browser.get(tocsin.uri("/setup").toString());
      Browser.waitFor(browser, ExpectedConditions.urlContains("/login"));
    }
  }
}
