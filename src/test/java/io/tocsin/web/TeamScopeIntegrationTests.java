package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.directory.SignInForm;
import io.tocsin.testing.Api;
import io.tocsin.testing.HarnessTests;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Team scope as an outsider meets it: Alice, a responder of team Payments, tries every request that
 * changes something on what belongs to team Search (its incidents, silences and service), in the
 * API with her token and in the console with her session. The requests that change something are
 * taken from the running application's mappings, which hold both the API that the OpenAPI document
 * describes and the console's routes: each must be tried here, be for admins only, or be listed
 * with the reason it concerns no team, so a new endpoint cannot slip through. On both databases:
 * the rule reads teams, memberships and token limits with SQL of its own.
 */
class TeamScopeIntegrationTests extends HarnessTests {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String PASSWORD = "a long enough password";
  private static final String REFUSAL = "belongs to team Search";

  /** Requests that change something but touch no team's service, and why. */
  private static final Map<String, String> NO_TEAM =
      Map.ofEntries(
          Map.entry("POST /api/v1/setup", "first-run setup, before anyone exists"),
          Map.entry("POST /api/v1/tokens", "one's own API tokens"),
          Map.entry(
              "PATCH /api/v1/users/{id}",
              "one's own name, email and time zone; a role only an admin changes"),
          Map.entry(
              "POST /api/v1/integrations/{id}/routing/test",
              "a dry run of routing rules stores nothing"),
          Map.entry("DELETE /api/v1/tokens/{id}", "one's own API tokens"),
          Map.entry("POST /api/v1/users/{user}/contact-methods", "one's own contact methods"),
          Map.entry("DELETE /api/v1/users/{user}/contact-methods/{id}", "one's own methods"),
          Map.entry(
              "POST /api/v1/users/{user}/contact-methods/{id}/verification", "one's own methods"),
          Map.entry("POST /api/v1/users/{user}/contact-methods/{id}/verify", "one's own methods"),
          Map.entry("POST /api/v1/users/{user}/contact-methods/{id}/test", "one's own methods"),
          Map.entry("PUT /api/v1/users/{user}/notification-rules", "one's own notification rules"),
          Map.entry("POST /api/v1/me/calendar-feed", "one's own calendar feed"),
          Map.entry("POST /api/v1/schedules/{id}/calendar-feed", "a feed for oneself to read"),
          Map.entry("POST /schedules/{id}/calendar-feed", "a feed for oneself to read"),
          Map.entry("POST /oncall/calendar-feed", "one's own calendar feed"),
          Map.entry(
              "POST /api/v1/services/{serviceId}/subscriptions",
              "hearing of a service's incidents is reading, not acting"),
          Map.entry(
              "DELETE /api/v1/services/{serviceId}/subscriptions/{id}",
              "hearing of a service's incidents is reading, not acting"),
          Map.entry(
              "POST /api/v1/schedules/{id}/overrides",
              "schedules belong to no team: whoever covers a shift may record it"),
          Map.entry(
              "DELETE /api/v1/schedules/{id}/overrides/{overrideId}",
              "schedules belong to no team"),
          Map.entry("POST /schedules/{id}/overrides", "schedules belong to no team"),
          Map.entry(
              "POST /schedules/{id}/overrides/{overrideId}/delete", "schedules belong to no team"),
          Map.entry("POST /schedules/preview", "a preview stores nothing"),
          Map.entry("POST /api/v1/notification-templates/preview", "a preview stores nothing"),
          Map.entry("POST /profile/methods", "one's own profile"),
          Map.entry("POST /profile/methods/{id}/verify", "one's own profile"),
          Map.entry("POST /profile/methods/{id}/{action}", "one's own profile"),
          Map.entry("POST /profile/rules", "one's own profile"),
          Map.entry("POST /profile/time-zone", "one's own profile"),
          Map.entry("POST /profile/password", "one's own profile"),
          Map.entry("POST /profile/tokens", "one's own profile"),
          Map.entry("POST /profile/tokens/{id}/revoke", "one's own profile"),
          Map.entry(
              "POST /actions/{token}",
              "the action link's recipient: NotificationIntegrationTests tries another team's"),
          Map.entry("POST /api/v2/alerts", "ingestion, by integration key"),
          Map.entry("POST /api/v1/webhooks/alertmanager", "ingestion, by integration key"),
          Map.entry("POST /api/v1/webhooks/grafana", "ingestion, by integration key"),
          Map.entry("POST /api/v1/alerts", "ingestion, by integration key"),
          Map.entry("POST /v2/enqueue", "ingestion, by integration key"),
          Map.entry("POST /v2/change/enqueue", "ingestion, by integration key"),
          Map.entry("POST /api/v1/heartbeats/{key}", "ingestion, by integration key"),
          Map.entry("PUT /api/v1/integrations/{id}/heartbeat", "ingestion, by integration key"),
          Map.entry("POST /error", "the container's error page"));

