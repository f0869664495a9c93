package io.tocsin.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.Api;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Configuration as code through real HTTP, once per database: a setup made partly by importing a
 * document and partly through the ordinary APIs is exported, imported into an empty Tocsin and
 * exported again; dry runs answer the exact changes and keep none; a bad document changes nothing.
 */
// PostgreSQL only: the classes still on H2 send each of its statements there (.ci/sql-coverage).
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class ConfigAsCodeIntegrationTests extends HarnessTests {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final String ALICE = "alice@example.com";
  private static final String BOB = "bob@example.com";

  /** Written by hand, in the loose style a person would use: the import must normalise it. */
  private static final String SETUP =
      """
      teams:
        - name: payments-sre
          members:
            - {user: BOB@example.com}
            - {user: alice@example.com, role: Manager}
      services:
        - name: payments-api
          description: Takes card payments.
          ownerTeam: payments-sre
          runbookUrls: [https://runbooks.example.com/payments-api]
          labels: {tier: "1"}
          dependsOn: [payments-db]
          groupBy: [alertname, instance]
          escalationPolicy: payments
          integrations:
            - {name: prometheus, kind: Alertmanager}
            - {name: vendor-events, kind: PagerDuty}
            - {name: webhooks, kind: generic, grouping: {by: Labels, labels: [source, component]}}
        - name: payments-db
          autoResolve: false
          integrations:
            - {name: backups, kind: heartbeat, heartbeat: {interval: pt1h, grace: PT10M}}
      schedules:
        - name: payments-primary
          timeZone: Europe/Berlin
          layers:
            - name: weekly
              members: [alice@example.com, bob@example.com]
              rotation: {count: 1, unit: weeks}
              start: "2026-03-16T09:00"
              restrictions:
                - {days: [monday, tuesday, wednesday, thursday, friday], from: "08:00", to: "20:00"}
      escalationPolicies:
        - name: payments
          repeat: 1
          levels:
            - delayMinutes: 5
              targets: [{schedule: payments-primary}]
            - delayMinutes: 10
              targets: [{user: bob@example.com}]
      inhibitionRules:
        - name: database-down
          sourceMatchers: ['alertname = "PostgresDown"']
          targetMatchers: ['severity=~"warning|info"']
          equal: [instance]
      """;

  /** The setup as the first export saw it; every test starts from it. */
  private static String baseline;

  @Override
  protected void seed() throws IOException {
    person(api, "Alice", ALICE);
    person(api, "Bob", BOB);
    HttpResponse<String> applied = importDocument(api, SETUP, false);
    assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
    // Made through the ordinary APIs, not the document: the export must see these too.
    api.ok(
        "POST",
        "/api/v2/silences",
        """
        {"matchers":[{"name":"alertname","value":"DiskFull","isRegex":false,"isEqual":true}],
         "startsAt":"%s","endsAt":"%s","createdBy":"ops@example.com","comment":"Disk swap."}
        """
            .formatted(
                Instant.now().truncatedTo(ChronoUnit.SECONDS),
                Instant.now().plus(6, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS)));
    api.ok(
        "PUT",
        "/api/v1/notification-templates/email/page",
        """
        {"subject":"PAGE {{incident.reference}} {{incident.title}}",
         "body":"{{incident.title}} on {{service.name}}: {{incident.url}}"}
        """);
    baseline = export(api);
  }

  /** Every test starts from the seeded setup, whatever the one before it imported. */
  @BeforeEach
  void restoreTheSetup() throws IOException {
    HttpResponse<String> restored = importDocument(api, baseline, false);
    assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
  }

  @Test
  void anExportImportedIntoAnEmptyTocsinExportsTheSameDocument() throws IOException {
    String exported = export(api);
    assertThat(exported)
        .contains("payments-api", "payments-primary", "database-down", "DiskFull", "PAGE ")
        .contains("role: manager")
        .contains("interval: PT1H")
        .doesNotContain("tik_");

    try (TestDatabase.CleanSchema empty = database.createCleanSchema();
        TocsinHarness other = TocsinHarness.startWithAdmin(empty, Map.of())) {
      Api there = new Api(other, other.adminToken());
      person(there, "Alice", ALICE);
      person(there, "Bob", BOB);

      JsonNode dryRun = json(importDocument(there, exported, true));
      assertThat(dryRun.get("created").asInt()).isEqualTo(12);
      assertThat(dryRun.get("deleted").asInt()).isZero();
      assertThat(dryRun.get("integrationKeys")).isEmpty();
      assertThat(json(there.send("GET", "/api/v1/services", null)).get("items"))
          .as("a dry run keeps nothing")
          .isEmpty();

      JsonNode applied = json(importDocument(there, exported, false));
      assertThat(applied.get("created").asInt()).isEqualTo(12);
      assertThat(export(there)).isEqualTo(exported);

      JsonNode key = applied.get("integrationKeys").get(0);
      assertThat(key.get("integration").asString()).isEqualTo("prometheus");
      HttpResponse<String> alert =
          other.postJson(
              "/api/v2/alerts",
              "Bearer " + key.get("key").asString(),
              "[{\"labels\":{\"alertname\":\"CardDeclines\"}}]");
      assertThat(alert.statusCode()).as("the new key takes alerts").isEqualTo(200);
    }
  }

  @Test
  void importingItsOwnExportChangesNothing() {
    JsonNode result = json(importDocument(api, export(api), true));

    assertThat(result.get("changes")).isEmpty();
    assertThat(result.get("unchanged").asInt()).isEqualTo(12);
  }

  @Test
  void aDryRunAnswersTheExactChangesAndKeepsNone() {
    String before = export(api);
    ObjectNode changed = tree(before);
    ObjectNode service = (ObjectNode) changed.get("services").get(0);
    service.put("description", "Takes cards and wallets.");
    service.put("ownerTeam", "checkout-sre");
    ((ObjectNode) changed.get("teams").get(0)).put("name", "checkout-sre");

    JsonNode result = json(importDocument(api, YAML.writeValueAsString(changed), true));

    assertThat(changes(result))
        .containsExactlyInAnyOrder(
            "create team checkout-sre",
            "delete team payments-sre",
            "update service payments-api [description, ownerTeam]");
    assertThat(export(api)).isEqualTo(before);
  }

  @Test
  void anAppliedImportDeletesWhatTheDocumentDropsAndChangesWhatItChanges() {
    String before = export(api);
    ObjectNode changed = tree(before);
    ((ObjectNode) changed.get("escalationPolicies").get(0).get("levels").get(1))
        .put("delayMinutes", 15);
    changed.remove("inhibitionRules");
    ((ObjectNode) changed.get("services").get(1).get("integrations").get(0).get("heartbeat"))
        .put("interval", "PT2H");

    JsonNode result = json(importDocument(api, YAML.writeValueAsString(changed), false));

    assertThat(changes(result))
        .containsExactlyInAnyOrder(
            "update escalation policy payments [levels]",
            "delete inhibition rule database-down",
            "update integration payments-db/backups [heartbeat]");
    assertThat(api.get("/api/v1/inhibition-rules").get("items")).isEmpty();
    assertThat(export(api))
        .contains("delayMinutes: 15", "interval: PT2H")
        .doesNotContain("database-down");
    assertThat(result.get("integrationKeys")).as("new heartbeat times keep the key").isEmpty();
    assertThat(json(importDocument(api, before, false)).get("created").asInt()).isEqualTo(1);
    assertThat(export(api)).isEqualTo(before);
  }

  @Test
  void anIntegrationsGroupingIsExportedAndChangesInPlaceKeepingItsKey() {
    String before = export(api);
    ObjectNode document = tree(before);
    JsonNode integrations = document.get("services").get(0).get("integrations");
    assertThat(integrations.get(1).get("grouping").toString())
        .as("a PagerDuty integration groups by dedup_key unless told otherwise")
        .isEqualTo("{\"by\":\"dedup_key\"}");
    assertThat(integrations.get(2).get("grouping").toString())
        .isEqualTo("{\"by\":\"labels\",\"labels\":[\"source\",\"component\"]}");
    ((ObjectNode) integrations.get(1).get("grouping")).put("by", "ALL");

    JsonNode result = json(importDocument(api, YAML.writeValueAsString(document), false));

    assertThat(changes(result))
        .containsExactly("update integration payments-api/vendor-events [grouping]");
    assertThat(result.get("integrationKeys")).as("a new grouping keeps the key").isEmpty();
    String service = tree(before).get("services").get(0).get("name").asString();
    JsonNode listed =
        api.get(
            "/api/v1/services/"
                + api.get("/api/v1/services")
                    .get("items")
                    .valueStream()
                    .filter(s -> s.get("name").asString().equals(service))
                    .findFirst()
                    .orElseThrow()
                    .get("id")
                    .asString()
                + "/integrations");
    assertThat(
            listed
                .valueStream()
                .map(i -> i.get("name").asString() + " " + i.get("grouping").get("by").asString()))
        .contains("vendor-events all", "prometheus service");

    ((ObjectNode) integrations.get(1).get("grouping")).put("by", "sideways");
    HttpResponse<String> refused = importDocument(api, YAML.writeValueAsString(document), true);
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body())
        .contains("services[payments-api].integrations[vendor-events].grouping.by")
        .contains("dedup_key");
  }

  @Test
  void routingRulesTravelWithTheirIntegrationAndABadOneIsRefusedNamingRuleAndField() {
    String before = export(api);
    ObjectNode document = tree(before);
    ObjectNode prometheus = (ObjectNode) document.get("services").get(0).get("integrations").get(0);
    ArrayNode rules = prometheus.putArray("routing");
    ObjectNode database = rules.addObject();
    database.put("name", "database").put("service", "payments-db");
    database
        .putArray("match")
        .addObject()
        .put("name", "job")
        .put("operator", "=~")
        .put("value", "pg.*");
    rules.addObject().put("serviceFromLabel", "service");

    JsonNode result = json(importDocument(api, YAML.writeValueAsString(document), false));

    assertThat(changes(result))
        .containsExactly("update integration payments-api/prometheus [routing]");
    assertThat(result.get("integrationKeys")).as("new rules keep the key").isEmpty();
    JsonNode exported =
        tree(export(api)).get("services").get(0).get("integrations").get(0).get("routing");
    assertThat(exported.get(0).get("service").asString()).isEqualTo("payments-db");
    assertThat(exported.get(0).get("match").get(0).get("value").asString()).isEqualTo("pg.*");
    assertThat(exported.get(1).get("serviceFromLabel").asString()).isEqualTo("service");

    ((ObjectNode) rules.get(0).get("match").get(0)).put("value", "pg(");
    HttpResponse<String> refused = importDocument(api, YAML.writeValueAsString(document), false);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(refused.body())
        .contains("services[payments-api].integrations[prometheus].routing[0].match[0].value");
    assertThat(tree(export(api)).get("services").get(0).get("integrations").get(0).get("routing"))
        .as("nothing of the refused document is saved")
        .isEqualTo(exported);
  }

  @Test
  void aDocumentRefusedHalfwayChangesNothing() {
    String before = export(api);
    ObjectNode broken = tree(before);
    ((ArrayNode) broken.get("teams")).addObject().put("name", "brand-new-team");
    ((ArrayNode) broken.get("schedules").get(0).get("layers").get(0).get("members"))
        .set(1, "carol@example.com");

    HttpResponse<String> refused = importDocument(api, YAML.writeValueAsString(broken), false);

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(refused.body())
        .contains("carol@example.com")
        .contains("schedules[payments-primary].layers");
    assertThat(export(api)).as("the team made before the refusal is gone too").isEqualTo(before);
  }

  @Test
  void malformedDocumentsAndMisspeltKeysAreRefusedWithTheirPlace() {
    HttpResponse<String> misspelt = importDocument(api, "servces:\n  - name: x\n", true);
    HttpResponse<String> malformed = importDocument(api, "services: [name: x\n", true);
    HttpResponse<String> badKind =
        importDocument(
            api,
            "services:\n  - name: x\n    integrations: [{name: y, kind: carrier-pigeon}]\n",
            true);
    HttpResponse<String> twice = importDocument(api, "teams:\n  - name: a\n  - name: a\n", true);

    assertThat(misspelt.statusCode()).isEqualTo(422);
    assertThat(misspelt.body()).contains("servces");
    assertThat(malformed.statusCode()).isEqualTo(422);
    assertThat(malformed.body()).contains("line");
    assertThat(badKind.statusCode()).isEqualTo(422);
    assertThat(badKind.body()).contains("carrier-pigeon").contains("alertmanager");
    assertThat(twice.statusCode()).isEqualTo(422);
    assertThat(twice.body()).contains("appears twice");
  }

  @Test
  void onlyAdminsExportAndImport() {
    String responder = api.user("Rita");
    String email =
        json(api.send("GET", "/api/v1/users/" + responder, null)).get("email").asString();
    Api asResponder = new Api(tocsin, tocsin.adminToken(email, "a long enough password"));

    assertThat(asResponder.send("GET", "/api/v1/config/export", null).statusCode()).isEqualTo(403);
    assertThat(importDocument(asResponder, "teams: []\n", true).statusCode()).isEqualTo(403);
  }

  private static List<String> changes(JsonNode result) {
    return result
        .get("changes")
        .valueStream()
        .map(
            c ->
                c.get("action").asString()
                    + " "
                    + c.get("kind").asString()
                    + " "
                    + c.get("name").asString()
                    + (c.get("fields").isEmpty()
                        ? ""
                        : " " + c.get("fields").valueStream().map(JsonNode::asString).toList()))
        .toList();
  }

  private static ObjectNode tree(String yaml) {
    return (ObjectNode) YAML.readTree(yaml);
  }

  private static void person(Api on, String name, String email) {
    on.create(
        "/api/v1/users",
        """
        {"name":"%s","email":"%s","role":"responder","timeZone":"UTC",
         "password":"a long enough password"}
        """
            .formatted(name, email));
  }

  private static String export(Api on) {
    HttpResponse<String> response = on.send("GET", "/api/v1/config/export", null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/yaml"));
    return response.body();
  }

  private static HttpResponse<String> importDocument(Api on, String yaml, boolean dryRun) {
    return on.send("POST", "/api/v1/config/import?dryRun=" + dryRun, yaml);
  }

  private static JsonNode json(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
