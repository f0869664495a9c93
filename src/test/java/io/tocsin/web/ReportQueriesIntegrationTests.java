package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.incident.IncidentQueries;
import io.tocsin.incident.IncidentWeek;
import io.tocsin.ingest.AlertVolume;
import io.tocsin.oncall.PagingLoad;
import io.tocsin.testing.Api;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.TestClock;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import tools.jackson.databind.JsonNode;

/**
 * The reports' numbers, summed by the modules in SQL, on a clock the test moves: weekly counts and
 * nearest-rank percentiles of MTTA and MTTR, alert counts per bucket and alertname, and pages split
 * by each person's working hours.
 */
class ReportQueriesIntegrationTests extends BothDatabasesTests {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final TestClock CLOCK =
      new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

  private static TocsinHarness tocsin;
  private static Api api;

  /** The test's clock in place of the system's; a harness source, not a scanned configuration. */
  static class ClockConfiguration {
    @Bean
    @Primary
    java.time.Clock testClock() {
      return CLOCK;
    }
  }

  @AfterParameterizedClassInvocation
  static void stop() {
    if (tocsin != null) {
      tocsin.close();
      tocsin = null;
    }
  }

  @Test
  void weeksPercentilesAlertCountsAndWorkingHoursComeOutOfTheDatabaseRight() throws IOException {
    tocsin =
        TocsinHarness.startWithAdmin(
            schema(),
            Map.of(
                "tocsin.rate-limit.api-token-per-minute",
                "1000000",
                // Alerts sent once, without endsAt, must outlive the hours this clock moves.
                "tocsin.ingest.resolve-timeout",
                "30d",
                // The test compacts by hand, when it has checked the counts before compaction.
                "tocsin.ingest.volume-compaction-interval",
                "1h"),
            ClockConfiguration.class);
    api = new Api(tocsin, tocsin.adminToken());
    String admin = api.get("/api/v1/users/me").get("id").asString();
    String tokyo =
        api.create(
                "/api/v1/users",
                """
                {"name":"Tokyo","email":"%s@example.com","role":"responder",
                 "timeZone":"Asia/Tokyo","password":"a long enough password"}
                """
                    .formatted(Api.unique("tokyo")))
            .get("id")
            .asString();
    String policy =
        api.create(
                "/api/v1/escalation-policies",
                ("{\"name\":\"%s\",\"levels\":[{\"delayMinutes\":30,\"targets\":["
                        + "{\"type\":\"user\",\"id\":\"%s\"},{\"type\":\"user\",\"id\":\"%s\"}]}]}")
                    .formatted(Api.unique("both"), admin, tokyo))
            .get("id")
            .asString();
    Api.Service service = api.service("reported", "\"autoResolve\":false");
    api.ok(
        "PUT",
        "/api/v1/services/" + service.id() + "/escalation-policy",
        "{\"policyId\":\"" + policy + "\"}");

    // Monday 10:00 UTC: working hours in UTC, 19:00 in Tokyo.
    Instant monday =
        CLOCK
            .instant()
            .atZone(ZoneOffset.UTC)
            .toLocalDate()
            .with(TemporalAdjusters.next(DayOfWeek.MONDAY))
            .atTime(LocalTime.of(10, 0))
            .toInstant(ZoneOffset.UTC);
    CLOCK.advance(Duration.between(CLOCK.instant(), monday));
    String a = Api.unique("A");
    String b = Api.unique("B");
    String c = Api.unique("C");
    api.fire(
        service,
        Api.alert(a, "severity", "warning", "instance", "1"),
        Api.alert(a, "severity", "warning", "instance", "2"),
        Api.alert(b, "severity", "warning"),
        Api.alert(c, "severity", "warning"));
    List<String> incidents = incidentsPaged(service, 3);
    String first = incidentOf(a);
    String second = incidentOf(b);
    String third = incidentOf(c);
    assertThat(incidents).containsExactlyInAnyOrder(first, second, third);
    at(monday.plusSeconds(60), () -> status(first, "acknowledged"));
    at(monday.plusSeconds(120), () -> status(second, "acknowledged"));
    at(monday.plusSeconds(300), () -> status(third, "acknowledged"));
    at(monday.plusSeconds(600), () -> status(first, "resolved"));
    at(monday.plusSeconds(1200), () -> status(second, "resolved"));

    // Saturday 03:00 UTC of the same week: outside everybody's working hours.
    Instant saturday = monday.plus(Duration.ofDays(5)).minus(Duration.ofHours(7));
    at(saturday, () -> api.fire(service, Api.alert(Api.unique("D"), "severity", "warning")));
    incidentsPaged(service, 4);
    String fourth = incidentOf("D-");
    at(saturday.plusSeconds(30), () -> status(fourth, "acknowledged"));
    Instant nextMonday = monday.plus(Duration.ofDays(7));
    at(nextMonday, () -> api.fire(service, Api.alert(Api.unique("E"), "severity", "warning")));
    incidentsPaged(service, 5);

    List<UUID> only = List.of(UUID.fromString(service.id()));
    List<IncidentWeek> weeks =
        tocsin
            .bean(IncidentQueries.class)
            .weekly(monday, nextMonday.plus(Duration.ofDays(7)), only);
    Instant weekStart = monday.minus(Duration.ofHours(10));
    assertThat(weeks)
        .containsExactly(
            // MTTA 60, 120, 300, 30 s: nearest rank p50 = 60, p90 = 300. MTTR 600, 1200 s.
            new IncidentWeek(weekStart, 4, 0, 0, 4, 0, 60L, 300L, 600L, 1200L),
            new IncidentWeek(
                weekStart.plus(Duration.ofDays(7)), 1, 0, 0, 1, 0, null, null, null, null));
    assertThat(
            tocsin
                .bean(IncidentQueries.class)
                .weekly(monday, nextMonday, List.of(UUID.randomUUID())))
        .isEmpty();

    AlertVolume volume = tocsin.bean(AlertVolume.class);
    assertThat(volume.perBucket(monday, monday.plus(Duration.ofHours(1)), only))
        .containsExactly(new AlertVolume.Bucket(monday, 4));
    List<AlertVolume.Noisy> noisiest =
        volume.noisiest(monday, nextMonday.plus(Duration.ofDays(1)), only, 2);
    assertThat(noisiest).hasSize(2);
    assertThat(noisiest.get(0))
        .isEqualTo(new AlertVolume.Noisy(UUID.fromString(service.id()), a, 2));
    assertThat(volume.compact()).as("the rows of the buckets that are over").isPositive();
    assertThat(volume.noisiest(monday, nextMonday.plus(Duration.ofDays(1)), only, 2))
        .as("compacting changes no sum")
        .isEqualTo(noisiest);
    assertThat(volume.perBucket(monday, monday.plus(Duration.ofHours(1)), only))
        .containsExactly(new AlertVolume.Bucket(monday, 4));

    List<PagingLoad.PersonPages> load =
        tocsin.bean(PagingLoad.class).perPerson(monday, nextMonday, only);
    assertThat(load)
        .containsExactly(
            new PagingLoad.PersonPages(UUID.fromString(tokyo), "Tokyo", "Asia/Tokyo", 0, 4),
            new PagingLoad.PersonPages(UUID.fromString(admin), "Administrator", "UTC", 3, 1));
  }

  private static void at(Instant when, Runnable action) {
    CLOCK.advance(Duration.between(CLOCK.instant(), when));
    action.run();
  }

  private static void status(String incident, String status) {
    api.ok("PATCH", "/api/v1/incidents/" + incident, "{\"status\":\"" + status + "\"}");
  }

  /** The service's incidents once each has paged both people. */
  private static List<String> incidentsPaged(Api.Service service, int count) {
    return await()
        .atMost(WAIT)
        .until(
            () -> {
              JsonNode items = api.get("/api/v1/incidents?service=" + service.id()).get("items");
              List<String> ids = new java.util.ArrayList<>();
              for (JsonNode item : items) {
                String id = item.get("id").asString();
                if (api.get("/api/v1/incidents/" + id + "/timeline")
                    .toString()
                    .contains("\"paged\"")) {
                  ids.add(id);
                }
              }
              return ids;
            },
            ids -> ids.size() == count);
  }

  private static String incidentOf(String alertname) {
    for (JsonNode item : api.get("/api/v1/incidents?limit=200").get("items")) {
      if (item.get("title").asString().contains(alertname)) {
        return item.get("id").asString();
      }
    }
    throw new AssertionError("no incident titled " + alertname);
  }
}