  private static Api admin;
  private static String alice;
  private static String aliceToken;
  private static String aliceSession;
  private static String payments;
  private static String search;
  private static String searchName;
  private static long searchIncident;
  private static long resolvedSearchIncident;
  private static long paymentsIncident;
  private static String searchSilence;

  /** A request Alice may not make, on what is Search's. */
  record Attempt(String method, String pattern, String path, @Nullable String body) {

    boolean api() {
      return !pattern.startsWith("/incidents") && !pattern.startsWith("/silences");
    }

    String route() {
      return method + " " + pattern;
    }
  }

  @Override
  protected Map<String, Object> settings() {
    return Map.of("tocsin.rate-limit.api-token-per-minute", "1000000");
  }

  @Override
  protected void seed() throws IOException {
    admin = api;
    alice = person("alice");
    aliceToken = tocsin.adminToken("alice@example.com", PASSWORD);
    aliceSession = SignInForm.session(tocsin, "alice@example.com", PASSWORD);
    String paymentsTeam = admin.team("Payments", alice);
    String searchTeam = admin.team("Search", person("bob"));
    payments = admin.ownedService("payments", paymentsTeam);
    searchName = "search";
    search = admin.ownedService(searchName, searchTeam);
    searchIncident = admin.declare(search, "Down");
    paymentsIncident = admin.declare(payments, "Down");
    resolvedSearchIncident = admin.declare(search, "Down");
    admin.ok("PATCH", "/api/v1/incidents/" + resolvedSearchIncident, "{\"status\":\"resolved\"}");
    admin.create("/api/v1/incidents/" + resolvedSearchIncident + "/postmortem", "{}");
    searchSilence =
        admin
            .create(
                "/api/v1/silences",
                "{\"matchers\":["
                    + serviceMatcher()
                    + "],\"endsAt\":\""
                    + later()
                    + "\",\"comment\":\"deploy\"}")
            .get("id")
            .asString();
  }

  @Test
  void everyRequestThatChangesSomethingIsTriedAsAnOutsiderForAdminsOnlyOrConcernsNoTeam() {
    Set<String> tried = new TreeSet<>();
    attempts().forEach(attempt -> tried.add(attempt.route()));
    List<String> unruled = new ArrayList<>();
    Set<String> mapped = new TreeSet<>();
    mappings()
        .forEach(
            (route, handler) -> {
              mapped.add(route);
              if (!tried.contains(route)
                  && !NO_TEAM.containsKey(route)
                  && !adminOnly(route, handler)) {
                unruled.add(route + " (" + handler.getShortLogMessage() + ")");
              }
            });
    Set<String> stale = new TreeSet<>(tried);
    stale.addAll(NO_TEAM.keySet());
    stale.removeAll(mapped);

    assertThat(unruled)
        .as(
            "requests that change something, neither tried as an outsider, nor for admins only,"
                + " nor listed as concerning no team")
        .isEmpty();
    assertThat(stale).as("listed requests that no route maps any more").isEmpty();
  }

  @Test
  void anOutsiderIsRefusedOnEveryIncidentSilenceAndServiceRequestOfAnotherTeam() {
    List<String> wrong = new ArrayList<>();
    for (Attempt attempt : attempts()) {
      if (attempt.api()) {
        HttpResponse<String> answer =
            tocsin.send(attempt.method(), attempt.path(), "Bearer " + aliceToken, attempt.body());
        if (answer.statusCode() != 403 || !answer.body().contains(REFUSAL)) {
          wrong.add(attempt.route() + ": " + answer.statusCode() + " " + answer.body());
        }
      } else {
        String seen = console(attempt);
        if (!seen.contains(REFUSAL)) {
          wrong.add(attempt.route() + ": " + abbreviated(seen));
        }
      }
    }
    assertThat(wrong)
        .as("requests an outsider was not refused with the owning team named")
        .isEmpty();

    JsonNode incident = admin.get("/api/v1/incidents/" + searchIncident).get("incident");
    assertThat(incident.get("status").asString()).as("nothing reached it").isEqualTo("open");
    assertThat(admin.get("/api/v1/incidents/" + searchIncident + "/timeline").toString())
        .doesNotContain("\"note\"")
        .doesNotContain("status_update");
    assertThat(admin.get("/api/v1/silences/" + searchSilence).get("state").asString())
        .isEqualTo("active");
    assertThat(admin.get("/api/v1/silences").get("items").size()).isEqualTo(1);
  }

