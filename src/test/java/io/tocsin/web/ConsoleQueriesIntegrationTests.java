package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.directory.SignInForm;
import io.tocsin.testing.Api;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TocsinHarness;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The console's lists with the filters people choose, on both databases: the browser tests ask for
 * the same pages on PostgreSQL only, and each filter is a statement of its own (see {@code
 * .ci/sql-coverage}). One acknowledged incident of a paged service is on every list.
 */
class ConsoleQueriesIntegrationTests extends HarnessTests {

  private static final String POD = "pod-" + UUID.randomUUID().toString().substring(0, 8);

  private static Api.Service service;
  private static String title;
  private static String session;
  private static String integration;

  @Override
  protected void seed() {
    String me = api.get("/api/v1/users/me").get("id").asString();
    service = api.service("checkout", "");
    api.follow(service, api.policyPaging(me));
    integration =
        api.get("/api/v1/services/" + service.id() + "/integrations").get(0).get("id").asString();
    title = "Checkout down " + POD;
    api.fire(
        service,
        "{\"labels\":{\"alertname\":\"CheckoutDown\",\"pod\":\""
            + POD
            + "\",\"severity\":\"critical\"},\"annotations\":{\"summary\":\""
            + title
            + "\"}}");
    JsonNode incident = api.awaitOpenIncident(service.id());
    api.ok(
        "PATCH",
        "/api/v1/incidents/" + incident.get("id").asString(),
        "{\"status\":\"acknowledged\"}");
    session = SignInForm.session(tocsin, TocsinHarness.ADMIN_EMAIL, TocsinHarness.ADMIN_PASSWORD);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/incidents",
        "/incidents?assignee=me&status=acknowledged",
        "/incidents?service=SERVICE&status=acknowledged",
        "/incidents?severity=critical&status=acknowledged",
        "/incidents?status=acknowledged&q=POD",
        "/incidents?status=acknowledged&q=SERVICE_NAME",
        "/services/SERVICE",
        "/alerts",
        "/alerts?state=firing",
        "/silences/preview?matchers=pod%3DPOD",
        "/admin/integrations/INTEGRATION",
        "/"
      })
  void aFilteredListShowsTheIncident(String page) {
    HttpResponse<String> answer = page(page);

    assertThat(answer.statusCode()).as(page).isEqualTo(200);
    assertThat(answer.body()).as(page).contains(POD);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/services", "/silences", "/silences/new", "/reports"})
  void aPageOfTheCatalogAnswers(String page) {
    assertThat(page(page).statusCode()).as(page).isEqualTo(200);
  }

  @Test
  void theAuditLogFiltersByActorKindAndDays() {
    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
    HttpResponse<String> answer =
        page(
            "/admin/audit?actor="
                + URLEncoder.encode(TocsinHarness.ADMIN_EMAIL, StandardCharsets.UTF_8)
                + "&kind=service.created&from="
                + now.minusDays(1)
                + "&to="
                + now.plusDays(1));

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains(service.name());
  }

  @Test
  void theIncidentPageShowsTheNewestEntriesAsLatestWhenTheTimelineIsLongerThanAPage() {
    JsonNode incident =
        api.get("/api/v1/incidents?status=acknowledged&service=" + service.id())
            .get("items")
            .get(0);
    String id = incident.get("id").asString();
    String newest = "Note " + UUID.randomUUID();
    for (int n = 0; n < 200; n++) {
      api.create("/api/v1/incidents/" + id + "/notes", "{\"body\":\"Older note " + n + "\"}");
    }
    api.create("/api/v1/incidents/" + id + "/notes", "{\"body\":\"" + newest + "\"}");

    String page = page("/incidents/" + incident.get("number").asLong()).body();
    String latest =
        page.substring(page.indexOf("id=\"latest\""), page.indexOf("id=\"times-heading\""));
    assertThat(latest).contains(newest).contains("Older note 199").doesNotContain("Older note 0<");

    Matcher later = Pattern.compile("id=\"later-entries\" href=\"([^\"#]+)").matcher(page);
    assertThat(later.find()).as("the whole timeline leads on to its later entries").isTrue();
    String rest = page(later.group(1).replace("&amp;", "&")).body();
    String timeline = rest.substring(rest.indexOf("id=\"timeline\""));
    assertThat(timeline).contains(newest).doesNotContain("Older note 0<");
  }

  /**
   * The console's event stream as its pages hold it: the incident page hears of a note, the alert
   * list of a new alert, and the viewer, who asked for notifications, of an incident opening for a
   * service whose policy pages them, with what the notification shows.
   */
  @Test
  void theEventStreamTellsAPageWhatChangedAndAnOnCallViewerOfANewIncident() throws Exception {
    JsonNode incident =
        api.get("/api/v1/incidents?status=acknowledged&service=" + service.id())
            .get("items")
            .get(0);
    List<String> events = new CopyOnWriteArrayList<>();
    HttpResponse<Stream<String>> stream =
        HttpClient.newHttpClient()
            .sendAsync(
                HttpRequest.newBuilder(
                        tocsin.uri(
                            "/web/events?alerts=true&notify=true&incident="
                                + incident.get("number").asLong()))
                    .header("Cookie", "TOCSIN_SESSION=" + session)
                    .build(),
                HttpResponse.BodyHandlers.ofLines())
            .get(30, TimeUnit.SECONDS);
    assertThat(stream.statusCode()).isEqualTo(200);
    CompletableFuture.runAsync(
        () -> stream.body().filter(line -> !line.isBlank()).forEach(events::add));
    try {
      // The first look at the tally comes with the first look at the watched incident.
      await().atMost(Duration.ofSeconds(20)).until(() -> events.contains("event:incidents"));
      api.create(
          "/api/v1/incidents/" + incident.get("id").asString() + "/notes",
          "{\"body\":\"Watched\"}");
      await().atMost(Duration.ofSeconds(20)).until(() -> events.contains("event:incident"));

      String me = api.get("/api/v1/users/me").get("id").asString();
      Api.Service paged = api.service("paged", "");
      api.follow(paged, api.policyPaging(me));
      api.fire(paged, Api.alert("NewOne", "severity", "error"));
      JsonNode opened = api.awaitOpenIncident(paged.id());
      String announced =
          "data:{\"number\":"
              + opened.get("number").asLong()
              + ",\"severity\":\"error\",\"title\":\""
              + opened.get("title").asString()
              + "\"}";
      // The alert list hears of the new alert in the same tick, after the announcement.
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> assertThat(events).contains("event:opened", announced, "event:alerts"));
    } finally {
      stream.body().close();
    }
  }

  @Test
  void theApiListsAndCountsTheIncident() {
    assertThat(api.get("/api/v1/incidents?status=acknowledged").get("items").toString())
        .contains(title);
    assertThat(api.get("/api/v1/incidents/stats").get("opened").asInt()).isPositive();
  }

  private static HttpResponse<String> page(String path) {
    String filled =
        path.replace("SERVICE_NAME", service.name())
            .replace("SERVICE", service.id())
            .replace("INTEGRATION", integration)
            .replace("POD", POD);
    return tocsin.send(
        HttpRequest.newBuilder(tocsin.uri(filled))
            .header("Cookie", "TOCSIN_SESSION=" + session)
            .GET()
            .build());
  }
}
