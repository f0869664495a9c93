package io.tocsin.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.ingest.AlertChange;
import io.tocsin.ingest.AlertsChanged;
import io.tocsin.platform.Severity;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Alerts through the real ingestion endpoints, incidents through the incident API. */
class IncidentIntegrationTests extends HarnessTests {

  private static final String EMAIL = TocsinHarness.ADMIN_EMAIL;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Shared by the two nodes of the multi-node test, as production nodes share theirs. */
  private static final String SECRET = "incident-tests-secret-key-0123456789abcdef";

  private static String admin;

  @Override
  protected Map<String, Object> settings() {
    return Map.of(
        "tocsin.events.redelivery-interval",
        "1s",
        "tocsin.correlation.recheck-interval",
        "1s",
        "tocsin.secret-key",
        SECRET);
  }

  @Override
  protected void seed() {
    admin = "Bearer " + adminToken;
  }

  @Test
  void alertsOfOneServiceAndGroupKeyShareAnIncidentAndAnotherGroupOpensItsOwn() {
    Service api = service("api", "");
    String name = unique("HighErrorRate");
    fire(api, alert(name, "instance", "a", "severity", "warning"));
    fire(api, alert(name, "instance", "b", "severity", "critical"));
    fire(api, alert(unique("DiskFull"), "instance", "a"));

    List<JsonNode> open = awaitIncidents("service=" + api.id, 2);
    JsonNode grouped = byGroupKey(open, "alertname=" + name);
    await()
        .atMost(WAIT)
        .until(() -> incident(grouped.get("id").asString()).get("alertCount").asInt() == 2);
    JsonNode detail = detail(grouped.get("id").asString());
    assertThat(detail.get("incident").get("severity").asString())
        .as("the highest severity of its alerts")
        .isEqualTo("critical");
    assertThat(detail.get("incident").get("status").asString()).isEqualTo("open");
    assertThat(detail.get("incident").get("title").asString()).isEqualTo(name + " summary");
    assertThat(detail.get("alerts").get("items")).hasSize(2);
    assertThat(detail.get("alerts").get("items").get(0).get("role").asString())
        .isEqualTo("trigger");
    assertThat(detail.get("alerts").get("items").get(1).get("role").asString())
        .isEqualTo("grouped");
    JsonNode second = detail.get("alerts").get("items").get(1);
    assertThat(second.get("serviceName").asString()).isEqualTo(api.name);
    assertThat(second.get("details").get("labels").get("instance").asString()).isEqualTo("b");
    assertThat(second.get("details").get("annotations").get("summary").asString())
        .isEqualTo(name + " summary");
    assertThat(
            get("/api/v1/incidents/" + grouped.get("number").asLong())
                .get("incident")
                .get("id")
                .asString())
        .as("an incident is found by its number too")
        .isEqualTo(grouped.get("id").asString());
  }

  @Test
  void oneBatchJoiningSeveralIncidentsCountsAndRecordsEachIncidentsOwnAlerts() {
    Service api = service("several", "");
    List<String> names = List.of(unique("Latency"), unique("Errors"), unique("Saturation"));
    fire(api, names.stream().map(name -> alert(name, "instance", "first")).toArray(String[]::new));
    List<JsonNode> open = awaitIncidents("service=" + api.id, 3);

    fire(
        api,
        alert(names.get(0), "instance", "b", "severity", "critical"),
        alert(names.get(1), "instance", "b"),
        alert(names.get(1), "instance", "c"),
        alert(names.get(2), "instance", "b"),
        alert(names.get(2), "instance", "c"),
        alert(names.get(2), "instance", "d"));

    for (int i = 0; i < names.size(); i++) {
      String id = byGroupKey(open, "alertname=" + names.get(i)).get("id").asString();
      int joined = i + 1;
      await().atMost(WAIT).until(() -> incident(id).get("alertCount").asInt() == 1 + joined);
      JsonNode detail = detail(id);
      assertThat(detail.get("incident").get("firingAlertCount").asInt()).isEqualTo(1 + joined);
      assertThat(detail.get("incident").get("severity").asString().equals("critical"))
          .as("only the first incident took a critical alert")
          .isEqualTo(i == 0);
      assertThat(detail.get("alerts").get("items")).hasSize(1 + joined);
      assertThat(detail.get("affectedServices").get(0).get("alertCount").asInt())
          .isEqualTo(1 + joined);
      JsonNode entries = detail.get("timeline").get("items");
      assertThat(entries.get(entries.size() - 1).get("message").asString())
          .isEqualTo(joined == 1 ? "1 alert attached" : joined + " alerts attached");
    }
  }

  @Test
  void concurrentFiringsOfOneGroupOpenExactlyOneIncident() throws Exception {
    Service api = service("burst", "");
    fireAtOnce(List.of(tocsin), api, unique("Concurrent"), 16);
    assertOneIncidentHolds(api, 16);
  }

  @Test
  void twoNodesFiringOneGroupAtOnceOpenExactlyOneIncident() throws Exception {
    Service api = service("two-nodes", "");
    try (TocsinHarness second = anotherNode(Map.of("tocsin.secret-key", SECRET))) {
      fireAtOnce(List.of(tocsin, second), api, unique("TwoNodes"), 20);
      assertOneIncidentHolds(api, 20);
    }
  }

