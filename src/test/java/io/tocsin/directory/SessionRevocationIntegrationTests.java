package io.tocsin.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.net.HttpCookie;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A browser session holds the rights its user has now, not those of its sign-in: a role change, a
 * deletion or a password change ends the user's sessions, on every node of the database.
 */
// PostgreSQL only: the classes still on H2 send each of its statements there (.ci/sql-coverage).
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class SessionRevocationIntegrationTests extends HarnessTests {

  private static final String PASSWORD = "the ops password 1";
  private static final String SECRET = "session-tests-secret-key-0123456789abcdef";
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private static String admin;

  @Override
  protected Map<String, Object> settings() {
    return Map.of("tocsin.secret-key", SECRET);
  }

  @Override
  protected void seed() {
    admin = "Bearer " + adminToken;
  }

  @Test
  void aSessionOfAnAdminDemotedToViewerCanNoLongerActAsAdmin() {
    String ops = createAdmin();
    Browser browser = Browser.signIn(tocsin, email(ops), PASSWORD);
    assertThat(browser.send("GET", "/api/v1/config/export", null).statusCode()).isEqualTo(200);

    assertThat(changeUser(ops, "{\"role\":\"viewer\"}").statusCode()).isEqualTo(200);

    assertThat(browser.send("GET", "/api/v1/config/export", null).statusCode()).isEqualTo(401);
    assertThat(browser.send("POST", "/api/v1/users", newUser()).statusCode()).isEqualTo(401);
    assertThat(browser.send("GET", "/api/v1/users/me", null).statusCode()).isEqualTo(401);
    assertThat(browser.page("/admin").headers().firstValue("Location"))
        .hasValueSatisfying(location -> assertThat(location).contains("/login"));
    HttpResponse<String> audit =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri("/api/v1/audit?kind=session.ended"))
                .header("Authorization", admin)
                .build());
    assertThat(audit.body()).contains("\"target\":\"user " + ops + "\"");
  }

  @Test
  void aSessionOfADeletedUserIsRefused() {
    String ops = createAdmin();
    Browser browser = Browser.signIn(tocsin, email(ops), PASSWORD);

    HttpResponse<String> deleted =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri("/api/v1/users/" + ops))
                .header("Authorization", admin)
                .DELETE()
                .build());
    assertThat(deleted.statusCode()).isEqualTo(204);

    assertThat(browser.send("GET", "/api/v1/config/export", null).statusCode()).isEqualTo(401);
    assertThat(browser.send("POST", "/api/v1/users", newUser()).statusCode()).isEqualTo(401);
  }

  @Test
  void aPasswordChangeEndsTheOtherSessionsAndKeepsTheOneThatMadeIt() {
    String ops = createAdmin();
    Browser changing = Browser.signIn(tocsin, email(ops), PASSWORD);
    Browser other = Browser.signIn(tocsin, email(ops), PASSWORD);

    HttpResponse<String> changed =
        changing.send(
            "PATCH",
            "/api/v1/users/" + ops,
            "{\"password\":\"a new ops password\",\"currentPassword\":\"" + PASSWORD + "\"}");
    assertThat(changed.statusCode()).isEqualTo(200);

    assertThat(other.send("GET", "/api/v1/users/me", null).statusCode()).isEqualTo(401);
    assertThat(other.send("POST", "/api/v1/users", newUser()).statusCode()).isEqualTo(401);
    assertThat(changing.send("GET", "/api/v1/config/export", null).statusCode()).isEqualTo(200);
    assertThat(changing.send("POST", "/api/v1/users", newUser()).statusCode()).isEqualTo(201);
  }

  @Test
  void aPasswordSetByAnAdminEndsEverySessionOfTheUser() {
    String ops = createAdmin();
    Browser browser = Browser.signIn(tocsin, email(ops), PASSWORD);

    assertThat(changeUser(ops, "{\"password\":\"set by the admin\"}").statusCode()).isEqualTo(200);

    assertThat(browser.send("GET", "/api/v1/users/me", null).statusCode()).isEqualTo(401);
    assertThat(
            Browser.signIn(tocsin, email(ops), "set by the admin")
                .send("GET", "/api/v1/users/me", null)
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void aSessionOnOneNodeEndsWhenItsUserIsDemotedThroughAnother() throws IOException {
    String ops = createAdmin();
    try (TocsinHarness second = anotherNode(Map.of("tocsin.secret-key", SECRET))) {
      Browser onSecond = Browser.signIn(second, email(ops), PASSWORD);
      assertThat(onSecond.send("GET", "/api/v1/config/export", null).statusCode()).isEqualTo(200);

      assertThat(changeUser(ops, "{\"role\":\"responder\"}").statusCode()).isEqualTo(200);

      assertThat(onSecond.send("GET", "/api/v1/config/export", null).statusCode()).isEqualTo(401);
    }
  }

  /** Creates an admin with {@link #PASSWORD} and returns their id. */
  private static String createAdmin() {
    String email = "ops" + SEQUENCE.incrementAndGet() + "@example.com";
    HttpResponse<String> created =
        tocsin.postJson(
            "/api/v1/users",
            admin,
            "{\"name\":\"Ops\",\"email\":\""
                + email
                + "\",\"role\":\"admin\",\"timeZone\":\"UTC\",\"password\":\""
                + PASSWORD
                + "\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    return TocsinHarness.field(created, "id");
  }

  private static String email(String id) {
    HttpResponse<String> user =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri("/api/v1/users/" + id))
                .header("Authorization", admin)
                .build());
    return TocsinHarness.field(user, "email");
  }

  private static HttpResponse<String> changeUser(String id, String json) {
    return tocsin.send(
        HttpRequest.newBuilder(tocsin.uri("/api/v1/users/" + id))
            .header("Authorization", admin)
            .header("Content-Type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private static String newUser() {
    return "{\"name\":\"New\",\"email\":\"new"
        + SEQUENCE.incrementAndGet()
        + "@example.com\",\"role\":\"admin\",\"timeZone\":\"UTC\",\"password\":\"a password of 12\"}";
  }

  /** A browser signed in by the form, with its session cookie and CSRF token. */
  private record Browser(TocsinHarness node, String session, String csrf) {

    static Browser signIn(TocsinHarness node, String email, String password) {
      HttpResponse<String> page = node.get("/api/v1/users/me");
      String csrf = cookie(page, "XSRF-TOKEN");
      HttpResponse<String> login =
          node.send(
              SignInForm.post(node, email, password, csrf)
                  .header("Cookie", "XSRF-TOKEN=" + csrf)
                  .build());
      assertThat(login.statusCode()).isEqualTo(204);
      return new Browser(node, cookie(login, "TOCSIN_SESSION"), cookie(login, "XSRF-TOKEN"));
    }

    HttpResponse<String> send(String method, String path, String json) {
      return node.send(
          TocsinHarness.request(method, node.uri(path), json)
              .header("Cookie", "TOCSIN_SESSION=" + session + "; XSRF-TOKEN=" + csrf)
              .header("X-XSRF-TOKEN", csrf)
              .build());
    }

    HttpResponse<String> page(String path) {
      return node.send(
          HttpRequest.newBuilder(node.uri(path))
              .header("Cookie", "TOCSIN_SESSION=" + session)
              .header("Accept", "text/html")
              .build());
    }

    private static String cookie(HttpResponse<String> response, String name) {
      return response.headers().allValues("Set-Cookie").stream()
          .filter(header -> header.startsWith(name + "="))
          .reduce((first, last) -> last)
          .map(header -> HttpCookie.parse(header).get(0).getValue())
          .orElseThrow(() -> new AssertionError("no " + name + " cookie in " + response));
    }
  }
}
