package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.Browser;
import io.tocsin.testing.BrowserTests;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Setting Tocsin up from the console alone, in Debian's headless Chromium: one's own password and
 * signing out, services, escalation policies and schedules made and edited without the API.
 */
class SetupBrowserTests extends BrowserTests {

  private static final String PASSWORD = "a long enough password";

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
