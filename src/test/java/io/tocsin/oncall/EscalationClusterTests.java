package io.tocsin.oncall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.Api;
import io.tocsin.testing.TestClock;
import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Escalation timers on PostgreSQL with several Tocsin processes: every step happens exactly once
 * whichever node claims it, and a node that starts after the others stopped pages what fell due
 * meanwhile, late but not lost.
 */
class EscalationClusterTests {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String SECRET = "escalation-cluster-tests-secret-0123456789";
  private static final TestClock CLOCK = PagingTestConfiguration.CLOCK;

  private static TestDatabase.CleanSchema schema;

  @BeforeAll
  static void createSchema() {
    schema = TestDatabase.POSTGRESQL.createCleanSchema();
  }

  @AfterAll
  static void dropSchema() {
    schema.close();
  }

  @Test
  void twoNodesPageEveryLevelOfManyIncidentsExactlyOnce() throws IOException {
    int incidents = 60;
    try (TocsinHarness first = node(true);
        TocsinHarness second = node(false)) {
      Api one = new Api(first, first.adminToken());
      Api other = one.on(second);
      Api.Service service = pagedService(one, 1);
      List<String> names = new ArrayList<>();
      for (int i = 0; i < incidents; i++) {
        names.add(Api.alert(Api.unique("Cluster")));
      }
      for (int i = 0; i < incidents; i += 10) {
        (i % 20 == 0 ? one : other).fire(service, names.subList(i, i + 10).toArray(String[]::new));
      }
      await()
          .atMost(WAIT)
          .until(
              () -> one.get("/api/v1/incidents?limit=200&service=" + service.id()).get("items"),
              items -> items.size() == incidents);

      for (int step = 1; step <= 6; step++) {
        int expected = incidents * step;
        await().atMost(WAIT).until(() -> pagesOf(service).size() >= expected);
        CLOCK.advance(Duration.ofMinutes(1));
      }
      JdbcClient jdbc = first.bean(JdbcClient.class);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  jdbc.sql(
                          "SELECT COUNT(*) FROM oncall_escalation"
                              + " WHERE service_id = :service AND status = 'exhausted'")
                      .param("service", java.util.UUID.fromString(service.id()))
                      .query(Long.class)
                      .single(),
              exhausted -> exhausted == incidents);

      List<PagingTestConfiguration.Recorded> pages = pagesOf(service);
      assertThat(pages).hasSize(incidents * 6);
      assertThat(
              pages.stream()
                  .map(r -> r.page().incidentId() + "/" + r.page().level() + "/" + r.page().round())
                  .distinct())
          .as("every level of every round of every incident paged once")
          .hasSize(incidents * 6);
      Map<String, List<Integer>> levelsByIncident = new HashMap<>();
      pages.stream()
          .sorted(java.util.Comparator.comparingInt(r -> r.page().step()))
          .forEach(
              r ->
                  levelsByIncident
                      .computeIfAbsent(r.page().incidentId().toString(), k -> new ArrayList<>())
                      .add(r.page().level()));
      assertThat(levelsByIncident).hasSize(incidents);
      assertThat(levelsByIncident.values())
          .allSatisfy(levels -> assertThat(levels).containsExactly(1, 2, 3, 1, 2, 3));
      assertThat(
              jdbc.sql(
                      "SELECT COUNT(*) FROM oncall_page p JOIN oncall_escalation e"
                          + " ON e.incident_id = p.incident_id WHERE e.service_id = :service")
                  .param("service", java.util.UUID.fromString(service.id()))
                  .query(Long.class)
                  .single())
          .isEqualTo(incidents * 6L);
      Set<String> nodes =
          pages.stream().map(PagingTestConfiguration.Recorded::node).collect(Collectors.toSet());
      assertThat(nodes).as("both nodes ran steps").hasSize(2);
    }
  }

  @Test
  void aNodeStartedAfterTheOthersStoppedPagesWhatFellDueMeanwhile() throws IOException {
    int incidents = 10;
    Api.Service service;
    Instant openedBy;
    String token;
    try (TocsinHarness before = node(true)) {
      token = before.adminToken();
      Api api = new Api(before, token);
      service = pagedService(api, 0);
      List<String> alerts = new ArrayList<>();
      for (int i = 0; i < incidents; i++) {
        alerts.add(Api.alert(Api.unique("Restart")));
      }
      api.fire(service, alerts.toArray(String[]::new));
      await().atMost(WAIT).until(() -> pagesOf(service).size() == incidents);
      openedBy = CLOCK.instant();
    }

    CLOCK.advance(Duration.ofMinutes(3));
    try (TocsinHarness after = node(false)) {
      Api api = new Api(after, token);
      await().atMost(WAIT).until(() -> pagesOf(service).size() == incidents * 2);
      List<PagingTestConfiguration.Recorded> late =
          pagesOf(service).stream().filter(r -> r.page().level() == 2).toList();
      assertThat(late).hasSize(incidents);
      JsonNode escalation =
          api.get("/api/v1/incidents/" + late.get(0).page().incidentId() + "/escalation");
      JsonNode step = escalation.get("steps").get(1);
      assertThat(Instant.parse(step.get("dueAt").asString()))
          .isEqualTo(openedBy.plus(Duration.ofMinutes(1)));
      assertThat(step.get("lagSeconds").asDouble()).isGreaterThanOrEqualTo(120);
      assertThat(Instant.parse(escalation.get("nextAt").asString()))
          .as("the next level waits its full delay from the late page")
          .isEqualTo(CLOCK.instant().plus(Duration.ofMinutes(1)));

      CLOCK.advance(Duration.ofMinutes(1));
      await().atMost(WAIT).until(() -> pagesOf(service).size() == incidents * 3);
      assertThat(pagesOf(service).stream().filter(r -> r.page().level() == 3)).hasSize(incidents);
    }
  }

  /** A service whose policy pages Alice, Bob and Carol a minute apart, repeated as asked. */
  private static Api.Service pagedService(Api api, int repeat) {
    String[] levels =
        Stream.of(api.user("Alice"), api.user("Bob"), api.user("Carol"))
            .map(user -> Api.level(1, Api.userTarget(user)))
            .toArray(String[]::new);
    String policy = api.policy(repeat, levels);
    Api.Service service = api.service("cluster", "\"autoResolve\":false");
    api.follow(service, policy);
    return service;
  }

  private static List<PagingTestConfiguration.Recorded> pagesOf(Api.Service service) {
    return PagingTestConfiguration.PAGES.stream()
        .filter(r -> r.page().serviceId().toString().equals(service.id()))
        .toList();
  }

  private static TocsinHarness node(boolean withAdmin) throws IOException {
    Map<String, Object> settings =
        Map.of(
            "tocsin.secret-key",
            SECRET,
            "tocsin.escalation.poll-interval",
            "20ms",
            "tocsin.escalation.batch-size",
            "5",
            "tocsin.rate-limit.api-token-per-minute",
            "1000000",
            // Alerts sent once, without endsAt, must outlive the hours this clock moves.
            "tocsin.ingest.resolve-timeout",
            "30d");
    TocsinHarness node =
        withAdmin
            ? TocsinHarness.startWithAdmin(schema, settings, PagingTestConfiguration.class)
            : TocsinHarness.start(
                schema.url(),
                schema.user(),
                schema.password(),
                Files.createTempDirectory("tocsin-escalation-node"),
                settings,
                PagingTestConfiguration.class);
    // The server starts before its database is ready; a request sent earlier is refused with 503.
    await().atMost(WAIT).until(() -> node.get("/actuator/health/readiness").statusCode() == 200);
    return node;
  }
}
