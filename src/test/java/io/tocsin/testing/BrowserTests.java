package io.tocsin.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Base of the console's browser tests: one Tocsin with an admin per class, the JVM's headless
 * Chromium handed to each test as a new visitor (a screenshot is saved when it fails), and the
 * steps every such test takes: signing in, waiting for the page, the axe-core check and the
 * phone-width check.
 */
// On PostgreSQL only, the production database: the API and integration tests run every SQL
// statement on H2 too, and a browser test on H2 would only repeat them at a browser's cost.
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
public abstract class BrowserTests extends HarnessTests {

  protected WebDriver browser;

  @RegisterExtension
  final Browser.ScreenshotOnFailure screenshots = new Browser.ScreenshotOnFailure(() -> browser);

  /** API calls are never rate-limited: a class that sets more sets this too. */
  @Override
  protected Map<String, Object> settings() {
    return Map.of("tocsin.rate-limit.api-token-per-minute", "1000000");
  }

  @BeforeEach
  void takeTheBrowser() {
    browser = Browser.shared();
  }

  protected void open(String path) {
    browser.get(tocsin.uri(path).toString());
  }

  protected void signIn() {
    signIn(TocsinHarness.ADMIN_EMAIL, TocsinHarness.ADMIN_PASSWORD);
  }

  protected void signIn(String email, String password) {
    open("/login");
    browser.findElement(By.id("username")).sendKeys(email);
    browser.findElement(By.id("password")).sendKeys(password);
    browser.findElement(By.cssSelector("#signin button")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("open-incidents")));
  }

  protected void assertAccessible(String page) {
    Browser.assertAccessible(browser, page);
  }

  protected void expectConsoleError(String path, int status) {
    Browser.expectConsoleError(browser, path, status);
  }

  protected void wait(ExpectedCondition<?> condition) {
    Browser.waitFor(browser, condition);
  }

  /** Each page at 360 px: nothing scrolls sideways, and axe-core still passes. */
  protected void assertFitAPhone(List<String> paths) {
    browser.manage().window().setSize(new Dimension(360, 780));
    for (String path : paths) {
      open(path);
      assertFitsTheScreen(path);
      assertAccessible(path + " on a phone");
    }
  }

  /** The page as it is now: nothing scrolls sideways, and no word is broken across lines. */
  protected void assertFitsTheScreen(String page) {
    assertThat(widerThanTheScreen()).as(page + " scrolls sideways on a phone").isEmpty();
    assertThat(brokenWords()).as(page + ": words broken across lines on a phone").isEmpty();
  }

  /**
   * The innermost elements that reach past the screen's right edge (empty when the page does not
   * scroll sideways), named by tag, class and text so that a failure says what to fix.
   */
  @SuppressWarnings("unchecked")
  private List<String> widerThanTheScreen() {
    return (List<String>)
        ((JavascriptExecutor) browser)
            .executeScript(
                """
                if (document.documentElement.scrollWidth <= window.innerWidth) return [];
                const wide = [...document.body.querySelectorAll('*')].filter(e =>
                    e.getBoundingClientRect().right > window.innerWidth + 0.5);
                return wide.filter(e => !wide.some(other => other !== e && e.contains(other)))
                    .map(e => e.tagName.toLowerCase() + '.' + e.className + ' "'
                        + (e.textContent || '').trim().slice(0, 40) + '"');
                """);
  }

  /**
   * The words of the page's text that the browser split across two lines anywhere but after a
   * hyphen (where a line may end), outside code, where an identifier or a label value may break,
   * and except a word wider than the page's column, which has to.
   */
  @SuppressWarnings("unchecked")
  private List<String> brokenWords() {
    return (List<String>)
        ((JavascriptExecutor) browser)
            .executeScript(
                """
                const broken = [];
                const column = document.querySelector('main').clientWidth;
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                  const parent = node.parentElement;
                  if (!parent || parent.closest('code, pre, .key, svg, [hidden]')
                      || !parent.getClientRects().length) continue;
                  for (const word of node.data.matchAll(/[^\\s-]+/g)) {
                    const range = document.createRange();
                    range.setStart(node, word.index);
                    range.setEnd(node, word.index + word[0].length);
                    const rects = [...range.getClientRects()].filter(r => r.width > 0);
                    const lines = new Set(rects.map(r => Math.round(r.top)));
                    const width = rects.reduce((sum, r) => sum + r.width, 0);
                    if (lines.size > 1 && width < column) broken.push(word[0]);
                  }
                }
                return broken;
                """);
  }

  /** Waits until correlation has opened {@code count} incidents of {@code service}. */
  protected static void waitForIncidents(Api.Service service, int count) {
    Awaitility.await()
        .atMost(Browser.WAIT)
        .until(
            () -> api.get("/api/v1/incidents?service=" + service.id()).get("items").size(),
            found -> found == count);
  }
}