  @Test
  void aResponderActsOnTheirOwnTeamsIncidentsAndOnServicesNoTeamOwns() {
    HttpResponse<String> own =
        tocsin.send(
            "POST",
            "/api/v1/incidents/" + paymentsIncident + "/notes",
            "Bearer " + aliceToken,
            "{\"body\":\"looking\"}");
    assertThat(own.statusCode()).as(own.body()).isEqualTo(201);

    long unowned = admin.declare(admin.ownedService("shared", null), "Down");
    HttpResponse<String> everyones =
        tocsin.send(
            "PATCH",
            "/api/v1/incidents/" + unowned,
            "Bearer " + aliceToken,
            "{\"status\":\"acknowledged\"}");
    assertThat(everyones.statusCode()).as(everyones.body()).isEqualTo(200);
  }

  @Test
  void aTokenLimitedToATeamActsThereAloneAndAnAdminsActsAsAResponder() {
    String paymentsTeam = admin.get("/api/v1/services/" + payments).get("ownerTeamId").asString();
    JsonNode created =
        admin.create(
            "/api/v1/tokens", "{\"name\":\"payments bot\",\"teams\":[\"" + paymentsTeam + "\"]}");
    assertThat(created.get("teams").get(0).asString()).isEqualTo(paymentsTeam);
    String limited = "Bearer " + created.get("token").asString();

    HttpResponse<String> elsewhere =
        tocsin.send(
            "POST", "/api/v1/incidents/" + searchIncident + "/notes", limited, "{\"body\":\"x\"}");
    assertThat(elsewhere.statusCode()).isEqualTo(403);
    assertThat(elsewhere.body()).contains("this API token is limited");
    HttpResponse<String> there =
        tocsin.send(
            "POST",
            "/api/v1/incidents/" + paymentsIncident + "/notes",
            limited,
            "{\"body\":\"from the bot\"}");
    assertThat(there.statusCode()).as(there.body()).isEqualTo(201);
    HttpResponse<String> administration =
        tocsin.send("POST", "/api/v1/teams", limited, "{\"name\":\"Bots\"}");
    assertThat(administration.statusCode()).isEqualTo(403);
    HttpResponse<String> wider =
        tocsin.send("POST", "/api/v1/tokens", limited, "{\"name\":\"wider\"}");
    assertThat(wider.statusCode()).as(wider.body()).isEqualTo(201);
    assertThat(JSON.readTree(wider.body()).get("teams").get(0).asString())
        .as("a token made by a limited one is limited as much")
        .isEqualTo(paymentsTeam);

    String searchTeam = admin.get("/api/v1/services/" + search).get("ownerTeamId").asString();
    HttpResponse<String> notHers =
        tocsin.send(
            "POST",
            "/api/v1/tokens",
            "Bearer " + aliceToken,
            "{\"name\":\"x\",\"teams\":[\"" + searchTeam + "\"]}");
    assertThat(notHers.statusCode()).isEqualTo(422);
    assertThat(notHers.body()).contains("teams[0]").contains("a team you are not in");
  }

  @Test
  void anotherTeamsIncidentPageOffersAResponderNoActionsAndSaysWhy() {
    String theirs = page("/incidents/" + searchIncident);
    String ours = page("/incidents/" + paymentsIncident);

    assertThat(theirs)
        .contains("id=\"outside-team\"")
        .contains(REFUSAL)
        .doesNotContain("/acknowledge");
    assertThat(ours).doesNotContain("id=\"outside-team\"").contains("/acknowledge");
  }

  @Test
  void theProfilePageMakesATokenThatIsReadOnlyAndLimitedToTheChosenTeam() {
    String paymentsTeam = admin.get("/api/v1/services/" + payments).get("ownerTeamId").asString();
    String profile =
        console(
            new Attempt(
                "POST",
                "/profile/tokens",
                "/profile/tokens",
                "name=grafana&readOnly=true&team=" + paymentsTeam));

    assertThat(profile).contains("Payments").contains("read-only; teams Payments");
    JsonNode made =
        JSON.readTree(tocsin.send("GET", "/api/v1/tokens", "Bearer " + aliceToken, null).body())
            .valueStream()
            .filter(token -> token.get("name").asString().equals("grafana"))
            .findFirst()
            .orElseThrow();
    assertThat(made.get("readOnly").asBoolean()).isTrue();
    assertThat(made.get("teams").get(0).asString()).isEqualTo(paymentsTeam);
  }

