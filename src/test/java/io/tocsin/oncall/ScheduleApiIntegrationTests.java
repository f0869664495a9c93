package io.tocsin.oncall;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Schedules through the API: stored, read back, and answering who is on call. */
class ScheduleApiIntegrationTests extends HarnessTests {

  private static final String EMAIL = TocsinHarness.ADMIN_EMAIL;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private static String admin;
  private static String alice;
  private static String bob;

  @Override
  protected void seed() {
    admin = "Bearer " + adminToken;
    alice = user("Alice");
    bob = user("Bob");
  }

  @Test
  void aWeeklyScheduleAnswersWhoIsOnCallAndKeepsItsHandoffAcrossDst() {
    String id = schedule(weekly("Europe/Berlin", "[\"" + alice + "\",\"" + bob + "\"]"));

    JsonNode now = get("/api/v1/schedules/" + id + "/oncall?at=2026-03-24T12:00:00Z");
    assertThat(now.get("user").get("id").asString()).isEqualTo(bob);
    assertThat(now.get("user").get("name").asString()).startsWith("Bob");
    assertThat(now.get("since").asString()).isEqualTo("2026-03-23T08:00:00Z");
    assertThat(now.get("until").asString())
        .as("09:00 local on both sides of the change to summer time")
        .isEqualTo("2026-03-30T07:00:00Z");
    assertThat(now.get("source").asString()).isEqualTo("primary");

    JsonNode shifts =
        get(
            "/api/v1/schedules/"
                + id
                + "/shifts?from=2026-03-16T08:00:00Z&to=2026-04-06T07:00:00Z");
    assertThat(shifts.get("items")).hasSize(3);
    assertThat(shifts.get("items").get(2).get("user").get("id").asString()).isEqualTo(alice);
    assertThat(
            get("/api/v1/schedules/" + id + "/oncall?at=2020-01-01T00:00:00Z").get("user").isNull())
        .as("before the rotation starts, nobody")
        .isTrue();
  }

  @Test
  void aUserSeesTheirOwnShiftsAcrossSchedules() {
    String me = JSON.readTree(send("GET", "/api/v1/users/me", null).body()).get("id").asString();
    String first = schedule(weekly("Europe/Berlin", "[\"" + me + "\",\"" + alice + "\"]"));
    schedule(weekly("America/New_York", "[\"" + bob + "\",\"" + me + "\"]"));

    JsonNode mine = get("/api/v1/me/shifts?from=2026-03-16T00:00:00Z&to=2026-03-30T00:00:00Z");
    assertThat(mine.get("items")).hasSize(2);
    assertThat(mine.get("items").get(0).get("scheduleId").asString()).isEqualTo(first);
    assertThat(mine.get("items").get(0).get("shift").get("start").asString())
        .isEqualTo("2026-03-16T08:00:00Z");
    assertThat(mine.get("items").get(1).get("shift").get("start").asString())
        .as("the second week of the New York rotation, 09:00 local after its change")
        .isEqualTo("2026-03-23T13:00:00Z");
    assertThat(
            send("GET", "/api/v1/me/shifts?from=2026-03-30T00:00:00Z&to=2026-03-16T00:00:00Z", null)
                .statusCode())
        .isEqualTo(422);
  }

