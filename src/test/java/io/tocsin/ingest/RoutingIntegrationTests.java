package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.Api;
import io.tocsin.testing.HarnessTests;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One key for a whole Prometheus: an integration's routing rules send each alert to its own
 * service, rewrite it, or drop it, and the test endpoint says beforehand what they will do.
 */
class RoutingIntegrationTests extends HarnessTests {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void oneKeySendsEachAlertToTheServiceItsLabelNamesAndTheRestToItsOwn() {
    RoutingPlatform p =
        RoutingPlatform.create(api, "[{\"name\":\"by label\",\"serviceFromLabel\":\"service\"}]");
    api.fire(
        p.platform(),
        Api.alert("Down", "service", p.payments().name()),
        Api.alert("Down", "service", p.search().name().toUpperCase()),
        Api.alert("Down", "service", "nobody-has-this-name"));

    await().atMost(WAIT).until(() -> incidents(p.payments()).size() == 1);
    await().atMost(WAIT).until(() -> incidents(p.search()).size() == 1);
    await().atMost(WAIT).until(() -> incidents(p.platform()).size() == 1);
    JsonNode routing = api.get("/api/v1/integrations/" + p.integration() + "/routing");
    assertThat(routing.get("routedByDefaultLastHour").asLong())
        .as("the alert no rule could place is counted, so a missing rule shows")
        .isEqualTo(1);
    assertThat(routing.get("rules").get(0).get("serviceFromLabel").asString()).isEqualTo("service");
  }

