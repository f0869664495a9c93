package io.tocsin.directory;

import io.tocsin.testing.TocsinHarness;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;

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
}