  @Test
  void aScheduleFeedIsAnICalendarThatAnIndependentParserReadsInTheSchedulesZone() throws Exception {
    String id = schedule(weekly("Europe/Berlin", "[\"" + alice + "\",\"" + bob + "\"]"));
    HttpResponse<String> created = send("POST", "/api/v1/schedules/" + id + "/calendar-feed", null);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String path =
        java.net.URI.create(JSON.readTree(created.body()).get("url").asString()).getPath();

    HttpResponse<String> feed = tocsin.get(path);
    assertThat(feed.statusCode()).as("no credentials: the URL is the secret").isEqualTo(200);
    assertThat(feed.headers().firstValue("Content-Type").orElse("")).startsWith("text/calendar");
    assertThat(feed.body()).contains("BEGIN:VTIMEZONE", "TZID:Europe/Berlin");
    net.fortuna.ical4j.model.Calendar calendar =
        new net.fortuna.ical4j.data.CalendarBuilder().build(new java.io.StringReader(feed.body()));
    java.util.List<net.fortuna.ical4j.model.component.VEvent> events =
        calendar.getComponents("VEVENT");
    assertThat(events).hasSizeGreaterThan(10);
    java.time.ZonedDateTime second =
        (java.time.ZonedDateTime) events.get(1).getStartDate().orElseThrow().getDate();
    // The parser builds its zone from the feed's VTIMEZONE, not from its own copy of the database.
    assertThat(second.getZone().getId()).startsWith("ical4j");
    assertThat(second.toLocalTime()).isEqualTo(java.time.LocalTime.of(9, 0));
    JsonNode shifts =
        get(
            "/api/v1/schedules/"
                + id
                + "/shifts?from="
                + second.toInstant().minusSeconds(1)
                + "&to="
                + second.toInstant().plusSeconds(1));
    assertThat(shifts.get("items").get(1).get("start").asString())
        .as("the parser reads the instant the API has")
        .isEqualTo(second.toInstant().toString());

    HttpResponse<String> replaced =
        send("POST", "/api/v1/schedules/" + id + "/calendar-feed", null);
    assertThat(tocsin.get(path).statusCode()).as("a new URL retires the old one").isEqualTo(404);
    String mine =
        java.net
            .URI
            .create(
                JSON.readTree(send("POST", "/api/v1/me/calendar-feed", null).body())
                    .get("url")
                    .asString())
            .getPath();
    String personal = tocsin.get(mine).body();
    assertThat(personal).contains("X-WR-CALNAME:My on-call shifts");
    new net.fortuna.ical4j.data.CalendarBuilder().build(new java.io.StringReader(personal));
    assertThat(replaced.statusCode()).isEqualTo(201);
  }

  @Test
  void anOverrideWinsForItsSpanAndAnOverlappingOneIsRefused() {
    String id = schedule(weekly("Europe/Berlin", "[\"" + alice + "\"]"));
    HttpResponse<String> added =
        send(
            "POST",
            "/api/v1/schedules/" + id + "/overrides",
            "{\"userId\":\""
                + bob
                + "\",\"start\":\"2026-06-02T18:00:00Z\",\"end\":\"2026-06-03T10:00:00Z\"}");
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    JsonNode during = get("/api/v1/schedules/" + id + "/oncall?at=2026-06-03T00:00:00Z");
    assertThat(during.get("user").get("id").asString()).isEqualTo(bob);
    assertThat(during.get("source").asString()).isEqualTo("override");
    assertThat(during.get("until").asString()).isEqualTo("2026-06-03T10:00:00Z");

    HttpResponse<String> overlapping =
        send(
            "POST",
            "/api/v1/schedules/" + id + "/overrides",
            "{\"userId\":\""
                + alice
                + "\",\"start\":\"2026-06-03T09:00:00Z\",\"end\":\"2026-06-03T12:00:00Z\"}");
    assertThat(overlapping.statusCode()).isEqualTo(422);
    assertThat(overlapping.body()).contains("overlaps the override of user " + bob);

    String overrideId = JSON.readTree(added.body()).get("id").asString();
    assertThat(
            send("DELETE", "/api/v1/schedules/" + id + "/overrides/" + overrideId, null)
                .statusCode())
        .isEqualTo(204);
    assertThat(
            get("/api/v1/schedules/" + id + "/oncall?at=2026-06-03T00:00:00Z")
                .get("user")
                .get("id")
                .asString())
        .isEqualTo(alice);
  }

