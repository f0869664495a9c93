package io.tocsin.directory;

import io.tocsin.testing.TocsinHarness;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The sign-in page's form post, for tests that sign in as a browser does. The caller adds the
 * {@code Cookie} header: the CSRF cookie always, the session cookie when it has one.
 */
public final class SignInForm {

  private SignInForm() {}

  /** {@code POST /login} with the form's fields, {@code csrf} as its {@code _csrf}. */
  public static HttpRequest.Builder post(
      TocsinHarness tocsin, String email, String password, String csrf) {
    return HttpRequest.newBuilder(tocsin.uri("/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(
            HttpRequest.BodyPublishers.ofString(
                "username="
                    + URLEncoder.encode(email, StandardCharsets.UTF_8)
                    + "&password="
                    + URLEncoder.encode(password, StandardCharsets.UTF_8)
                    + "&_csrf="
                    + csrf));
  }

  /** A console page as the harness's first admin sees it, signed in with the form. */
  public static String adminPage(TocsinHarness tocsin, String path) {
    String session = session(tocsin, TocsinHarness.ADMIN_EMAIL, TocsinHarness.ADMIN_PASSWORD);
    return tocsin
        .send(
            HttpRequest.newBuilder(tocsin.uri(path))
                .header("Accept", "text/html")
                .header("Cookie", "TOCSIN_SESSION=" + session)
                .build())
        .body();
  }

  /** Signs in with the form and returns the value of the session cookie it sets. */
  public static String session(TocsinHarness tocsin, String email, String password) {
    String csrf = UUID.randomUUID().toString();
    HttpResponse<String> response =
        tocsin.send(
            post(tocsin, email, password, csrf).header("Cookie", "XSRF-TOKEN=" + csrf).build());
    if (response.statusCode() != 204) {
      throw new AssertionError(
          "sign-in answered " + response.statusCode() + ": " + response.body());
    }
    return response.headers().allValues("Set-Cookie").stream()
        .filter(cookie -> cookie.startsWith("TOCSIN_SESSION="))
        .map(cookie -> cookie.substring("TOCSIN_SESSION=".length(), cookie.indexOf(';')))
        .reduce((first, last) -> last)
        .orElseThrow();
  }
}
