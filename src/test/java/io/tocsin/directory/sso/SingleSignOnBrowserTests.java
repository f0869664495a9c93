package io.tocsin.directory.sso;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.BrowserTests;
import io.tocsin.testing.IdentityProvider;
import io.tocsin.testing.IdentityProvider.Person;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import tools.jackson.databind.JsonNode;

/**
 * Signing in through the company's identity provider, in Chromium, on the provider's own sign-in
 * page: a real OpenID Connect provider (Spring Authorization Server) started by the test.
 */
class SingleSignOnBrowserTests extends BrowserTests {

  private static IdentityProvider provider;

  private static final Person ALICE =
      new Person("alice", "alice-password-1", "Alice Example", "alice@example.com");

  @Override
  protected Map<String, Object> settings() {
    if (provider == null) {
      provider = IdentityProvider.start();
    }
    Map<String, Object> settings = new HashMap<>(super.settings());
    settings.putAll(provider.settings("company"));
    settings.put("tocsin.sso.providers.company.name", "Example Corp");
    // A provider that is down: its button fails, the other one works.
    settings.put("tocsin.sso.providers.down.issuer", "http://127.0.0.1:9/");
    settings.put("tocsin.sso.providers.down.client-id", "tocsin");
    settings.put("tocsin.sso.roles.admin", "tocsin-admins");
    settings.put("tocsin.sso.roles.responder", "oncall,payments-oncall");
    return settings;
  }

  @Override
  protected void seed() {
    provider.registerTocsin(tocsin, "company");
  }

  @AfterAll
  static void stopTheProvider() {
    if (provider != null) {
      provider.close();
      provider = null;
    }
  }

  @Test
  void aPersonSignsInOnTheProvidersPageAndGetsTheRoleTheirGroupsGiveAtEverySignIn() {
    provider.person(ALICE, List.of("engineering", "payments-oncall"));

    signInThroughTheProvider(ALICE);
    wait(ExpectedConditions.presenceOfElementLocated(By.id("open-incidents")));
    assertAccessible("the dashboard after signing in through the provider");

    JsonNode alice = user(ALICE.email());
    assertThat(alice.get("name").asString()).isEqualTo("Alice Example");
    assertThat(alice.get("role").asString()).isEqualTo("responder");
    assertThat(audit("login.succeeded", ALICE.email()))
        .anyMatch(summary -> summary.contains("sign-in through Example Corp"));
    open("/admin");
    wait(ExpectedConditions.titleContains("Not allowed"));
    expectConsoleError("/admin", 403);

    // Promoted and renamed at the provider: the next sign-in brings both.
    provider.person(
        new Person(ALICE.username(), ALICE.password(), "Alice Admin", ALICE.email()),
        List.of("tocsin-admins"));
    browser.manage().deleteAllCookies();
    signInThroughTheProvider(ALICE);
    wait(ExpectedConditions.presenceOfElementLocated(By.id("open-incidents")));

    JsonNode promoted = user(ALICE.email());
    assertThat(promoted.get("id").asString()).isEqualTo(alice.get("id").asString());
    assertThat(promoted.get("name").asString()).isEqualTo("Alice Admin");
    assertThat(promoted.get("role").asString()).isEqualTo("admin");
    assertThat(audit("user.role_changed", null))
        .anyMatch(summary -> summary.contains("responder") && summary.contains("admin"));
    open("/admin");
    wait(ExpectedConditions.presenceOfElementLocated(By.id("sso-mapping")));
    assertThat(browser.findElement(By.id("sso-providers")).getText())
        .contains("Example Corp")
        .contains(tocsin.uri("/login/oauth2/code/company").toString());
    assertThat(browser.findElement(By.id("sso-mapping")).getText())
        .contains("tocsin-admins")
        .contains("oncall, payments-oncall");
    assertAccessible("the admin page with single sign-on");
  }

  @Test
  void aPersonWhoseGroupsGiveNoRoleIsToldSoAndGetsNoAccount() {
    Person bob = new Person("bob", "bob-password-12", "Bob Outsider", "bob@example.com");
    provider.person(bob, List.of("marketing"));

    signInThroughTheProvider(bob);

    wait(ExpectedConditions.presenceOfElementLocated(By.id("sso-error")));
    assertThat(browser.findElement(By.id("sso-error")).getText())
        .contains("in no group that gives access to Tocsin")
        .contains("marketing");
    assertThat(users()).noneMatch(user -> user.get("email").asString().equals(bob.email()));
    assertAccessible("the sign-in page with a refusal");
  }

  @Test
  void aProviderThatCannotBeReachedFailsOnlyItsOwnButtonWithAMessage() {
    open("/login");
    browser.findElement(By.id("sso-down")).click();

    wait(ExpectedConditions.presenceOfElementLocated(By.id("sso-error")));
    assertThat(browser.findElement(By.id("sso-error")).getText()).contains("cannot reach down");
    assertThat(browser.findElement(By.id("sso-company")).getText())
        .isEqualTo("Sign in with Example Corp");
  }

  private void signInThroughTheProvider(Person person) {
    open("/login");
    browser.findElement(By.id("sso-company")).click();
    // The provider's own sign-in page.
    wait(ExpectedConditions.presenceOfElementLocated(By.id("username")));
    assertThat(browser.getCurrentUrl()).startsWith(provider.issuer());
    browser.findElement(By.id("username")).sendKeys(person.username());
    browser.findElement(By.id("password")).sendKeys(person.password());
    browser.findElement(By.cssSelector("button[type=submit]")).click();
  }

  private static JsonNode user(String email) {
    return users().stream()
        .filter(user -> user.get("email").asString().equals(email))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no user " + email));
  }

  private static List<JsonNode> users() {
    return StreamSupport.stream(
            api.get("/api/v1/users?limit=200").get("items").spliterator(), false)
        .toList();
  }

  private static List<String> audit(String kind, String actor) {
    String query = "/api/v1/audit?kind=" + kind + (actor == null ? "" : "&actor=" + actor);
    return StreamSupport.stream(api.get(query).get("items").spliterator(), false)
        .map(entry -> entry.get("summary").asString())
        .toList();
  }
}