  @Test
  void invalidSchedulesGet422NamingTheFieldAndStoreNothing() {
    String stranger = UUID.randomUUID().toString();
    assertProblem(
        weekly("Europe/Berlin", "[\"" + alice + "\",\"" + stranger + "\"]"),
        "layers[0].members[1]",
        "does not exist");
    assertProblem(weekly("Europe/Berlin", "[]"), "layers[0].members", "at least one member");
    assertProblem(weekly("Mars/Olympus", "[\"" + alice + "\"]"), "timeZone", "IANA");
    assertProblem(
        weekly("Europe/Berlin", "[\"" + alice + "\"]")
            .replace("\"unit\":\"weeks\"", "\"unit\":\"fortnights\""),
        "layers[0].rotation.unit",
        "hours, days, weeks");
    assertProblem(
        weekly("Europe/Berlin", "[\"" + alice + "\"]").replace("\"count\":1", "\"count\":0"),
        "layers[0].rotation.count",
        "1 to 1000");
    assertProblem(
        weekly("Europe/Berlin", "[\"" + alice + "\"]")
            .replace(
                "\"restrictions\":[]",
                "\"restrictions\":[{\"days\":[\"funday\"],\"from\":\"09:00\",\"to\":\"17:00\"}]"),
        "layers[0].restrictions[0].days",
        "monday");
    assertThat(get("/api/v1/schedules").get("items").toString()).doesNotContain("invalid-");
  }

  @Test
  void restrictionsAndLayersAreStoredInCanonicalForm() {
    String body =
        weekly("Europe/Berlin", "[\"" + alice + "\"]")
            .replace("\"unit\":\"weeks\"", "\"unit\":\"WEEKS\"")
            .replace(
                "\"restrictions\":[]",
                "\"restrictions\":[{\"days\":[\"Monday\",\"TUESDAY\"],\"from\":\"9:00\",\"to\":\"17:00\"}]");
    HttpResponse<String> created = send("POST", "/api/v1/schedules", body);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(422);
    String fixed = body.replace("\"from\":\"9:00\"", "\"from\":\"09:00\"");
    String id = schedule(fixed);
    JsonNode layer = get("/api/v1/schedules/" + id).get("layers").get(0);
    assertThat(layer.get("rotation").get("unit").asString()).isEqualTo("weeks");
    assertThat(layer.get("restrictions").get(0).get("days").toString())
        .isEqualTo("[\"monday\",\"tuesday\"]");
  }

  @Test
  void aServicesPolicySaysWhoWouldBePagedLevelByLevelAndNamesTheGaps() {
    String service =
        tocsin.createService(admin.substring(7), "paged-" + SEQUENCE.incrementAndGet());
    JsonNode none = get("/api/v1/services/" + service + "/oncall");
    assertThat(none.get("policyId").isNull()).isTrue();
    assertThat(none.get("problems").toString()).contains("no escalation policy");

    String staffed = schedule(weekly("Europe/Berlin", "[\"" + alice + "\"]"));
    String future =
        schedule(
            weekly("America/New_York", "[\"" + bob + "\"]")
                .replace("2026-03-16T09:00", "2099-01-05T09:00"));
    String policy =
        """
        {"name":"platform-%d","repeat":2,"levels":[
          {"delayMinutes":5,"targets":[{"type":"SCHEDULE","id":"%s"}]},
          {"delayMinutes":10,"targets":[{"type":"user","id":"%s"},{"type":"schedule","id":"%s"}]}]}
        """
            .formatted(SEQUENCE.incrementAndGet(), staffed, bob, future);
    HttpResponse<String> created = send("POST", "/api/v1/escalation-policies", policy);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String policyId = JSON.readTree(created.body()).get("id").asString();
    assertThat(
            JSON.readTree(created.body())
                .get("levels")
                .get(0)
                .get("targets")
                .get(0)
                .get("type")
                .asString())
        .isEqualTo("schedule");

    HttpResponse<String> assigned =
        send(
            "PUT",
            "/api/v1/services/" + service + "/escalation-policy",
            "{\"policyId\":\"" + policyId + "\"}");
    assertThat(assigned.statusCode()).as(assigned.body()).isEqualTo(200);
    JsonNode now = get("/api/v1/services/" + service + "/oncall");
    assertThat(now.get("repeat").asInt()).isEqualTo(2);
    assertThat(
            now.get("levels").get(0).get("targets").get(0).get("paged").get(0).get("id").asString())
        .isEqualTo(alice);
    assertThat(
            now.get("levels").get(1).get("targets").get(0).get("paged").get(0).get("id").asString())
        .isEqualTo(bob);
    assertThat(now.get("problems").toString()).contains("Level 2: schedule", "has nobody on call");

    assertThat(send("DELETE", "/api/v1/escalation-policies/" + policyId, null).statusCode())
        .as("in use by a service")
        .isEqualTo(409);
    assertThat(send("DELETE", "/api/v1/schedules/" + staffed, null).statusCode())
        .as("a target of a policy")
        .isEqualTo(409);
    String badType = policy.replace("\"SCHEDULE\"", "\"team\"").replace("platform-", "bad-");
    HttpResponse<String> refused = send("POST", "/api/v1/escalation-policies", badType);
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body()).contains("levels[0].targets[0].type", "user, schedule");
    HttpResponse<String> tooMany =
        send(
            "POST",
            "/api/v1/escalation-policies",
            policy.replace("\"repeat\":2", "\"repeat\":10").replace("platform-", "many-"));
    assertThat(tooMany.statusCode()).isEqualTo(422);
    assertThat(tooMany.body()).contains("repeat");
    HttpResponse<String> stranger =
        send(
            "POST",
            "/api/v1/escalation-policies",
            policy.replace(bob, UUID.randomUUID().toString()).replace("platform-", "stranger-"));
    assertThat(stranger.statusCode()).isEqualTo(422);
    assertThat(stranger.body()).contains("levels[1].targets[0].id", "does not exist");

