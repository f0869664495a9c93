package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.directory.SignInForm;
import io.tocsin.testing.Api;
import io.tocsin.testing.HarnessTests;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code TOCSIN_TEAM_VISIBILITY=own}: a person who is not an admin sees the services of their teams
 * and of no team, and those services' incidents and alerts, in the API and the console; another
 * team's are not found. Admins see everything.
 */
class TeamVisibilityIntegrationTests extends HarnessTests {

  private static final String PASSWORD = "a long enough password";

  private static Api admin;
  private static Api alice;
  private static String aliceSession;
  private static String payments;
  private static String search;
  private static String shared;
  private static long searchIncident;

  @Override
  protected Map<String, Object> settings() {
    return Map.of("tocsin.team-visibility", "OWN");
  }

  @Override
  protected void seed() throws IOException {
    admin = api;
    String aliceId =
        admin
            .create(
                "/api/v1/users",
                """
                {"name":"Alice","email":"alice@example.com","role":"viewer","timeZone":"UTC",
                 "password":"%s"}
                """
                    .formatted(PASSWORD))
            .get("id")
            .asString();
    alice = new Api(tocsin, tocsin.adminToken("alice@example.com", PASSWORD));
    aliceSession = SignInForm.session(tocsin, "alice@example.com", PASSWORD);
    payments = admin.ownedService("payments-svc", admin.team("Payments", aliceId));
    search = admin.ownedService("search-svc", admin.team("Search"));
    shared = admin.ownedService("shared-svc", null);
    admin.declare(payments, "Payments declined");
    admin.declare(shared, "Shared cache cold");
    searchIncident = admin.declare(search, "Search index stale");
  }

  @Test
  void aViewerSeesTheIncidentsAndServicesOfTheirTeamsAndOfNoTeamOnly() {
    assertThat(titles(alice.get("/api/v1/incidents")))
        .containsExactlyInAnyOrder("Payments declined", "Shared cache cold");
    assertThat(names(alice.get("/api/v1/services")))
        .containsExactlyInAnyOrder("payments-svc", "shared-svc");

    assertThat(alice.send("GET", "/api/v1/incidents/" + searchIncident, null).statusCode())
        .isEqualTo(404);
    assertThat(
            alice
                .send("GET", "/api/v1/incidents/" + searchIncident + "/timeline", null)
                .statusCode())
        .isEqualTo(404);
    assertThat(alice.send("GET", "/api/v1/services/" + search, null).statusCode()).isEqualTo(404);
    assertThat(alice.send("GET", "/api/v1/services/" + payments, null).statusCode()).isEqualTo(200);
  }

  @Test
  void theConsoleShowsAViewerNothingOfAnotherTeam() {
    assertThat(page("/").body()).contains("Payments declined").doesNotContain("Search index stale");
    assertThat(page("/incidents").body())
        .contains("Shared cache cold")
        .doesNotContain("Search index stale");
    assertThat(page("/services").body()).contains("payments-svc").doesNotContain("search-svc");
    assertThat(page("/incidents/" + searchIncident).statusCode()).isEqualTo(404);
    assertThat(page("/services/" + search).statusCode()).isEqualTo(404);
  }

  @Test
  void anAdminSeesEveryTeam() {
    assertThat(titles(admin.get("/api/v1/incidents"))).contains("Search index stale");
    assertThat(names(admin.get("/api/v1/services"))).contains("search-svc");
  }

  @Test
  void theAdminPageSaysThatEachPersonSeesTheirOwnTeams() {
    assertThat(SignInForm.adminPage(tocsin, "/admin"))
        .contains("id=\"team-visibility\"")
        .contains("TOCSIN_TEAM_VISIBILITY=own");
  }

  private static HttpResponse<String> page(String path) {
    return page(path, aliceSession);
  }

  private static HttpResponse<String> page(String path, String session) {
    return tocsin.send(
        HttpRequest.newBuilder(tocsin.uri(path))
            .header("Accept", "text/html")
            .header("Cookie", "TOCSIN_SESSION=" + session)
            .GET()
            .build());
  }

  private static List<String> titles(JsonNode page) {
    return page.get("items").valueStream().map(i -> i.get("title").asString()).toList();
  }

  private static List<String> names(JsonNode page) {
    return page.get("items").valueStream().map(i -> i.get("name").asString()).toList();
  }
}
