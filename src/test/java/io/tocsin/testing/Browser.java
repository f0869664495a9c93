package io.tocsin.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium for the console's tests, driven through its own ChromeDriver (never a
 * downloaded one), and the axe-core check every page of those tests passes.
 */
public final class Browser {

  public static final Duration WAIT = Duration.ofSeconds(20);

  /** How often a wait looks again: a page's change shows in milliseconds, not half-seconds. */
  private static final Duration POLL = Duration.ofMillis(50);

  private static String axe;

  private static @Nullable ChromeDriver shared;

  private Browser() {}

  /**
   * The one Chromium that this JVM's browser tests take turns with, as a new visitor: no cookies, a
   * blank page, the desktop window, light mode and an empty console. Starting Chromium costs about
   * two seconds; a test whose page needs a second visitor starts its own with {@link #headless}.
   * Quit when the JVM exits.
   */
  public static synchronized WebDriver shared() {
    if (shared != null) {
      try {
        clean(shared);
        return shared;
      } catch (WebDriverException e) {
        // A test left it crashed or hung: start another, as a new test would have.
        quitQuietly(shared);
      }
    }
    boolean first = shared == null;
    shared = headless();
    clean(shared);
    if (first) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    synchronized (Browser.class) {
                      if (shared != null) {
                        quitQuietly(shared);
                      }
                    }
                  }));
    }
    return shared;
  }

  private static void clean(ChromeDriver browser) {
    // Leaving the page first ends its live stream and any dialog it showed.
    browser.get("about:blank");
    browser.executeCdpCommand("Network.clearBrowserCookies", Map.of());
    browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    browser.manage().window().setSize(new Dimension(1280, 900));
    consoleErrors(browser);
  }

  private static void quitQuietly(WebDriver browser) {
    try {
      browser.quit();
    } catch (WebDriverException e) {
      // Already gone: its process is what the quit was for.
    }
  }

  public static ChromeDriver headless() {
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
      // Keeps what the page writes to its console, so that every checked page can be held to none.
      LoggingPreferences logs = new LoggingPreferences();
      logs.enable(LogType.BROWSER, Level.ALL);
      options.setCapability("goog:loggingPrefs", logs);
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
    // An element found in one look may be swapped out by htmx before the next: look again.
    new WebDriverWait(browser, WAIT)
        .pollingEvery(POLL)
        .ignoring(StaleElementReferenceException.class)
        .until(condition);
  }

  /**
   * Runs axe-core on the page; serious and critical violations fail the test, and so does any error
   * the browser wrote to its console since the last check: a script error, a refused resource, a
   * violation of the Content-Security-Policy or a failed request.
   */
  @SuppressWarnings("unchecked")
  public static void assertAccessible(WebDriver browser, String page) {
    JavascriptExecutor script = (JavascriptExecutor) browser;
    // A page that stays (htmx swaps) keeps axe from the last look: loading it again costs more
    // than the look itself.
    if (!Boolean.TRUE.equals(script.executeScript("return typeof axe !== 'undefined';"))) {
      script.executeScript(axe());
    }
    browser.manage().timeouts().scriptTimeout(WAIT);
    List<Map<String, Object>> violations =
        (List<Map<String, Object>>)
            script.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations"
                    + ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                    + ".map(v => ({id: v.id, help: v.help, nodes: v.nodes.length}))));");
    assertThat(violations).as("axe-core on the " + page).isEmpty();
    assertNoConsoleErrors(browser, page);
  }

  public static void assertNoConsoleErrors(WebDriver browser, String page) {
    assertThat(consoleErrors(browser)).as("the browser console on the " + page).isEmpty();
  }

  /**
   * For a test that provokes an error on purpose (a refused request, a wrong password): the console
   * holds exactly that error, which is then cleared so that the page's own check still counts.
   */
  public static void expectConsoleError(WebDriver browser, String path, int status) {
    assertThat(consoleErrors(browser))
        .singleElement()
        .asString()
        .contains(path)
        .contains("status of " + status);
  }

  /** The errors the page wrote to its console since they were last read; reading clears them. */
  private static List<String> consoleErrors(WebDriver browser) {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
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

  /**
   * Saves the page as a PNG: {@code target/screenshots/<name>.png}, and also under the directory
   * the system property {@code tocsin.screenshots} names (the README's images are made that way).
   */
  public static void screenshot(WebDriver browser, String name) {
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    try {
      for (String directory :
          List.of("target/screenshots", System.getProperty("tocsin.screenshots", ""))) {
        if (!directory.isBlank()) {
          Path file = Path.of(directory, name + ".png");
          Files.createDirectories(file.getParent());
          Files.write(file, png);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Register with {@code @RegisterExtension}: a failed test leaves a screenshot of where the
   * browser was in {@code target/screenshots/}. It runs before {@code @AfterEach}, while the
   * browser is open.
   */
  public static final class ScreenshotOnFailure implements AfterTestExecutionCallback {
    private final Supplier<WebDriver> browser;

    public ScreenshotOnFailure(Supplier<WebDriver> browser) {
      this.browser = browser;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
      WebDriver driver = browser.get();
      if (context.getExecutionException().isPresent() && driver != null) {
        String name =
            context.getRequiredTestClass().getSimpleName()
                + "-"
                + context.getRequiredTestMethod().getName()
                + "-"
                + context.getUniqueId().hashCode();
        try {
          screenshot(driver, "failed/" + name);
        } catch (RuntimeException e) {
          context.publishReportEntry("screenshot", "not saved: " + e.getMessage());
        }
      }
    }
  }
}