    assertThat(
            send("PUT", "/api/v1/services/" + service + "/escalation-policy", "{\"policyId\":null}")
                .statusCode())
        .isEqualTo(200);
    assertThat(send("DELETE", "/api/v1/escalation-policies/" + policyId, null).statusCode())
        .isEqualTo(204);
  }

  private static void assertProblem(String body, String field, String message) {
    HttpResponse<String> refused =
        send("POST", "/api/v1/schedules", body.replace("\"name\":\"", "\"name\":\"invalid-"));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(refused.body()).contains(field).contains(message);
  }

  @Test
  void timesOutsideTheYears1970To9999AreRefusedNamingTheField() {
    HttpResponse<String> ancient =
        send(
            "POST",
            "/api/v1/schedules",
            weekly("UTC", "[\"" + alice + "\"]")
                .replace("2026-03-16T09:00", "-999999999-01-01T00:00"));
    assertThat(ancient.statusCode()).as("its lookup took 27 s: " + ancient.body()).isEqualTo(422);
    assertThat(ancient.body()).contains("\"field\":\"layers[0].start\"").contains("1970-01-01");

    String id = schedule(weekly("UTC", "[\"" + alice + "\"]"));
    String overrides = "/api/v1/schedules/" + id + "/overrides";
    for (String[] times :
        List.of(
            new String[] {"2026-06-01T00:00:00Z", "+999999999-12-31T23:59:59Z", "end"},
            new String[] {"1969-12-31T23:59:59Z", "2026-06-01T00:00:00Z", "start"})) {
      HttpResponse<String> refused =
          send(
              "POST",
              overrides,
              "{\"userId\":\"%s\",\"start\":\"%s\",\"end\":\"%s\"}"
                  .formatted(bob, times[0], times[1]));
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
      assertThat(refused.body()).contains("\"field\":\"" + times[2] + "\"");
    }
    assertThat(get(overrides + "?from=1970-01-01T00:00:00Z&to=9999-12-31T00:00:00Z").get("items"))
        .isEmpty();

    for (String query :
        List.of(
            "/oncall?at=%2B10000-01-01T00:00:00Z",
            "/oncall?at=-999999999-01-01T00:00:00Z",
            "/oncall?at=yesterday",
            "/shifts?from=%2B999999999-01-01T00:00:00Z")) {
      HttpResponse<String> refused = send("GET", "/api/v1/schedules/" + id + query, null);
      String parameter = query.substring(query.indexOf('?') + 1, query.indexOf('='));
      assertThat(refused.statusCode()).as(query + ": " + refused.body()).isEqualTo(422);
      assertThat(refused.body()).contains("\"field\":\"" + parameter + "\"").contains("9999-12-31");
    }
    assertThat(get("/api/v1/schedules/" + id + "/oncall?at=9999-12-31T00:00:00Z").get("user"))
        .as("the last day of the range is fine")
        .isNotNull();
  }

  @Test
  void aScheduleIsHeldOnlyByThePoliciesWhoseLevelsPageIt() {
    String kept = schedule(weekly("UTC", "[\"" + alice + "\"]"));
    String other = schedule(weekly("UTC", "[\"" + bob + "\"]"));
    String level =
        """
        {"name":"%s","description":"%s","levels":[
          {"delayMinutes":5,"targets":[{"type":"user","id":"%s"}]},
          {"delayMinutes":5,"targets":[{"type":"schedule","id":"%s"}]}]}
        """;
    String naming = "names-" + kept;
    String pagingName = "pages-" + SEQUENCE.incrementAndGet();
    HttpResponse<String> mentions =
        send(
            "POST",
            "/api/v1/escalation-policies",
            level.formatted(naming, "about schedule " + kept, alice, other));
    assertThat(mentions.statusCode()).as(mentions.body()).isEqualTo(201);
    HttpResponse<String> pages =
        send("POST", "/api/v1/escalation-policies", level.formatted(pagingName, "", alice, kept));
    assertThat(pages.statusCode()).as(pages.body()).isEqualTo(201);
    String pagesId = JSON.readTree(pages.body()).get("id").asString();

    HttpResponse<String> refused = send("DELETE", "/api/v1/schedules/" + kept, null);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
    assertThat(refused.body())
        .as("the policy whose name and description hold the id does not page the schedule")
        .contains("policies " + pagingName + ".")
        .doesNotContain(naming);

    HttpResponse<String> replaced =
        send(
            "PUT",
            "/api/v1/escalation-policies/" + pagesId,
            level.formatted(pagingName, "", alice, other));
    assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
    assertThat(send("DELETE", "/api/v1/schedules/" + kept, null).statusCode())
        .as("no level pages it any more")
        .isEqualTo(204);
    assertThat(send("DELETE", "/api/v1/schedules/" + other, null).statusCode()).isEqualTo(409);
    assertThat(send("DELETE", "/api/v1/escalation-policies/" + pagesId, null).statusCode())
        .isEqualTo(204);
    assertThat(
            send(
                    "DELETE",
                    "/api/v1/escalation-policies/"
                        + JSON.readTree(mentions.body()).get("id").asString(),
                    null)
                .statusCode())
        .isEqualTo(204);
    assertThat(send("DELETE", "/api/v1/schedules/" + other, null).statusCode())
        .as("its policies are gone")
        .isEqualTo(204);
  }

  private static String weekly(String zone, String members) {
    return """
        {"name":"primary-%d","timeZone":"%s","layers":[{"name":"primary","members":%s,
         "rotation":{"count":1,"unit":"weeks"},"start":"2026-03-16T09:00","restrictions":[]}]}
        """
        .formatted(SEQUENCE.incrementAndGet(), zone, members);
  }

  private static String schedule(String body) {
    HttpResponse<String> created = send("POST", "/api/v1/schedules", body);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return JSON.readTree(created.body()).get("id").asString();
  }

  private static String user(String name) {
    HttpResponse<String> created =
        send(
            "POST",
            "/api/v1/users",
            "{\"name\":\"%s\",\"email\":\"%s@example.com\",\"role\":\"responder\",\"timeZone\":\"UTC\",\"password\":\"a long enough password\"}"
                .formatted(
                    name, name.toLowerCase(java.util.Locale.ROOT) + SEQUENCE.incrementAndGet()));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return JSON.readTree(created.body()).get("id").asString();
  }

  private static JsonNode get(String path) {
    HttpResponse<String> response = send("GET", path, null);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> send(String method, String path, String body) {
    return tocsin.send(method, path, admin, body);
  }
}