  /** Every request tried: the API's with Alice's token, the console's with her session. */
  private static List<Attempt> attempts() {
    String incident = "/api/v1/incidents/" + searchIncident;
    String resolved = "/api/v1/incidents/" + resolvedSearchIncident;
    String page = "/incidents/" + searchIncident;
    String silence =
        "{\"matchers\":["
            + serviceMatcher()
            + "],\"endsAt\":\""
            + later()
            + "\",\"comment\":\"quiet\"}";
    String amSilence =
        "{\"matchers\":[{\"name\":\"tocsin_service\",\"value\":\""
            + searchName
            + "\",\"isRegex\":false,\"isEqual\":true}],\"startsAt\":\""
            + Instant.now()
            + "\",\"endsAt\":\""
            + later()
            + "\",\"createdBy\":\"alice\",\"comment\":\"quiet\"}";
    return List.of(
        api(
            "POST",
            "/api/v1/incidents",
            "/api/v1/incidents",
            "{\"title\":\"Search is slow\",\"service\":\"" + search + "\"}"),
        api("PATCH", "/api/v1/incidents/{ref}", incident, "{\"status\":\"acknowledged\"}"),
        api(
            "POST",
            "/api/v1/incidents/{ref}/snooze",
            incident + "/snooze",
            "{\"duration\":\"PT1H\"}"),
        api("POST", "/api/v1/incidents/{ref}/notes", incident + "/notes", "{\"body\":\"x\"}"),
        api(
            "POST",
            "/api/v1/incidents/{ref}/status-updates",
            incident + "/status-updates",
            "{\"phase\":\"investigating\",\"message\":\"x\"}"),
        api(
            "POST",
            "/api/v1/incidents/{ref}/split",
            incident + "/split",
            "{\"serviceId\":\"" + payments + "\"}"),
        api(
            "POST",
            "/api/v1/incidents/{ref}/merge",
            incident + "/merge",
            "{\"incidents\":[\"" + paymentsIncident + "\"]}"),
        api("POST", "/api/v1/incidents/{ref}/escalate", incident + "/escalate", "{}"),
        api(
            "POST",
            "/api/v1/incidents/{ref}/reassign",
            incident + "/reassign",
            "{\"userId\":\"" + alice + "\"}"),
        api("POST", "/api/v1/incidents/{ref}/postmortem", resolved + "/postmortem", "{}"),
        api(
            "PATCH",
            "/api/v1/incidents/{ref}/postmortem",
            resolved + "/postmortem",
            "{\"summary\":\"x\"}"),
        api("POST", "/api/v1/silences", "/api/v1/silences", silence),
        api("PUT", "/api/v1/silences/{id}", "/api/v1/silences/" + searchSilence, silence),
        api("DELETE", "/api/v1/silences/{id}", "/api/v1/silences/" + searchSilence, null),
        api(
            "POST",
            "/api/v1/maintenance-windows",
            "/api/v1/maintenance-windows",
            "{\"services\":[\"" + search + "\"],\"endsAt\":\"" + later() + "\",\"comment\":\"x\"}"),
        api("POST", "/api/v2/silences", "/api/v2/silences", amSilence),
        api("DELETE", "/api/v2/silence/{id}", "/api/v2/silence/" + searchSilence, null),
        form(
            "/incidents/new",
            "/incidents/new",
            "title=Search+is+slow&severity=critical&serviceId=" + search),
        form("/incidents/{number}/acknowledge", page + "/acknowledge", ""),
        form("/incidents/{number}/resolve", page + "/resolve", "confirm=yes"),
        form("/incidents/{number}/escalate", page + "/escalate", ""),
        form(
            "/incidents/{number}/status-updates",
            page + "/status-updates",
            "phase=investigating&message=x"),
        form("/incidents/{number}/reassign", page + "/reassign", "userId=" + alice),
        form("/incidents/bulk", "/incidents/bulk", "action=acknowledge&number=" + searchIncident),
        form("/incidents/{number}/merge", page + "/merge", "numbers=" + paymentsIncident),
        form("/incidents/{number}/split", page + "/split", "serviceId=" + payments),
        form("/incidents/{number}/notes", page + "/notes", "body=x"),
        form("/incidents/{number}/snooze", page + "/snooze", "duration=PT1H"),
        form(
            "/incidents/{number}/postmortem/start",
            "/incidents/" + resolvedSearchIncident + "/postmortem/start",
            ""),
        form(
            "/incidents/{number}/postmortem",
            "/incidents/" + resolvedSearchIncident + "/postmortem",
            "summary=x"),
        form(
            "/silences",
            "/silences",
            "matchers="
                + encoded("tocsin_service=\"" + searchName + "\"")
                + "&duration=1h&comment=quiet"),
        form(
            "/silences/maintenance",
            "/silences/maintenance",
            "service="
                + search
                + "&endsAt="
                + later().toString().substring(0, "2030-01-01T10:00".length())
                + "&comment=x"),
        form("/silences/{id}/expire", "/silences/" + searchSilence + "/expire", ""));
  }

