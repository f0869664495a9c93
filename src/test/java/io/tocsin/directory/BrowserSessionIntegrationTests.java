package io.tocsin.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.net.HttpCookie;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Browser sign-in: session cookie flags, CSRF on state changes, fixation, logout. */
// PostgreSQL only: the classes still on H2 send each of its statements there (.ci/sql-coverage).
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class BrowserSessionIntegrationTests extends HarnessTests {

  private static final String EMAIL = TocsinHarness.ADMIN_EMAIL;
  private static final String PASSWORD = TocsinHarness.ADMIN_PASSWORD;

  @Test
  void aBrowserSessionWorksOnlyWithItsCsrfTokenAndEndsOnLogout() {
    HttpResponse<String> login = login(tocsin, PASSWORD, null);
    assertThat(login.statusCode()).isEqualTo(204);
    String sessionHeader = setCookie(login, "TOCSIN_SESSION").orElseThrow();
    assertThat(sessionHeader).contains("HttpOnly").containsIgnoringCase("SameSite=Lax");
    String session = value(sessionHeader);
    String csrf = value(setCookie(login, "XSRF-TOKEN").orElseThrow());

    assertThat(send(tocsin, "GET", "/api/v1/users/me", session, null).statusCode()).isEqualTo(200);
    String team = "{\"name\":\"browser-team\"}";
    HttpResponse<String> forged = send(tocsin, "POST", "/api/v1/teams", session, null, team);
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.body()).contains("\"status\":403");
    for (String bogus : List.of("Bearer x", "Bearer tcn_not-a-token", "Basic Zm9vOmJhcg==")) {
      HttpResponse<String> withHeader =
          send(tocsin, "POST", "/api/v1/teams", session, null, team, bogus);
      assertThat(withHeader.statusCode())
          .as("an Authorization header that authenticates nothing exempts nothing: " + bogus)
          .isEqualTo(403);
    }
    assertThat(send(tocsin, "POST", "/api/v1/teams", session, csrf, team).statusCode())
        .isEqualTo(201);

    HttpResponse<String> again = login(tocsin, PASSWORD, session);
    String renewed = value(setCookie(again, "TOCSIN_SESSION").orElseThrow());
    assertThat(renewed).as("a new session id after sign-in (fixation)").isNotEqualTo(session);

    String renewedCsrf = value(setCookie(again, "XSRF-TOKEN").orElseThrow());
    assertThat(send(tocsin, "POST", "/logout", renewed, renewedCsrf, null).statusCode())
        .isEqualTo(204);
    assertThat(send(tocsin, "GET", "/api/v1/users/me", renewed, null).statusCode()).isEqualTo(401);
  }

  @Test
  void theConsolesFilesAreServedWithoutSignInFromWebAndWebjarsOnly() {
    HttpResponse<String> css = tocsin.get("/web/tocsin.css");
    HttpResponse<String> htmx = tocsin.get("/webjars/htmx.org/dist/htmx.min.js");

    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(css.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/css"));
    assertThat(htmx.statusCode()).isEqualTo(200);
    assertThat(htmx.body()).contains("htmx");
    assertThat(tocsin.get("/static/web/tocsin.css").statusCode()).isNotEqualTo(200);
    assertThat(tocsin.get("/tocsin.css").statusCode()).isNotEqualTo(200);
  }

  @Test
  void anonymousCallsNeverStartASession() {
    HttpResponse<String> post =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri("/api/v1/teams"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\"}"))
                .build());
    HttpResponse<String> get = tocsin.get("/api/v1/teams");

    assertThat(post.statusCode()).isEqualTo(401);
    assertThat(get.statusCode()).isEqualTo(401);
    assertThat(setCookie(post, "TOCSIN_SESSION")).isEmpty();
    assertThat(setCookie(get, "TOCSIN_SESSION")).isEmpty();
  }

  @Test
  void aSignInWithoutTheCsrfTokenIsRefused() {
    HttpResponse<String> forged =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + EMAIL + "&password=x"))
                .build());

    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(setCookie(forged, "TOCSIN_SESSION")).isEmpty();
  }

  @Test
  void aWrongPasswordIsA401ProblemAndStartsNoSession() {
    HttpResponse<String> refused = login(tocsin, "not the password", null);

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("\"type\":\"urn:tocsin:problem:sign-in-failed\"");
    assertThat(setCookie(refused, "TOCSIN_SESSION")).isEmpty();
  }

  /**
   * Signs in the way a browser does: first a page that hands out the CSRF cookie, then the form.
   */
  private static HttpResponse<String> login(TocsinHarness tocsin, String password, String session) {
    HttpResponse<String> page =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri("/api/v1/users/me"))
                .header("Cookie", session == null ? "" : "TOCSIN_SESSION=" + session)
                .build());
    String csrf =
        setCookie(page, "XSRF-TOKEN").map(BrowserSessionIntegrationTests::value).orElseThrow();
    HttpRequest.Builder request = SignInForm.post(tocsin, EMAIL, password, csrf);
    request.header(
        "Cookie",
        (session == null ? "" : "TOCSIN_SESSION=" + session + "; ") + "XSRF-TOKEN=" + csrf);
    return tocsin.send(request.build());
  }

  private static HttpResponse<String> send(
      TocsinHarness tocsin, String method, String path, String session, String csrf) {
    return send(tocsin, method, path, session, csrf, null);
  }

  private static HttpResponse<String> send(
      TocsinHarness tocsin, String method, String path, String session, String csrf, String json) {
    return send(tocsin, method, path, session, csrf, json, null);
  }

  private static HttpResponse<String> send(
      TocsinHarness tocsin,
      String method,
      String path,
      String session,
      String csrf,
      String json,
      String authorization) {
    HttpRequest.Builder request = TocsinHarness.request(method, tocsin.uri(path), json);
    String cookies = "TOCSIN_SESSION=" + session + (csrf == null ? "" : "; XSRF-TOKEN=" + csrf);
    request.header("Cookie", cookies);
    if (csrf != null) {
      request.header("X-XSRF-TOKEN", csrf);
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return tocsin.send(request.build());
  }

  private static Optional<String> setCookie(HttpResponse<String> response, String name) {
    List<String> headers = response.headers().allValues("Set-Cookie");
    return headers.stream().filter(h -> h.startsWith(name + "=")).reduce((first, last) -> last);
  }

  private static String value(String setCookieHeader) {
    return HttpCookie.parse(setCookieHeader).get(0).getValue();
  }
}