  @Test
  void aServiceIsFoundByItsAliasAsByItsName() {
    RoutingPlatform p = RoutingPlatform.create(api, "[{\"serviceFromLabel\":\"namespace\"}]");
    api.ok(
        "PATCH",
        "/api/v1/services/" + p.search().id(),
        "{\"aliases\":[\"search-prod\",\" elastic \"]}");
    assertThat(api.get("/api/v1/services/" + p.search().id()).get("aliases").toString())
        .isEqualTo("[\"search-prod\",\"elastic\"]");
    // The test endpoint reads the services afresh; ingestion within two seconds of a change.
    assertThat(
            api.ok(
                    "POST",
                    "/api/v1/integrations/" + p.integration() + "/routing/test",
                    "{\"labels\":{\"alertname\":\"Slow\",\"namespace\":\"Elastic\"}}")
                .get("service")
                .asString())
        .isEqualTo(p.search().name());
    api.fire(p.platform(), Api.alert("Slow", "namespace", "Elastic"));

    await().atMost(WAIT).until(() -> incidents(p.search()).size() == 1);
    HttpResponse<String> refused =
        api.send("PATCH", "/api/v1/services/" + p.search().id(), "{\"aliases\":[\"\"]}");
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body()).contains("aliases");
  }

  @Test
  void aDroppedAlertIsStoredNowhereAndCounted() {
    RoutingPlatform p =
        RoutingPlatform.create(
            api,
            "[{\"name\":\"no watchdogs\",\"match\":[{\"name\":\"alertname\",\"value\":\"Watchdog\"}],"
                + "\"drop\":true},{\"service\":\"$payments\"}]");
    api.fire(p.platform(), Api.alert("Watchdog"), Api.alert("Down"));

    await().atMost(WAIT).until(() -> incidents(p.payments()).size() == 1);
    assertThat(incidents(p.payments()).get(0).get("title").asString()).isEqualTo("Down summary");
    assertThat(incidents(p.platform())).isEmpty();
    assertThat(
            api.metric(
                "tocsin_alerts_dropped_total{integration=\"am-"
                    + p.platform().name()
                    + "\",rule=\"#1 no watchdogs\"}"))
        .isEqualTo(1.0);
  }

  @Test
  void rulesRewriteLabelsAndSeverityAndContinueToTheRuleThatRoutes() {
    RoutingPlatform p =
        RoutingPlatform.create(
            api,
            """
            [{"name":"tidy","setLabels":{"team":"core"},"renameLabels":{"svc":"service"},
              "removeLabels":["pod"],"severityMap":{"P1":"critical","P3":"warning"},
              "continue":true},
             {"name":"route","match":[{"name":"service","operator":"=~","value":"pay.*"}],
              "serviceFromLabel":"service","grouping":{"by":"labels","labels":["team"]}}]
            """);
    api.fire(
        p.platform(),
        Api.alert("Latency", "svc", p.payments().name(), "pod", "api-7", "severity", "P1"));

    await().atMost(WAIT).until(() -> incidents(p.payments()).size() == 1);
    JsonNode incident = incidents(p.payments()).get(0);
    assertThat(incident.get("severity").asString()).isEqualTo("critical");
    assertThat(
            api.get("/api/v1/incidents/" + incident.get("id").asString())
                .get("groupKey")
                .asString())
        .as("the rule's grouping, not the integration's")
        .isEqualTo("team=core");
    JsonNode alert =
        api.get("/api/v1/incidents/" + incident.get("id").asString() + "/alerts")
            .get("items")
            .get(0)
            .get("details");
    assertThat(alert.get("route").asString()).isEqualTo("#2 route");
    assertThat(alert.get("labels").get("team").asString()).isEqualTo("core");
    assertThat(alert.get("labels").get("service").asString()).isEqualTo(p.payments().name());
    assertThat(alert.get("labels").has("svc")).isFalse();
    assertThat(alert.get("labels").has("pod")).isFalse();
  }

  @Test
  void aPagerDutyEventIsRoutedByItsSourceAndItsCustomDetails() {
    Api.Service platform = api.service("pd-platform", "");
    Api.Service payments = api.service("payments", "");
    JsonNode pd =
        api.create(
            "/api/v1/services/" + platform.id() + "/integrations",
            "{\"name\":\"pd\",\"kind\":\"pagerduty\"}");
    api.ok(
        "PUT",
        "/api/v1/integrations/" + pd.get("id").asString() + "/routing",
        """
        {"rules":[{"match":[{"name":"source","operator":"=~","value":"db-.*"},
                            {"name":"custom_details.region","value":"eu"}],
                   "service":"%s","severity":"error"}]}
        """
            .formatted(payments.name()));
    HttpResponse<String> sent =
        tocsin.postJson(
            "/v2/enqueue",
            null,
            """
            {"routing_key":"%s","event_action":"trigger","dedup_key":"disk-1",
             "payload":{"summary":"Disk full","source":"db-1","severity":"critical",
                        "custom_details":{"region":"eu","free":"1%%"}}}
            """
                .formatted(pd.get("key").asString()));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);

    await().atMost(WAIT).until(() -> incidents(payments).size() == 1);
    assertThat(incidents(payments).get(0).get("severity").asString()).isEqualTo("error");
  }

  @Test
  void badRulesAreRefusedNamingTheFieldAndNothingIsHalfSaved() {
    RoutingPlatform p = RoutingPlatform.create(api, "[{\"service\":\"$payments\"}]");
    String path = "/api/v1/integrations/" + p.integration() + "/routing";
    Map<String, String> refused =
        Map.of(
            "{\"rules\":[{\"service\":\"%s\"},{\"match\":[{\"name\":\"job\",\"operator\":\"=~\",\"value\":\"(\"}],\"service\":\"%s\"}]}"
                .formatted(p.search().name(), p.search().name()),
            "routing[1].match[0].value",
            "{\"rules\":[{\"service\":\"no-such-service\"}]}",
            "routing[0].service",
            "{\"rules\":[{\"setLabels\":{\"a\":\"b\"},\"continue\":true}]}",
            "routing[0].continue",
            "{\"rules\":[{\"name\":\"idle\",\"match\":[{\"name\":\"a\",\"value\":\"b\"}]}]}",
            "routing[0]",
            "{\"rules\":[{\"severity\":\"loud\"}]}",
            "routing[0].severity",
            "{\"rules\":[{\"match\":[{\"name\":\"a\",\"operator\":\"==\",\"value\":\"b\"}],\"drop\":true}]}",
            "routing[0].match[0].operator",
            "{\"rules\":[{\"drop\":true,\"service\":\"%s\"}]}".formatted(p.search().name()),
            "routing[0].drop",
            "{\"rules\":[{\"grouping\":{\"by\":\"colour\"}}]}",
            "routing[0].grouping.by");
    refused.forEach(
        (body, field) -> {
          HttpResponse<String> answer = api.send("PUT", path, body);
          assertThat(answer.statusCode()).as(body + " → " + answer.body()).isEqualTo(422);
          assertThat(answer.body()).as(body).contains("\"" + field + "\"");
        });
    JsonNode rules = api.get(path).get("rules");
    assertThat(rules).hasSize(1);
    assertThat(rules.get(0).get("service").asString()).isEqualTo(p.payments().name());
  }

  /** A table of alerts: what the test endpoint says each does, and where each really lands. */
  @Test
  void theTestEndpointTellsWhereEachOfTwentyAlertsLands() {
    RoutingPlatform p = RoutingPlatform.create(api, RoutingPlatform.TWENTY_ALERTS_RULES);
    record Case(String alertname, Map<String, String> labels, String lands) {}
    List<Case> cases = new ArrayList<>();
    String payments = p.payments().name();
    String search = p.search().name();
    String platform = p.platform().name();
    cases.add(new Case("Watchdog", Map.of(), "dropped"));
    cases.add(new Case("Watchdog", Map.of("job", "payments"), "dropped"));
    cases.add(new Case("A1", Map.of("env", "staging", "job", "payments"), "dropped"));
    cases.add(new Case("A2", Map.of("env", "prod", "job", "payments"), payments));
    cases.add(new Case("A3", Map.of("job", "payroll"), payments));
    cases.add(new Case("A4", Map.of("job", "checkout"), payments));
    cases.add(new Case("A5", Map.of("job", "checkouts"), platform));
    cases.add(new Case("A6", Map.of("job", "search-api"), search));
    cases.add(new Case("A7", Map.of("job", "search-api", "severity", "info"), platform));
    cases.add(new Case("A8", Map.of("job", "search-api", "severity", "warning"), search));
    cases.add(new Case("A9", Map.of("job", "search", "team", "core"), search));
    cases.add(new Case("A10", Map.of("service", payments), payments));
    cases.add(new Case("A11", Map.of("service", search.toUpperCase()), search));
    cases.add(new Case("A12", Map.of("service", "gone"), platform));
    cases.add(new Case("A13", Map.of(), platform));
    cases.add(new Case("A14", Map.of("team", "core"), platform));
    cases.add(new Case("A15", Map.of("team", "core", "service", search), search));
    cases.add(new Case("A16", Map.of("job", "search-api", "service", payments), search));
    cases.add(new Case("A17", Map.of("job", "web", "service", payments), payments));
    cases.add(new Case("A18", Map.of("env", "prod"), platform));
    assertThat(cases).hasSize(20);

    for (Case c : cases) {
      Map<String, String> labels = new java.util.TreeMap<>(c.labels());
      labels.put("alertname", c.alertname());
      JsonNode decision =
          api.ok(
              "POST",
              "/api/v1/integrations/" + p.integration() + "/routing/test",
              "{\"labels\":" + JSON.writeValueAsString(labels) + "}");
      String said =
          decision.get("dropped").asBoolean() ? "dropped" : decision.get("service").asString();
      assertThat(said).as(c.toString()).isEqualTo(c.lands());
      String alert = "{\"labels\":" + JSON.writeValueAsString(labels) + "}";
      api.fire(p.platform(), alert);
    }
    for (Case c : cases) {
      if (c.lands().equals("dropped")) {
        continue;
      }
      Api.Service service =
          c.lands().equals(payments)
              ? p.payments()
              : c.lands().equals(search) ? p.search() : p.platform();
      await(c.toString())
          .atMost(WAIT)
          .until(
              () ->
                  incidents(service).stream()
                      .anyMatch(i -> i.get("title").asString().equals(c.alertname())));
    }
    int landed =
        incidents(p.payments()).size()
            + incidents(p.search()).size()
            + incidents(p.platform()).size();
    assertThat(landed).as("every alert but the dropped three, once").isEqualTo(17);
    JsonNode a9 =
        api.ok(
            "POST",
            "/api/v1/integrations/" + p.integration() + "/routing/test",
            "{\"labels\":{\"alertname\":\"A9\",\"job\":\"search\",\"team\":\"core\"}}");
    assertThat(a9.get("labels").get("routed").asString()).isEqualTo("yes");
    assertThat(a9.get("severity").asString()).isEqualTo("critical");
    assertThat(a9.get("rule").asString()).isEqualTo("#5 search");
    assertThat(a9.get("matched")).hasSize(2);
    assertThat(a9.get("groupKey").asString()).isEqualTo("alertname=A9");
  }

  @Test
  void routeCountsOlderThanADayAreForgottenAndRecentOnesKept() {
    JdbcClient jdbc = tocsin.bean(JdbcClient.class);
    UUID integration = UUID.randomUUID();
    Instant now = Instant.now();
    for (Duration age : List.of(Duration.ofDays(2), Duration.ofHours(1))) {
      jdbc.sql(
              "INSERT INTO ingest_route_count (bucket_at, integration_id, route, alerts)"
                  + " VALUES (:at, :id, 'default', 1)")
          .param("at", now.minus(age).atOffset(ZoneOffset.UTC))
          .param("id", integration)
          .update();
    }

    tocsin.bean(Routing.class).forgetOldCounts();

    assertThat(
            jdbc.sql("SELECT bucket_at FROM ingest_route_count WHERE integration_id = :id")
                .param("id", integration)
                .query(OffsetDateTime.class)
                .list())
        .as("the hour-old count only")
        .singleElement()
        .satisfies(at -> assertThat(at.toInstant()).isAfter(now.minus(Duration.ofDays(1))));
  }

  private static List<JsonNode> incidents(Api.Service service) {
    List<JsonNode> found = new ArrayList<>();
    api.get("/api/v1/incidents?service=" + service.id()).get("items").forEach(found::add);
    return found;
  }
}