  private static Attempt api(String method, String pattern, String path, @Nullable String body) {
    return new Attempt(method, pattern, path, body);
  }

  private static Attempt form(String pattern, String path, String body) {
    return new Attempt("POST", pattern, path, body);
  }

  /**
   * What the console showed Alice after a form: the page it answered with, or the page it sent her
   * back to, which carries the refusal as its notice.
   */
  private static String console(Attempt attempt) {
    String csrf = UUID.randomUUID().toString();
    String cookies = "XSRF-TOKEN=" + csrf + "; TOCSIN_SESSION=" + aliceSession;
    HttpResponse<String> answer =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri(attempt.path()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "text/html")
                .header("Cookie", cookies)
                .POST(HttpRequest.BodyPublishers.ofString(attempt.body() + "&_csrf=" + csrf))
                .build());
    if (answer.statusCode() != 302) {
      return answer.statusCode() + " " + answer.body();
    }
    String location = answer.headers().firstValue("Location").orElseThrow();
    HttpResponse<String> next =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri(java.net.URI.create(location).getPath()))
                .header("Accept", "text/html")
                .header("Cookie", cookies)
                .GET()
                .build());
    return next.statusCode() + " " + next.body();
  }

  private static String page(String path) {
    HttpResponse<String> answer =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri(path))
                .header("Accept", "text/html")
                .header("Cookie", "TOCSIN_SESSION=" + aliceSession)
                .GET()
                .build());
    assertThat(answer.statusCode()).as(path).isEqualTo(200);
    return answer.body();
  }

  /** Requests that may change something, each with its handler, from Spring MVC's mappings. */
  private static Map<String, HandlerMethod> mappings() {
    RequestMappingHandlerMapping mapping =
        tocsin.bean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
    Map<String, HandlerMethod> routes = new LinkedHashMap<>();
    for (Map.Entry<RequestMappingInfo, HandlerMethod> entry :
        mapping.getHandlerMethods().entrySet()) {
      if (entry
          .getValue()
          .getBeanType()
          .getProtectionDomain()
          .getCodeSource()
          .getLocation()
          .getPath()
          .contains("test-classes")) {
        continue;
      }
      Set<RequestMethod> methods = entry.getKey().getMethodsCondition().getMethods();
      for (String pattern : entry.getKey().getPatternValues()) {
        for (RequestMethod method :
            methods.isEmpty() ? Set.of(RequestMethod.GET, RequestMethod.POST) : methods) {
          if (method != RequestMethod.GET && method != RequestMethod.HEAD) {
            routes.put(method.name() + " " + pattern, entry.getValue());
          }
        }
      }
    }
    return routes;
  }

  /** Administration: the role already keeps every responder out, whatever the team. */
  private static boolean adminOnly(String route, HandlerMethod handler) {
    if (route.contains(" /admin/")) {
      return true;
    }
    PreAuthorize rule =
        AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), PreAuthorize.class);
    return rule != null && rule.value().equals("hasRole('ADMIN')");
  }

  private static String person(String name) {
    return admin
        .create(
            "/api/v1/users",
            """
            {"name":"%s","email":"%s@example.com","role":"responder","timeZone":"UTC",
             "password":"%s"}
            """
                .formatted(name, name, PASSWORD))
        .get("id")
        .asString();
  }

  private static String serviceMatcher() {
    return "{\"name\":\"tocsin_service\",\"operator\":\"=\",\"value\":\"" + searchName + "\"}";
  }

  private static Instant later() {
    return Instant.now().plus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
  }

  private static String encoded(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static String abbreviated(String page) {
    int notice = page.indexOf("notice");
    return page.substring(0, Math.min(page.length(), 80))
        + (notice < 0 ? "" : " … " + page.substring(notice, Math.min(page.length(), notice + 300)));
  }
}