  /** Fires {@code count} alerts of one group at the same moment, spread over the nodes. */
  private static void fireAtOnce(List<TocsinHarness> nodes, Service api, String name, int count)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      TocsinHarness node = nodes.get(i % nodes.size());
      String body = "[" + alert(name, "instance", "i" + i) + "]";
      sent.add(
          pool.submit(
              () -> {
                start.await();
                return node.postJson("/api/v2/alerts", api.key, body).statusCode();
              }));
    }
    start.countDown();
    for (Future<Integer> status : sent) {
      assertThat(status.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    }
    pool.shutdown();
  }

  private static void assertOneIncidentHolds(Service api, int alerts) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                incidents("service=" + api.id).stream()
                        .mapToInt(i -> i.get("alertCount").asInt())
                        .sum()
                    == alerts);
    assertThat(incidents("service=" + api.id)).hasSize(1);
  }

  @Test
  void theUniqueOpenKeyRefusesASecondOpenIncidentEvenWithoutTheLock() {
    Service api = service("unique", "");
    IncidentIntake intake = tocsin.bean(IncidentIntake.class);
    TransactionTemplate transactions =
        new TransactionTemplate(tocsin.bean(PlatformTransactionManager.class));
    transactions.executeWithoutResult(
        s -> intake.open("first", "alertname=X", trigger(api, "first"), null));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                transactions.executeWithoutResult(
                    s -> intake.open("second", "alertname=X", trigger(api, "second"), null)))
        .isInstanceOf(DuplicateKeyException.class);
    assertThat(incidents("service=" + api.id)).hasSize(1);
  }

  private static IncidentIntake.Attachment trigger(Service service, String summary) {
    return new IncidentIntake.Attachment(
        java.util.UUID.randomUUID(),
        java.util.UUID.fromString(service.id),
        summary,
        summary,
        Severity.CRITICAL,
        AlertRole.TRIGGER,
        Instant.now());
  }

  @Test
  void theLifecycleRecordsMttaAndMttrAndRefusesMovesItDoesNotAllow() {
    Service api = service("life", "");
    fire(api, alert(unique("Lifecycle")));
    String id = onlyIncidentId(api);

    HttpResponse<String> acknowledged = patch(id, "{\"status\":\"ACKNOWLEDGED\"}");
    assertThat(acknowledged.statusCode()).as(acknowledged.body()).isEqualTo(200);
    assertThat(JSON.readTree(acknowledged.body()).get("status").asString())
        .as("any case in, canonical lower case out")
        .isEqualTo("acknowledged");

    HttpResponse<String> backwards = patch(id, "{\"status\":\"open\"}");
    assertThat(backwards.statusCode()).isEqualTo(409);
    JsonNode problem = JSON.readTree(backwards.body());
    assertThat(problem.get("status").asInt()).isEqualTo(409);
    assertThat(problem.get("detail").asString()).contains("acknowledged", "in_progress, resolved");
    assertThat(problem.get("currentStatus").asString()).isEqualTo("acknowledged");
    assertThat(problem.get("allowedStatuses").toString()).contains("in_progress", "resolved");

    HttpResponse<String> unknown = patch(id, "{\"status\":\"closed\"}");
    assertThat(unknown.statusCode()).isEqualTo(422);
    assertThat(unknown.body()).contains("allowedValues", "in_progress");

    HttpResponse<String> halfValid = patch(id, "{\"title\":\"Renamed\",\"status\":\"open\"}");
    assertThat(halfValid.statusCode()).isEqualTo(409);
    assertThat(detail(id).get("incident").get("title").asString())
        .as("a refused change leaves the other fields as they were")
        .doesNotContain("Renamed");

    assertThat(patch(id, "{\"status\":\"in_progress\"}").statusCode()).isEqualTo(200);
    assertThat(patch(id, "{\"status\":\"resolved\"}").statusCode()).isEqualTo(200);
    HttpResponse<String> reopened = patch(id, "{\"status\":\"acknowledged\"}");
    assertThat(reopened.statusCode()).isEqualTo(409);
    assertThat(JSON.readTree(reopened.body()).get("detail").asString()).contains("final");

    JsonNode metrics = get("/api/v1/incidents/" + id + "/metrics");
    assertThat(metrics.get("mttaSeconds").isNumber()).isTrue();
    assertThat(metrics.get("mttrSeconds").asLong())
        .isGreaterThanOrEqualTo(metrics.get("mttaSeconds").asLong());
    List<String> kinds = kinds(id);
    assertThat(kinds).containsSubsequence("opened", "acknowledged", "in_progress", "resolved");
  }

  @Test
  void theConsoleListsOpenBeforeAcknowledgedThenBySeverityAndPagesInThatOrder() {
    Service api = service("urgency", "");
    String acknowledgedCritical = unique("AckedCritical");
    String openWarning = unique("OpenWarning");
    String openCritical = unique("OpenCritical");
    String host = unique("db-host-");
    fire(api, alert(acknowledgedCritical, "severity", "critical", "instance", host));
    String acked = onlyIncidentId(api);
    assertThat(patch(acked, "{\"status\":\"acknowledged\"}").statusCode()).isEqualTo(200);
    fire(api, alert(openWarning, "severity", "warning"));
    awaitIncidents("service=" + api.id, 2);
    fire(api, alert(openCritical, "severity", "critical"));
    awaitIncidents("service=" + api.id, 3);
    IncidentQueries queries = tocsin.bean(IncidentQueries.class);
    IncidentQueries.Filter ofService =
        new IncidentQueries.Filter(null, java.util.UUID.fromString(api.id), null, null, null, null);

    io.tocsin.platform.Page<Incident> first = queries.mostUrgentFirst(ofService, null, null, 2);
    assertThat(first.items())
        .extracting(Incident::title)
        .as("open before acknowledged, critical before warning")
        .containsExactly(openCritical + " summary", openWarning + " summary");
    assertThat(first.nextCursor()).isNotNull();
    io.tocsin.platform.Page<Incident> second =
        queries.mostUrgentFirst(ofService, null, first.nextCursor(), 2);
    assertThat(second.items())
        .extracting(Incident::title)
        .containsExactly(acknowledgedCritical + " summary");
    assertThat(second.nextCursor()).isNull();
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> queries.mostUrgentFirst(ofService, null, "0.9." + acked, 2)))
        .isInstanceOf(io.tocsin.platform.InvalidInputException.class)
        .hasMessageContaining("cursor");

    JsonNode byApi = get("/api/v1/incidents?order=URGENCY&limit=2&service=" + api.id);
    assertThat(byApi.get("items").get(0).get("title").asString())
        .isEqualTo(openCritical + " summary");
    assertThat(byApi.get("items").get(1).get("title").asString())
        .isEqualTo(openWarning + " summary");
    JsonNode rest =
        get(
            "/api/v1/incidents?order=urgency&limit=2&service="
                + api.id
                + "&cursor="
                + byApi.get("nextCursor").asString());
    assertThat(rest.get("items")).hasSize(1);
    assertThat(rest.get("items").get(0).get("title").asString())
        .as("the API's cursor continues the order it came from")
        .isEqualTo(acknowledgedCritical + " summary");
    assertThat(rest.get("nextCursor").isNull()).isTrue();
    JsonNode searched = get("/api/v1/incidents?q=" + host);
    assertThat(searched.get("items")).hasSize(1);
    assertThat(searched.get("items").get(0).get("id").asString()).isEqualTo(acked);
    HttpResponse<String> unknownOrder = send("GET", "/api/v1/incidents?order=loudest", admin, null);
    assertThat(unknownOrder.statusCode()).isEqualTo(422);
    assertThat(unknownOrder.body()).contains("newest", "urgency");
    HttpResponse<String> forged =
        send("GET", "/api/v1/incidents?order=urgency&cursor=9.9.nothing", admin, null);
    assertThat(forged.statusCode()).as(forged.body()).isBetween(400, 499);

    IncidentQueries.Filter all = new IncidentQueries.Filter(null, null, null, null, null, null);
    assertThat(
            queries.mostUrgentFirst(all, host.toUpperCase(java.util.Locale.ROOT), null, 50).items())
        .extracting(Incident::title)
        .as("a label value, in any case")
        .containsExactly(acknowledgedCritical + " summary");
    assertThat(queries.mostUrgentFirst(all, "  " + openWarning + " ", null, 50).items())
        .extracting(Incident::title)
        .as("the title")
        .containsExactly(openWarning + " summary");
    assertThat(queries.mostUrgentFirst(all, api.name, null, 50).items())
        .as("the service's name")
        .hasSize(3);
    assertThat(queries.mostUrgentFirst(all, "instance", null, 50).items())
        .extracting(Incident::title)
        .as("a label's name alone finds nothing")
        .doesNotContain(acknowledgedCritical + " summary");
    assertThat(queries.mostUrgentFirst(all, api.name + "%", null, 50).items())
        .as("% is taken literally")
        .isEmpty();
  }

  @Test
  void resolvingStraightFromOpenMakesMttaEqualMttr() {
    Service api = service("direct", "");
    fire(api, alert(unique("Direct")));
    String id = onlyIncidentId(api);
    assertThat(patch(id, "{\"status\":\"resolved\"}").statusCode()).isEqualTo(200);
    JsonNode metrics = get("/api/v1/incidents/" + id + "/metrics");
    assertThat(metrics.get("mttaSeconds").asLong()).isEqualTo(metrics.get("mttrSeconds").asLong());
    assertThat(metrics.get("acknowledgedAt").asString())
        .isEqualTo(metrics.get("resolvedAt").asString());
  }

  @Test
  void anIncidentResolvesItselfWhenEveryAlertHasResolvedUnlessItsServiceSaysNo() {
    Service auto = service("auto", "");
    Service manual = service("manual", "\"autoResolve\":false");
    String name = unique("AutoResolve");
    fire(auto, alert(name, "instance", "a"));
    fire(auto, alert(name, "instance", "b"));
    fire(manual, alert(name, "instance", "a"));
    String autoId = onlyIncidentId(auto);
    String manualId = onlyIncidentId(manual);
    await().atMost(WAIT).until(() -> incident(autoId).get("alertCount").asInt() == 2);

    resolve(auto, alert(name, "instance", "a"));
    await().atMost(WAIT).until(() -> incident(autoId).get("firingAlertCount").asInt() == 1);
    assertThat(incident(autoId).get("status").asString()).isEqualTo("open");

    resolve(auto, alert(name, "instance", "b"));
    resolve(manual, alert(name, "instance", "a"));
    await().atMost(WAIT).until(() -> incident(autoId).get("status").asString().equals("resolved"));
    assertThat(incident(autoId).get("resolvedBy").asString()).isEqualTo("Tocsin");
    assertThat(get("/api/v1/incidents/" + autoId + "/metrics").get("mttrSeconds").isNumber())
        .isTrue();
    await().atMost(WAIT).until(() -> incident(manualId).get("firingAlertCount").asInt() == 0);
    assertThat(incident(manualId).get("status").asString()).isEqualTo("open");
  }

  @Test
  void anAlertFiringAgainWithinTheFlapWindowOpensARecurrence() {
    Service api = service("flappy", "\"flapWindowMinutes\":60");
    String name = unique("Flapping");
    fire(api, alert(name));
    String first = onlyIncidentId(api);
    resolve(api, alert(name));
    await().atMost(WAIT).until(() -> incident(first).get("status").asString().equals("resolved"));

    fire(api, alert(name));
    JsonNode second = awaitIncidents("service=" + api.id + "&status=open", 1).get(0);
    assertThat(second.get("id").asString()).isNotEqualTo(first);
    assertThat(second.get("recurrenceOf").get("id").asString()).isEqualTo(first);
  }

  @Test
  void anAlertAddedWithGosZeroTimesFiresOpensAnIncidentAndNeverShowsTheYearOne() {
    Service api = service("zero-time", "");
    String name = unique("AddedByAmtool");
    Instant sent = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    // What amtool alert add posts when it is given no times.
    fire(
        api,
        "{\"labels\":{\"alertname\":\""
            + name
            + "\",\"severity\":\"critical\"},\"annotations\":{},\"generatorURL\":\"\","
            + "\"startsAt\":\"0001-01-01T00:00:00.000Z\",\"endsAt\":\"0001-01-01T00:00:00.000Z\"}");

    JsonNode incident = awaitIncidents("service=" + api.id, 1).get(0);
    assertThat(incident.get("status").asString()).isEqualTo("open");
    HttpResponse<String> listed = send("GET", "/api/v2/alerts", api.key, null);
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.body()).doesNotContain("0001-01-01");
    JsonNode stored = null;
    for (JsonNode each : JSON.readTree(listed.body())) {
      if (name.equals(each.get("labels").get("alertname").asString())) {
        stored = each;
      }
    }
    assertThat(stored).as("amtool alert query lists it as active").isNotNull();
    assertThat(stored.get("status").get("state").asString()).isEqualTo("active");
    assertThat(Instant.parse(stored.get("startsAt").asString()))
        .as("received now")
        .isAfterOrEqualTo(sent);
    assertThat(Instant.parse(stored.get("endsAt").asString()))
        .as("Alertmanager's resolve timeout, 5 minutes, from when it was received")
        .isBetween(sent.plus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofMinutes(5)));
    assertThat(
            send(
                    "GET",
                    "/api/v1/incidents/" + incident.get("id").asString() + "/alerts",
                    admin,
                    null)
                .body())
        .doesNotContain("0001-01-01");
  }

  @Test
  void alertsWithAlertnamesOfThousandsOfCharactersOpenIncidentsTheirOwn() {
    Service api = service("long-names", "");
    // Longer than a database index row takes, and the same for their first 3,000 characters.
    String shared = "X".repeat(3000);
    fire(api, alert(shared + "A"));
    fire(api, alert(shared + "B"));

    List<JsonNode> opened = awaitIncidents("service=" + api.id, 2);
    assertThat(opened).extracting(i -> i.get("status").asString()).containsOnly("open");
    assertThat(detail(opened.get(0).get("id").asString()).get("groupKey").asString())
        .startsWith("alertname=XXX")
        .hasSizeLessThan(400);
  }

  @Test
  void silencedAlertsOpenNothingAndInhibitedOnesJoinTheirSourcesIncident() {
    Service db = service("silenced-db", "");
    Service web = service("silenced-web", "");
    String quiet = unique("Quiet");
    Instant now = Instant.now();
    HttpResponse<String> silence =
        send(
            "POST",
            "/api/v1/silences",
            admin,
            """
            {"matchers":[{"name":"alertname","operator":"=","value":"%s"}],
             "endsAt":"%s","comment":"test"}
            """
                .formatted(quiet, now.plus(Duration.ofHours(1))));
    assertThat(silence.statusCode()).as(silence.body()).isEqualTo(201);
    String source = unique("DbDown");
    String target = unique("WebErrors");
    HttpResponse<String> rule =
        send(
            "POST",
            "/api/v1/inhibition-rules",
            admin,
            """
            {"name":"%s","sourceMatchers":[{"name":"alertname","operator":"=","value":"%s"}],
             "targetMatchers":[{"name":"alertname","operator":"=","value":"%s"}],
             "equal":["cluster"]}
            """
                .formatted(source, source, target));
    assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);

    fire(db, alert(quiet));
    fire(db, alert(source, "cluster", "eu"));
    String dbIncident = onlyIncidentId(db);
    fire(web, alert(target, "cluster", "eu"));
    fire(web, alert(target, "cluster", "us"));

    List<JsonNode> webIncidents = awaitIncidents("service=" + web.id, 1);
    assertThat(webIncidents.get(0).get("title").asString())
        .as("the alert of another cluster is not inhibited")
        .isEqualTo(target + " summary");
    await().atMost(WAIT).until(() -> incident(dbIncident).get("alertCount").asInt() == 2);
    JsonNode alerts = get("/api/v1/incidents/" + dbIncident + "/alerts");
    assertThat(alerts.get("items").get(1).get("role").asString()).isEqualTo("inhibited");
    assertThat(incidents("service=" + db.id)).as("the silenced alert opened nothing").hasSize(1);
    send(
        "DELETE",
        "/api/v1/inhibition-rules/" + JSON.readTree(rule.body()).get("id").asString(),
        admin,
        null);
  }

  @Test
  void anAlertStillFiringWhenItsSilenceEndsOpensAnIncident() {
    Service api = service("after-silence", "");
    String name = unique("Maintenance");
    HttpResponse<String> window =
        send(
            "POST",
            "/api/v1/maintenance-windows",
            admin,
            "{\"services\":[\"%s\"],\"endsAt\":\"%s\",\"comment\":\"upgrade\"}"
                .formatted(api.id, Instant.now().plus(Duration.ofHours(1))));
    assertThat(window.statusCode()).as(window.body()).isEqualTo(201);
    double silencedBefore = silencedCount();
    fire(api, alert(name));
    await().atMost(WAIT).until(() -> silencedCount() > silencedBefore);
    assertThat(incidents("service=" + api.id)).as("silenced: no incident").isEmpty();

    String silence = JSON.readTree(window.body()).get("id").asString();
    assertThat(send("DELETE", "/api/v1/silences/" + silence, admin, null).statusCode())
        .isEqualTo(200);
    JsonNode opened = awaitIncidents("service=" + api.id, 1).get(0);
    assertThat(opened.get("title").asString()).isEqualTo(name + " summary");
  }

  @Test
  void aBatchDeliveredAgainAfterItsAlertWasReleasedChangesNothing() {
    Service api = service("redelivered", "");
    Map<String, String> generic =
        tocsin.createIntegration(admin.substring(7), api.id, "gen-" + api.name, "generic");
    String silence = maintenance(api);
    double silencedBefore = silencedCount();
    HttpResponse<String> sent =
        send(
            "POST",
            "/api/v1/alerts",
            "Bearer " + generic.get("key"),
            "{\"summary\":\"Redelivered\",\"dedupKey\":\"" + unique("r") + "\"}");
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
    JsonNode stored = JSON.readTree(sent.body()).get("alerts").get(0);
    await().atMost(WAIT).until(() -> silencedCount() > silencedBefore);

    // The same batch again, as redelivery hands it over when a node died mid-way.
    AlertsChanged again =
        new AlertsChanged(
            List.of(
                new AlertChange.AlertFired(
                    java.util.UUID.fromString(stored.get("id").asString()),
                    java.util.UUID.fromString(generic.get("id")),
                    java.util.UUID.fromString(api.id),
                    stored.get("fingerprint").asString(),
                    Severity.WARNING,
                    "Redelivered",
                    Map.of(),
                    Instant.now(),
                    null,
                    null,
                    null,
                    null)));
    assertThat(send("DELETE", "/api/v1/silences/" + silence, admin, null).statusCode())
        .isEqualTo(200);
    publish(again);
    JsonNode opened = awaitIncidents("service=" + api.id, 1).get(0);
    publish(again);

    // A later release still works: the recheck is not stuck on the first alert.
    String second = maintenance(api);
    String name = unique("Later");
    double before = silencedCount();
    fire(api, alert(name));
    await().atMost(WAIT).until(() -> silencedCount() > before);
    send("DELETE", "/api/v1/silences/" + second, admin, null);
    await()
        .atMost(WAIT)
        .until(
            () ->
                incidents("service=" + api.id).stream()
                    .anyMatch(i -> i.get("title").asString().equals(name + " summary")));
    assertThat(incident(opened.get("id").asString()).get("alertCount").asInt())
        .as("attached once, whatever was delivered twice")
        .isEqualTo(1);
  }

  private static String maintenance(Service service) {
    HttpResponse<String> window =
        send(
            "POST",
            "/api/v1/maintenance-windows",
            admin,
            "{\"services\":[\"%s\"],\"endsAt\":\"%s\",\"comment\":\"upgrade\"}"
                .formatted(service.id, Instant.now().plus(Duration.ofHours(1))));
    assertThat(window.statusCode()).as(window.body()).isEqualTo(201);
    return JSON.readTree(window.body()).get("id").asString();
  }

  private static void publish(Object event) {
    new TransactionTemplate(tocsin.bean(PlatformTransactionManager.class))
        .executeWithoutResult(status -> tocsin.publishEvent(event));
  }

  @Test
  void incidentAlertsPageWithACursor() {
    Service api = service("paged", "");
    String name = unique("Paged");
    StringBuilder alerts = new StringBuilder("[");
    for (int i = 0; i < 5; i++) {
      alerts.append(i == 0 ? "" : ",").append(alert(name, "instance", "i" + i));
    }
    assertThat(send("POST", "/api/v2/alerts", api.key, alerts + "]").statusCode()).isEqualTo(200);
    String id = onlyIncidentId(api);
    await().atMost(WAIT).until(() -> incident(id).get("alertCount").asInt() == 5);
    List<String> seen = new ArrayList<>();
    String cursor = "";
    do {
      JsonNode page =
          get(
              "/api/v1/incidents/"
                  + id
                  + "/alerts?limit=2"
                  + (cursor.isEmpty() ? "" : "&cursor=" + cursor));
      page.get("items").forEach(a -> seen.add(a.get("alertId").asString()));
      cursor = page.get("nextCursor").isNull() ? "" : page.get("nextCursor").asString();
    } while (!cursor.isEmpty());
    assertThat(seen).hasSize(5).doesNotHaveDuplicates();
    assertThat(get("/api/v1/incidents/" + id + "/alerts?status=resolved").get("items")).isEmpty();
    assertThat(
            send("GET", "/api/v1/incidents/" + id + "/alerts?status=gone", admin, null)
                .statusCode())
        .isEqualTo(422);
    HttpResponse<String> badMerge =
        send("POST", "/api/v1/incidents/" + id + "/merge", admin, "{\"incidents\":[null]}");
    assertThat(badMerge.statusCode()).isEqualTo(422);
    assertThat(
            send(
                    "POST",
                    "/api/v1/incidents/" + id + "/merge",
                    admin,
                    "{\"incidents\":[\"987654\"]}")
                .statusCode())
        .isEqualTo(422);
  }

  @Test
  void symptomsAttachToTheirDependencysIncidentAndEarlierOnesAreMergedIntoIt() {
    Service db = service("dep-db", "");
    Service api = service("dep-api", "\"dependencies\":[\"" + db.id + "\"]");
    Service web = service("dep-web", "\"dependencies\":[\"" + api.id + "\"]");
    String early = unique("WebSlow");
    fire(web, alert(early));
    String webIncident = onlyIncidentId(web);

    HttpResponse<String> deploy =
        send(
            "POST",
            "/v2/change/enqueue",
            null,
            "{\"routing_key\":\"%s\",\"payload\":{\"summary\":\"postgres 16.4 rolled out\"}}"
                .formatted(db.pagerDutyKey()));
    assertThat(deploy.statusCode()).as(deploy.body()).isEqualTo(202);
    fire(db, alert(unique("DatabaseUnavailable")));
    JsonNode dbIncident = awaitIncidents("service=" + db.id, 1).get(0);
    String dbId = dbIncident.get("id").asString();
    await()
        .atMost(WAIT)
        .until(() -> incident(webIncident).get("status").asString().equals("resolved"));
    assertThat(incident(webIncident).get("mergedInto").get("id").asString()).isEqualTo(dbId);

    fire(api, alert(unique("ApiErrors")));
    await().atMost(WAIT).until(() -> incident(dbId).get("alertCount").asInt() == 3);
    assertThat(incidents("service=" + api.id)).as("the symptom opened nothing").isEmpty();
    JsonNode detail = detail(dbId);
    assertThat(detail.get("incident").get("probableCause").get("name").asString())
        .isEqualTo(db.name);
    List<String> affected = new ArrayList<>();
    detail.get("affectedServices").forEach(s -> affected.add(s.get("name").asString()));
    assertThat(affected).containsExactly(db.name, api.name, web.name);
    assertThat(kinds(dbId)).contains("merged_from", "alerts_attached");
    assertThat(detail.get("recentChanges").get(0).get("summary").asString())
        .as("the change to the probable cause before the incident opened")
        .isEqualTo("postgres 16.4 rolled out");
  }

  @Test
  void notesStatusUpdatesAssignmentAndManualMergeAreRecorded() {
    Service api = service("notes", "");
    fire(api, alert(unique("First")));
    fire(api, alert(unique("Second")));
    List<JsonNode> open = awaitIncidents("service=" + api.id, 2);
    String target = open.get(0).get("id").asString();
    String source = open.get(1).get("id").asString();

    assertThat(
            send("POST", "/api/v1/incidents/" + target + "/notes", admin, "{\"body\":\"Looking\"}")
                .statusCode())
        .isEqualTo(201);
    HttpResponse<String> update =
        send(
            "POST",
            "/api/v1/incidents/" + target + "/status-updates",
            admin,
            "{\"phase\":\"Identified\",\"message\":\"Bad deploy\"}");
    assertThat(update.statusCode()).as(update.body()).isEqualTo(201);
    assertThat(JSON.readTree(update.body()).get("phase").asString()).isEqualTo("identified");
    assertThat(
            send(
                    "POST",
                    "/api/v1/incidents/" + target + "/status-updates",
                    admin,
                    "{\"phase\":\"fixed\",\"message\":\"x\"}")
                .statusCode())
        .isEqualTo(422);
    String me =
        JSON.readTree(send("GET", "/api/v1/users/me", admin, null).body()).get("id").asString();
    assertThat(patch(target, "{\"assigneeId\":\"" + me + "\"}").statusCode()).isEqualTo(200);
    assertThat(
            send(
                    "POST",
                    "/api/v1/incidents/" + target + "/merge",
                    admin,
                    "{\"incidents\":[\"" + open.get(1).get("number").asLong() + "\"]}")
                .statusCode())
        .isEqualTo(200);

    JsonNode detail = detail(target);
    assertThat(detail.get("notes").get(0).get("message").asString()).isEqualTo("Looking");
    assertThat(detail.get("statusUpdates").get(0).get("message").asString())
        .isEqualTo("Bad deploy");
    assertThat(detail.get("incident").get("assigneeId").asString()).isEqualTo(me);
    assertThat(detail.get("incident").get("alertCount").asInt()).isEqualTo(2);
    assertThat(incident(source).get("mergedInto").get("id").asString()).isEqualTo(target);
    assertThat(kinds(target)).contains("note", "status_update", "assigned", "merged_from");
    assertThat(get("/api/v1/incidents?assignee=" + me).get("items")).hasSize(1);
  }

  @Test
  void aPagerDutyAcknowledgeAcknowledgesTheIncidentAndItsResolveResolvesIt() {
    Service api = service("pd", "");
    String integration = api.pagerDutyKey();
    String dedup = unique("dedup");
    HttpResponse<String> triggered =
        send(
            "POST",
            "/v2/enqueue",
            null,
            """
            {"routing_key":"%s","event_action":"trigger","dedup_key":"%s",
             "payload":{"summary":"Disk full","source":"host-1","severity":"critical"}}
            """
                .formatted(integration, dedup));
    assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(202);
    String id = onlyIncidentId(api);
    send(
        "POST",
        "/v2/enqueue",
        null,
        "{\"routing_key\":\"%s\",\"event_action\":\"acknowledge\",\"dedup_key\":\"%s\"}"
            .formatted(integration, dedup));
    await().atMost(WAIT).until(() -> incident(id).get("status").asString().equals("acknowledged"));
    send(
        "POST",
        "/v2/enqueue",
        null,
        "{\"routing_key\":\"%s\",\"event_action\":\"resolve\",\"dedup_key\":\"%s\"}"
            .formatted(integration, dedup));
    await().atMost(WAIT).until(() -> incident(id).get("status").asString().equals("resolved"));
  }

  @Test
  void aPagerDutyEventsCustomDetailsLinksAndImagesAreShownWithItsIncidentsAlerts() {
    Service api = service("pd-details", "");
    String dedup = unique("disk-db-");
    HttpResponse<String> triggered =
        send(
            "POST",
            "/v2/enqueue",
            null,
            """
            {"routing_key":"%s","event_action":"trigger","dedup_key":"%s",
             "payload":{"summary":"Disk full","source":"db-1","severity":"critical",
                        "custom_details":{"free":"0 bytes","mounts":{"/var":"100%%"}}},
             "links":[{"href":"https://grafana.example.com/d/disk","text":"Disk dashboard"}],
             "images":[{"src":"https://grafana.example.com/render/disk.png",
                        "href":"https://grafana.example.com/d/disk","alt":"Disk usage"},
                       {"alt":"no source"}]}
            """
                .formatted(api.pagerDutyKey(), dedup));
    assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(202);
    String id = onlyIncidentId(api);

    JsonNode alert = detail(id).get("alerts").get("items").get(0).get("details");
    assertThat(alert.get("dedupKey").asString()).isEqualTo(dedup);
    assertThat(alert.get("details").toString())
        .isEqualTo("{\"free\":\"0 bytes\",\"mounts\":{\"/var\":\"100%\"}}");
    assertThat(alert.get("links").toString())
        .isEqualTo(
            "[{\"href\":\"https://grafana.example.com/d/disk\",\"text\":\"Disk dashboard\"}]");
    assertThat(alert.get("images").toString())
        .as("an image without a source is left out")
        .isEqualTo(
            "[{\"src\":\"https://grafana.example.com/render/disk.png\","
                + "\"href\":\"https://grafana.example.com/d/disk\",\"alt\":\"Disk usage\"}]");
    assertThat(get("/api/v1/incidents/" + id + "/alerts").get("items").get(0).get("details"))
        .isEqualTo(alert);
  }

  @Test
  void aResolvedIncidentGetsAPostmortemStartedFromItsTimelineAndExportedAsMarkdown() {
    Service api = service("postmortem", "");
    fire(api, alert(unique("Outage")));
    JsonNode incident = awaitIncidents("service=" + api.id, 1).get(0);
    String id = incident.get("id").asString();
    String path = "/api/v1/incidents/" + id + "/postmortem";
    HttpResponse<String> tooEarly = send("POST", path, admin, "{}");
    assertThat(tooEarly.statusCode()).isEqualTo(409);
    assertThat(tooEarly.body()).contains("once it is resolved");
    assertThat(patch(id, "{\"status\":\"resolved\"}").statusCode()).isEqualTo(200);

    HttpResponse<String> created =
        send("POST", path, admin, "{\"summary\":\"The database filled its disk.\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode postmortem = JSON.readTree(created.body());
    assertThat(postmortem.get("status").asString()).isEqualTo("draft");
    assertThat(postmortem.get("timeline").toString()).contains("Opened by", "Resolved");
    assertThat(postmortem.get("checklist").get("root_cause_identified").asBoolean()).isFalse();
    assertThat(send("POST", path, admin, "{}").statusCode()).as("one per incident").isEqualTo(409);

    String me =
        JSON.readTree(send("GET", "/api/v1/users/me", admin, null).body()).get("id").asString();
    HttpResponse<String> badItem =
        send("PATCH", path, admin, "{\"checklist\":{\"coffee_drunk\":true}}");
    assertThat(badItem.statusCode()).isEqualTo(422);
    assertThat(badItem.body()).contains("lessons_shared");
    HttpResponse<String> noOwner =
        send(
            "PATCH",
            path,
            admin,
            "{\"followUps\":[{\"description\":\"Alert on disk\",\"ownerId\":\""
                + java.util.UUID.randomUUID()
                + "\"}]}");
    assertThat(noOwner.statusCode()).isEqualTo(422);
    HttpResponse<String> noText =
        send("PATCH", path, admin, "{\"timeline\":[{\"at\":\"2026-01-01T00:00:00Z\"}]}");
    assertThat(noText.statusCode()).as(noText.body()).isEqualTo(422);
    assertThat(noText.body()).contains("timeline[0].text");
    HttpResponse<String> changed =
        send(
            "PATCH",
            path,
            admin,
            """
            {"status":"IN_REVIEW","rootCause":"No disk alert.","checklist":{"Root_Cause_Identified":true},
             "followUps":[{"description":"Alert at 80 percent disk","ownerId":"%s","dueDate":"2026-12-24"},
                          {"description":"Grow the volume","done":true}]}
            """
                .formatted(me));
    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    JsonNode saved = get(path);
    assertThat(saved.get("status").asString()).isEqualTo("in_review");
    assertThat(saved.get("summary").asString()).isEqualTo("The database filled its disk.");
    assertThat(saved.get("followUps")).hasSize(2);

    HttpResponse<String> markdown = send("GET", path + ".md", admin, null);
    assertThat(markdown.statusCode()).isEqualTo(200);
    assertThat(markdown.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/markdown");
    assertThat(markdown.body())
        .startsWith("# Postmortem: #" + incident.get("number").asLong())
        .contains("## Root cause\n\nNo disk alert.")
        .contains("- [ ] Alert at 80 percent disk — owner: " + EMAIL + " — due 2026-12-24")
        .contains("- [x] Grow the volume")
        .contains("- [x] Root cause identified")
        .contains("- [ ] Fix verified")
        .contains("| Probable cause | " + api.name + " |");
  }

  @Test
  void statsCountIncidentsAndTheirTimesPerServiceAndSeverity() {
    Service api = service("stats", "");
    fire(api, alert(unique("StatsA"), "severity", "critical"));
    fire(api, alert(unique("StatsB"), "severity", "warning"));
    List<JsonNode> open = awaitIncidents("service=" + api.id, 2);
    assertThat(
            patch(open.get(0).get("id").asString(), "{\"status\":\"acknowledged\"}").statusCode())
        .isEqualTo(200);
    assertThat(patch(open.get(0).get("id").asString(), "{\"status\":\"resolved\"}").statusCode())
        .isEqualTo(200);

    JsonNode stats = get("/api/v1/incidents/stats?service=" + api.id);
    assertThat(stats.get("opened").asInt()).isEqualTo(2);
    assertThat(stats.get("stillOpen").asInt()).isEqualTo(1);
    assertThat(stats.get("mtta").get("count").asInt()).isEqualTo(1);
    assertThat(stats.get("mttr").get("count").asInt()).isEqualTo(1);
    assertThat(stats.get("mttr").get("p90Seconds").isNumber()).isTrue();
    assertThat(stats.get("byService").get(0).get("name").asString()).isEqualTo(api.name);
    assertThat(stats.get("bySeverity").toString()).contains("critical", "warning");
    assertThat(
            get("/api/v1/incidents/stats?service="
                    + api.id
                    + "&until="
                    + Instant.now().minusSeconds(3600))
                .get("opened")
                .asInt())
        .isZero();
    assertThat(
            send(
                    "GET",
                    "/api/v1/incidents/stats?since=2030-01-01T00:00:00Z&until=2029-01-01T00:00:00Z",
                    admin,
                    null)
                .statusCode())
        .isEqualTo(422);
  }

  @Test
  void badRequestsAreAnsweredWithProblemsAndChangeNothing() {
    assertThat(send("GET", "/api/v1/incidents/999999", admin, null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/api/v1/incidents/nonsense", admin, null).statusCode()).isEqualTo(404);
    HttpResponse<String> badFilter = send("GET", "/api/v1/incidents?status=burning", admin, null);
    assertThat(badFilter.statusCode()).isEqualTo(422);
    assertThat(badFilter.body()).contains("acknowledged");
    assertThat(send("GET", "/api/v1/incidents", null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void incidentMetricsAreExposed() {
    Service api = service("metrics", "");
    fire(api, alert(unique("Measured"), "severity", "critical"));
    awaitIncidents("service=" + api.id, 1);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(tocsin.get("/actuator/prometheus").body())
                    .contains("tocsin_incidents_opened_total{severity=\"critical\"}")
                    .contains("tocsin_incidents{status=\"open\"}")
                    .contains("tocsin_alerts_correlated_total{result=\"opened\"}")
                    .contains("tocsin_incident_mttr_seconds_bucket"));
  }

  private static double silencedCount() {
    return tocsin
        .get("/actuator/prometheus")
        .body()
        .lines()
        .filter(l -> l.startsWith("tocsin_alerts_correlated_total{result=\"silenced\"}"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private record Service(String id, String name, String key) {

    String pagerDutyKey() {
      return tocsin.createIntegration(admin.substring(7), id, "pd-" + name, "pagerduty").get("key");
    }
  }

  @Test
  void acknowledgingAnUnassignedIncidentAssignsItToWhoeverAcknowledged() {
    Service api = service("ack-assigns", "");
    fire(api, alert(unique("Down")));
    String id = onlyIncidentId(api);

    HttpResponse<String> acknowledged = patch(id, "{\"status\":\"Acknowledged\"}");

    assertThat(acknowledged.statusCode()).as(acknowledged.body()).isEqualTo(200);
    JsonNode incident = JSON.readTree(acknowledged.body());
    assertThat(incident.get("assigneeId").asString()).isEqualTo(adminId());
    assertThat(messages(id)).contains("Assigned to " + EMAIL + " (acknowledged it)");
  }

  @Test
  void acknowledgingAnAssignedIncidentLeavesItsAssignee() {
    Service api = service("ack-keeps", "");
    fire(api, alert(unique("Down")));
    String id = onlyIncidentId(api);
    String bob = HarnessTests.api.user("Bob");
    assertThat(patch(id, "{\"assigneeId\":\"" + bob + "\"}").statusCode()).isEqualTo(200);

    JsonNode incident = JSON.readTree(patch(id, "{\"status\":\"acknowledged\"}").body());

    assertThat(incident.get("assigneeId").asString()).isEqualTo(bob);
  }

  @Test
  void aDeclaredIncidentIsOpenOnItsServiceAndItsTimelineSaysWhoDeclaredIt() {
    Service api = service("declared", "");

    HttpResponse<String> declared =
        send(
            "POST",
            "/api/v1/incidents",
            admin,
            """
            {"title":"Checkout is slow for EU customers","service":"%s","severity":"Error",
             "description":"Support has three tickets; no alert fired."}
            """
                .formatted(api.name));

    assertThat(declared.statusCode()).as(declared.body()).isEqualTo(201);
    JsonNode incident = JSON.readTree(declared.body());
    String id = incident.get("id").asString();
    assertThat(declared.headers().firstValue("Location")).hasValue("/api/v1/incidents/" + id);
    assertThat(incident.get("status").asString()).isEqualTo("open");
    assertThat(incident.get("severity").asString()).isEqualTo("error");
    assertThat(incident.get("service").get("id").asString()).isEqualTo(api.id);
    assertThat(incident.get("title").asString()).isEqualTo("Checkout is slow for EU customers");
    assertThat(incident.get("alertCount").asInt()).isZero();
    assertThat(kinds(id)).first().isEqualTo("declared");
    assertThat(messages(id))
        .contains("Declared by " + EMAIL + ": Support has three tickets; no alert fired.");

    JsonNode assigned =
        JSON.readTree(
            send(
                    "POST",
                    "/api/v1/incidents",
                    admin,
                    "{\"title\":\"Second\",\"service\":\""
                        + api.id
                        + "\",\"assignee\":\""
                        + EMAIL
                        + "\"}")
                .body());
    assertThat(assigned.get("assigneeId").asString()).isEqualTo(adminId());
    assertThat(assigned.get("severity").asString()).as("the default").isEqualTo("critical");
  }

  @Test
  void declaringRefusesAnUnknownServiceAnUnknownSeverityAndAMissingTitle() {
    Service api = service("declare-refused", "");

    HttpResponse<String> noService =
        send("POST", "/api/v1/incidents", admin, "{\"title\":\"x\",\"service\":\"nope\"}");
    HttpResponse<String> badSeverity =
        send(
            "POST",
            "/api/v1/incidents",
            admin,
            "{\"title\":\"x\",\"service\":\"" + api.id + "\",\"severity\":\"apocalyptic\"}");
    HttpResponse<String> noTitle =
        send("POST", "/api/v1/incidents", admin, "{\"service\":\"" + api.id + "\"}");

    assertThat(noService.statusCode()).as(noService.body()).isEqualTo(422);
    assertThat(noService.body()).contains("there is no service 'nope'");
    assertThat(badSeverity.statusCode()).as(badSeverity.body()).isEqualTo(422);
    assertThat(badSeverity.body()).contains("critical", "error", "warning", "info");
    assertThat(noTitle.statusCode()).as(noTitle.body()).isEqualTo(422);
    assertThat(noTitle.body()).contains("title");
    assertThat(incidents("service=" + api.id)).isEmpty();
  }

  private static String adminId() {
    JsonNode users = get("/api/v1/users?limit=200").get("items");
    for (JsonNode user : users) {
      if (user.get("email").asString().equals(EMAIL)) {
        return user.get("id").asString();
      }
    }
    throw new AssertionError("no user " + EMAIL);
  }

  private static List<String> messages(String id) {
    List<String> messages = new ArrayList<>();
    get("/api/v1/incidents/" + id + "/timeline")
        .get("items")
        .forEach(e -> messages.add(e.get("message").asString()));
    return messages;
  }

  private static Service service(String prefix, String extra) {
    String name = prefix + "-" + SEQUENCE.incrementAndGet();
    HttpResponse<String> created =
        send(
            "POST",
            "/api/v1/services",
            admin,
            "{\"name\":\"" + name + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = JSON.readTree(created.body()).get("id").asString();
    String key =
        "Bearer "
            + tocsin
                .createIntegration(admin.substring(7), id, "am-" + name, "alertmanager")
                .get("key");
    return new Service(id, name, key);
  }

  private static String unique(String name) {
    return name + SEQUENCE.incrementAndGet();
  }

  private static String alert(String name, String... labels) {
    StringBuilder json = new StringBuilder("{\"alertname\":\"" + name + "\"");
    for (int i = 0; i < labels.length; i += 2) {
      json.append(",\"").append(labels[i]).append("\":\"").append(labels[i + 1]).append("\"");
    }
    return "{\"labels\":" + json + "},\"annotations\":{\"summary\":\"" + name + " summary\"}}";
  }

  /** Sends the alerts in one request, as Alertmanager sends a group. */
  private static void fire(Service service, String... alerts) {
    HttpResponse<String> sent =
        send("POST", "/api/v2/alerts", service.key, "[" + String.join(",", alerts) + "]");
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
  }

  private static void resolve(Service service, String alert) {
    String ended =
        alert.substring(0, alert.length() - 1)
            + ",\"endsAt\":\""
            + Instant.now().minusSeconds(1)
            + "\"}";
    fire(service, ended);
  }

  private static List<JsonNode> incidents(String query) {
    List<JsonNode> found = new ArrayList<>();
    get("/api/v1/incidents?limit=200&" + query).get("items").forEach(found::add);
    return found;
  }

  /** Waits until {@code service} has exactly one incident, and returns its id. */
  private static String onlyIncidentId(Service service) {
    return awaitIncidents("service=" + service.id, 1).get(0).get("id").asString();
  }

  private static List<JsonNode> awaitIncidents(String query, int count) {
    List<JsonNode> newestFirst =
        await().atMost(WAIT).until(() -> incidents(query), found -> found.size() == count);
    List<JsonNode> oldestFirst = new ArrayList<>(newestFirst);
    java.util.Collections.reverse(oldestFirst);
    return oldestFirst;
  }

  private static JsonNode byGroupKey(List<JsonNode> incidents, String groupKey) {
    return incidents.stream()
        .filter(i -> detail(i.get("id").asString()).get("groupKey").asString().equals(groupKey))
        .findFirst()
        .orElseThrow();
  }

  private static JsonNode incident(String id) {
    return detail(id).get("incident");
  }

  private static JsonNode detail(String id) {
    return get("/api/v1/incidents/" + id);
  }

  private static List<String> kinds(String id) {
    List<String> kinds = new ArrayList<>();
    get("/api/v1/incidents/" + id + "/timeline")
        .get("items")
        .forEach(e -> kinds.add(e.get("kind").asString()));
    return kinds;
  }

  private static JsonNode get(String path) {
    HttpResponse<String> response = send("GET", path, admin, null);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> patch(String id, String body) {
    return send("PATCH", "/api/v1/incidents/" + id, admin, body);
  }

  private static HttpResponse<String> send(
      String method, String path, String authorization, String body) {
    return tocsin.send(method, path, authorization, body);
  }
}
