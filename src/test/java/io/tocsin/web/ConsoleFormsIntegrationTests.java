package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.directory.SignInForm;
import io.tocsin.testing.Api;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TocsinHarness;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The schedule and policy editors and the declare form when a save is refused, on both databases
 * and without a browser (the browser tests walk the happy path on PostgreSQL): the form comes back
 * with what was typed and the reason in words, next to the field it concerns, and nothing is saved.
 */
class ConsoleFormsIntegrationTests extends HarnessTests {

  private static String me;
  private static String session;

  @Override
  protected void seed() {
    me = api.get("/api/v1/users/me").get("id").asString();
    session = SignInForm.session(tocsin, TocsinHarness.ADMIN_EMAIL, TocsinHarness.ADMIN_PASSWORD);
  }

  @Test
  void aScheduleWhoseShiftLengthIsNotANumberGoesBackToItsEditorWithTheReasonAndTheTypedName() {
    String name = Api.unique("rota");
    String id =
        api.create(
                "/api/v1/schedules",
                """
                {"name":"%s","timeZone":"UTC","layers":[{"name":"only","members":["%s"],
                 "rotation":{"count":1,"unit":"weeks"},"start":"2026-01-05T09:00",
                 "restrictions":[]}]}
                """
                    .formatted(name, me))
            .get("id")
            .asString();

    String page =
        postAndFollow(
            "/schedules/" + id + "/edit",
            "/schedules/" + id + "/edit",
            Map.of(
                "name", "Renamed " + name,
                "timeZone", "UTC",
                "layer0Name", "only",
                "layer0Start", "2026-01-05T09:00",
                "layer0Count", "many",
                "layer0Unit", "weeks",
                "layer0Member", me));

    assertThat(page)
        .contains("Not saved: layer 1, shift length: must be a whole number.")
        .contains("value=\"Renamed " + name + "\"");
    assertThat(api.get("/api/v1/schedules/" + id).get("name").asString()).isEqualTo(name);
  }

  @Test
  void aNewScheduleWhoseMemberIsNotAPersonIsRefusedAndNotCreated() {
    String name = Api.unique("rota");

    String page =
        postAndFollow(
            "/schedules",
            "/schedules/new",
            Map.of(
                "name", name,
                "timeZone", "UTC",
                "layer0Name", "only",
                "layer0Start", "2026-01-05T09:00",
                "layer0Count", "1",
                "layer0Unit", "weeks",
                "layer0Member", "somebody"));

    assertThat(page).contains("Not saved: layer 1, members: is not a user.");
    assertThat(api.get("/api/v1/schedules").toString()).doesNotContain(name);
  }

  @Test
  void aPolicySavedWithATargetThatIsNoOneKeepsItsLevelsAndSaysWhy() {
    String id = api.policyPaging(me);
    String before = api.get("/api/v1/escalation-policies/" + id).toString();

    String page =
        postAndFollow(
            "/policies/" + id,
            "/policies/" + id,
            Map.of(
                "name",
                "Renamed policy",
                "repeat",
                "1",
                "level0Delay",
                "5",
                "level0Targets",
                "user:nobody"));

    assertThat(page).contains("The levels: ").contains("is not a person or schedule.");
    assertThat(api.get("/api/v1/escalation-policies/" + id).toString()).isEqualTo(before);
  }

  @Test
  void aDeclarationWithoutAServiceComesBackWithWhatWasTypedAndTheReason() {
    String title = Api.unique("Customers cannot pay");

    String page =
        postAndFollow(
            "/incidents/new",
            "/incidents/new",
            Map.of("title", title, "severity", "error", "description", "Support calls."));

    assertThat(page)
        .contains("choose the service that is down")
        .contains("value=\"" + title + "\"")
        .contains(">Support calls.</textarea>")
        .contains("<title>Declare an incident · Tocsin</title>");
  }

  /**
   * Posts the form as the signed-in admin's browser would, checks that the console sends it back to
   * {@code back}, and returns that page as the browser then sees it.
   */
  private static String postAndFollow(String path, String back, Map<String, String> fields) {
    String body =
        fields.entrySet().stream()
                .map(
                    field ->
                        field.getKey()
                            + "="
                            + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"))
            + "&_csrf=csrf";
    HttpResponse<String> posted =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri(path))
                .header("Cookie", "TOCSIN_SESSION=" + session + "; XSRF-TOKEN=csrf")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(302);
    assertThat(posted.headers().firstValue("Location").orElse("")).endsWith(back);
    HttpResponse<String> page =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri(back))
                .header("Cookie", "TOCSIN_SESSION=" + session)
                .GET()
                .build());
    assertThat(page.statusCode()).isEqualTo(200);
    return page.body();
  }
}
