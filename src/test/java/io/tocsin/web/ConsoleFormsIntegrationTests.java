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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The schedule and policy editors and the declare form when a save is refused, on both databases
 * and without a browser (the browser tests walk the happy path on PostgreSQL): the form comes back
 * with what was typed and the reason in words, next to the field it concerns, and nothing is saved.
 * And a layer's restriction windows, which the browser tests only preview, saved and taken away;
 * and deleting what is still in use.
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
    String id = weeklyTurnsOfMe(name);

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
  void aWindowTickedInTheEditorRestrictsTheLayerUntilItsDaysAreUnticked() {
    String name = Api.unique("business-hours");
    Map<String, Object> form = new LinkedHashMap<>(layer(name));
    form.put("layer0Window0Day", List.of("monday", "tuesday", "wednesday", "thursday", "friday"));
    form.put("layer0Window0From", "09:00");
    form.put("layer0Window0To", "17:00");
    // The empty window the editor always offers: its times count for nothing without a day.
    form.put("layer0Window1From", "09:00");
    form.put("layer0Window1To", "17:00");

    HttpResponse<String> created = post("/schedules", form);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(302);
    String location = created.headers().firstValue("Location").orElseThrow();
    String id = location.substring(location.lastIndexOf('/') + 1);
    assertThat(restrictions(id))
        .isEqualTo(
            "[{\"days\":[\"monday\",\"tuesday\",\"wednesday\",\"thursday\",\"friday\"],"
                + "\"from\":\"09:00\",\"to\":\"17:00\"}]");

    String editor = get("/schedules/" + id + "/edit");
    assertThat(editor)
        .contains("name=\"layer0Window0Day\" value=\"friday\" checked=\"checked\"")
        .contains("name=\"layer0Window0Day\" value=\"saturday\">")
        .contains("name=\"layer0Window0From\" value=\"09:00\"")
        .contains("name=\"layer0Window0To\" value=\"17:00\"")
        .contains("name=\"layer0Window1Day\" value=\"monday\">");

    Map<String, Object> unticked = new LinkedHashMap<>(layer(name));
    unticked.put("layer0Window0From", "09:00");
    unticked.put("layer0Window0To", "17:00");
    postAndFollow("/schedules/" + id + "/edit", "/schedules/" + id, unticked);
    assertThat(restrictions(id)).isEqualTo("[]");
  }

  @Test
  void aNewScheduleWithAWindowEndingAtNoTimeIsRefusedWithTheWindowAsTyped() {
    String name = Api.unique("rota");
    Map<String, Object> form = new LinkedHashMap<>(layer(name));
    form.put("layer0Window0Day", List.of("saturday"));
    form.put("layer0Window0From", "22:00");
    form.put("layer0Window0To", "25:00");

    String page = postAndFollow("/schedules", "/schedules/new", form);

    assertThat(page)
        .contains("Not saved: layer 1, on-call window 1, to: must be a local time such as 09:00.")
        .contains("name=\"layer0Window0Day\" value=\"saturday\" checked=\"checked\"")
        .contains("name=\"layer0Window0To\" value=\"25:00\"");
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

  @Test
  void whatIsStillInUseIsNotDeletedFromTheConsoleWhichSaysWhatHoldsItAndDeletesItOnceFree() {
    String schedule = weeklyTurnsOfMe(Api.unique("rota"));
    String policy =
        api.policy(0, Api.level(30, "{\"type\":\"schedule\",\"id\":\"" + schedule + "\"}"));
    String policyName = api.get("/api/v1/escalation-policies/" + policy).get("name").asString();
    Api.Service service = api.service("checkout", "");
    api.follow(service, policy);

    assertThat(
            postAndFollow(
                "/schedules/" + schedule + "/delete",
                "/schedules/" + schedule + "/edit#delete",
                Map.of()))
        .contains("is a target of the escalation policies " + policyName)
        .contains("<details id=\"delete\" class=\"panel\" open");
    assertThat(
            postAndFollow(
                "/policies/" + policy + "/delete", "/policies/" + policy + "#delete", Map.of()))
        .contains("is used by the services " + service.name());
    assertThat(
            postAndFollow(
                "/services/" + service.id() + "/delete",
                "/services/" + service.id() + "#delete",
                Map.of()))
        .contains("is still referred to by integrations am-" + service.name());
    assertThat(api.get("/api/v1/schedules/" + schedule).get("id").asString()).isEqualTo(schedule);
    assertThat(api.get("/api/v1/escalation-policies/" + policy).get("id").asString())
        .isEqualTo(policy);

    String integration =
        api.get("/api/v1/services/" + service.id() + "/integrations").get(0).get("id").asString();
    api.send("DELETE", "/api/v1/integrations/" + integration, "");
    assertThat(postAndFollow("/services/" + service.id() + "/delete", "/services", Map.of()))
        .contains("Deleted the service " + service.name() + ".");
    assertThat(postAndFollow("/policies/" + policy + "/delete", "/policies", Map.of()))
        .contains("Deleted the escalation policy " + policyName + ".");
    assertThat(postAndFollow("/schedules/" + schedule + "/delete", "/oncall", Map.of()))
        .contains("Deleted the schedule ");
    assertThat(api.send("GET", "/api/v1/services/" + service.id(), "").statusCode()).isEqualTo(404);
    assertThat(api.send("GET", "/api/v1/escalation-policies/" + policy, "").statusCode())
        .isEqualTo(404);
    assertThat(api.send("GET", "/api/v1/schedules/" + schedule, "").statusCode()).isEqualTo(404);
  }

  @Test
  void aLiveRefreshBetweenAFormAndItsAnswerLeavesTheNoticeToTheAnswer() {
    String schedule = weeklyTurnsOfMe(Api.unique("rota"));

    HttpResponse<String> posted = post("/schedules/" + schedule + "/delete", Map.of());
    String refreshed = get("/oncall", LiveRefreshFlash.HEADER);
    String answer = get("/oncall");

    assertThat(posted.headers().firstValue("Location").orElse("")).endsWith("/oncall");
    assertThat(refreshed).doesNotContain("Deleted the schedule ");
    assertThat(answer).contains("Deleted the schedule ");
  }

  /** A schedule made through the API: one layer in UTC, weekly turns of the admin alone. */
  private static String weeklyTurnsOfMe(String name) {
    return api.create(
            "/api/v1/schedules",
            """
            {"name":"%s","timeZone":"UTC","layers":[{"name":"only","members":["%s"],
             "rotation":{"count":1,"unit":"weeks"},"start":"2026-01-05T09:00",
             "restrictions":[]}]}
            """
                .formatted(name, me))
        .get("id")
        .asString();
  }

  /** A one-layer schedule in UTC, weekly turns of the admin alone, as the editor posts it. */
  private static Map<String, String> layer(String name) {
    return Map.of(
        "name", name,
        "timeZone", "UTC",
        "layer0Name", "only",
        "layer0Start", "2026-01-05T09:00",
        "layer0Count", "1",
        "layer0Unit", "weeks",
        "layer0Member", me);
  }

  private static String restrictions(String schedule) {
    return api.get("/api/v1/schedules/" + schedule)
        .get("layers")
        .get(0)
        .get("restrictions")
        .toString();
  }

  /**
   * Posts the form as the signed-in admin's browser would, checks that the console sends it back to
   * {@code back}, and returns that page as the browser then sees it.
   */
  private static String postAndFollow(String path, String back, Map<String, ?> fields) {
    HttpResponse<String> posted = post(path, fields);
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(302);
    assertThat(posted.headers().firstValue("Location").orElse("")).endsWith(back);
    return get(back.replaceFirst("#.*", ""));
  }

  /** Posts the form; a list is a field sent once per value, as ticked checkboxes are. */
  private static HttpResponse<String> post(String path, Map<String, ?> fields) {
    String body =
        fields.entrySet().stream()
                .flatMap(
                    field ->
                        (field.getValue() instanceof List<?> values
                                ? values.stream()
                                : Stream.of(field.getValue()))
                            .map(
                                value ->
                                    field.getKey()
                                        + "="
                                        + URLEncoder.encode(
                                            String.valueOf(value), StandardCharsets.UTF_8)))
                .collect(Collectors.joining("&"))
            + "&_csrf=csrf";
    return tocsin.send(
        HttpRequest.newBuilder(tocsin.uri(path))
            .header("Cookie", "TOCSIN_SESSION=" + session + "; XSRF-TOKEN=csrf")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /** The page as the signed-in browser gets it; with the header names given, as tocsin.js asks. */
  private static String get(String path, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(tocsin.uri(path)).header("Cookie", "TOCSIN_SESSION=" + session);
    for (String header : headers) {
      request.header(header, "1");
    }
    HttpResponse<String> page = tocsin.send(request.GET().build());
    assertThat(page.statusCode()).isEqualTo(200);
    return page.body();
  }
}
