package io.tocsin.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium for the console's tests, driven through its own ChromeDriver (never a
 * downloaded one), and the axe-core check every page of those tests passes.
 */
public final class Browser {

  public static final Duration WAIT = Duration.ofSeconds(20);

  private static String axe;

  private Browser() {}

  public static WebDriver headless() {
    try {
      ChromeOptions options = new ChromeOptions();
      options.setBinary("/usr/bin/chromium");
      options.addArguments(
          "--headless=new",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          "--user-data-dir=" + Files.createTempDirectory("tocsin-chromium"));
      return new ChromeDriver(
          new ChromeDriverService.Builder()
              .usingDriverExecutable(new File("/usr/bin/chromedriver"))
              .usingAnyFreePort()
              .build(),
          options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void waitFor(WebDriver browser, ExpectedCondition<?> condition) {
    new WebDriverWait(browser, WAIT).until(condition);
  }

  /** Runs axe-core on the page; serious and critical violations fail the test. */
  @SuppressWarnings("unchecked")
  public static void assertAccessible(WebDriver browser, String page) {
    JavascriptExecutor script = (JavascriptExecutor) browser;
    script.executeScript(axe());
    browser.manage().timeouts().scriptTimeout(WAIT);
    List<Map<String, Object>> violations =
        (List<Map<String, Object>>)
            script.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "axe.run(document).then(r => done(r.violations"
                    + ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                    + ".map(v => ({id: v.id, help: v.help, nodes: v.nodes.length}))));");
    assertThat(violations).as("axe-core on the " + page).isEmpty();
  }

  private static synchronized String axe() {
    if (axe == null) {
      try (InputStream in = Browser.class.getResourceAsStream("/axe/axe.min.js")) {
        axe = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return axe;
  }
}
