package io.tocsin.oncall;

import static io.tocsin.testing.Api.level;
import static io.tocsin.testing.Api.userTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.incident.Actor;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentIntake;
import io.tocsin.incident.IncidentOpened;
import io.tocsin.incident.Incidents;
import io.tocsin.platform.Severity;
import io.tocsin.testing.Api;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestClock;
import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.test.util.AopTestUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Escalation runs through the API, on a clock the tests move: levels time out, policies repeat and
 * end, acknowledgements stop them, responders escalate and reassign by hand.
 */
class EscalationIntegrationTests extends HarnessTests {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final TestClock CLOCK = PagingTestConfiguration.CLOCK;

  private static String alice;
  private static String bob;
  private static String carol;

  @Override
  protected Map<String, Object> settings() {
    return Map.of(
        "tocsin.escalation.poll-interval",
        "50ms",
        // The token bucket refills with the test's clock, which stands still between steps.
        "tocsin.rate-limit.api-token-per-minute",
        "1000000",
        // Alerts sent once, without endsAt, must outlive the hours this clock moves.
        "tocsin.ingest.resolve-timeout",
        "30d");
  }

  @Override
  protected Class<?>[] sources() {
    return new Class<?>[] {PagingTestConfiguration.class};
  }

  @Override
  protected void seed() {
    alice = api.user("Alice");
    bob = api.user("Bob");
    carol = api.user("Carol");
  }

  @Test
  void anUnacknowledgedIncidentClimbsEveryLevelRepeatsAndThenTheRunEnds() {
    double exhaustedBefore = api.metric("tocsin_escalations_exhausted_total");
    double levelTwoBefore = api.metric("tocsin_pages_requested_total{level=\"2\"}");
    String primary = alwaysOnCall(bob);
    Api.Service service =
        serviceWithPolicy(
            1,
            level(5, userTarget(alice)),
            level(10, "{\"type\":\"SCHEDULE\",\"id\":\"" + primary + "\"}"));
    String incident = open(service);

    JsonNode first = awaitSteps(incident, 1);
    Instant openedAt = Instant.parse(first.get("startedAt").asString());
    assertThat(paged(first, 0)).containsExactly(alice);
    assertThat(first.get("steps").get(0).get("paged").get(0).get("via").asString())
        .isEqualTo("directly");
    assertThat(first.get("status").asString()).isEqualTo("active");
    assertThat(Instant.parse(first.get("nextAt").asString()))
        .isEqualTo(openedAt.plus(Duration.ofMinutes(5)));
    assertThat(timeline(incident)).anyMatch(line -> line.equals("Paging Alice (level 1)"));

    CLOCK.advance(Duration.ofMinutes(5));
    JsonNode second = awaitSteps(incident, 2);
    assertThat(paged(second, 1)).containsExactly(bob);
    assertThat(second.get("steps").get(1).get("paged").get(0).get("via").asString())
        .startsWith("schedule 'always-");
    assertThat(second.get("steps").get(1).get("dueAt").asString())
        .as("due when level 1's delay ran out")
        .isEqualTo(openedAt.plus(Duration.ofMinutes(5)).toString());

    CLOCK.advance(Duration.ofMinutes(10));
    JsonNode third = awaitSteps(incident, 3);
    assertThat(third.get("steps").get(2).get("level").asInt()).isEqualTo(1);
    assertThat(third.get("steps").get(2).get("round").asInt()).isEqualTo(2);
    assertThat(paged(third, 2)).containsExactly(alice);

    CLOCK.advance(Duration.ofMinutes(5));
    awaitSteps(incident, 4);
    CLOCK.advance(Duration.ofMinutes(10));
    JsonNode ended = await().atMost(WAIT).until(() -> escalation(incident), e -> !isActive(e));
    assertThat(ended.get("status").asString()).isEqualTo("exhausted");
    assertThat(ended.get("steps")).hasSize(4);
    assertThat(ended.get("endReason").asString()).contains("after 2 rounds");
    assertThat(ended.get("nextAt").isNull()).isTrue();
    assertThat(timeline(incident)).anyMatch(line -> line.startsWith("Nobody acknowledged after"));
    assertThat(pagesOf(incident))
        .extracting(page -> page.userId().toString() + "@" + page.level() + "/" + page.round())
        .containsExactlyInAnyOrder(alice + "@1/1", bob + "@2/1", alice + "@1/2", bob + "@2/2");
    assertThat(api.metric("tocsin_escalations_exhausted_total")).isEqualTo(exhaustedBefore + 1);
    assertThat(api.metric("tocsin_pages_requested_total{level=\"2\"}"))
        .isEqualTo(levelTwoBefore + 2);
    assertThat(tocsin.get("/actuator/prometheus").body())
        .contains("tocsin_escalation_lag_seconds_bucket");
  }

  @Test
  void acknowledgingStopsTheRunAndNoLaterLevelIsPaged() {
    Api.Service service =
        serviceWithPolicy(0, level(5, userTarget(alice)), level(5, userTarget(bob)));
    String incident = open(service);
    awaitSteps(incident, 1);

    api.ok("PATCH", "/api/v1/incidents/" + incident, "{\"status\":\"ACKNOWLEDGED\"}");
    JsonNode stopped = await().atMost(WAIT).until(() -> escalation(incident), e -> !isActive(e));
    assertThat(stopped.get("status").asString()).isEqualTo("stopped");
    assertThat(stopped.get("endReason").asString()).startsWith("Acknowledged by");

    CLOCK.advance(Duration.ofMinutes(30));
    runEverythingDue();
    assertThat(escalation(incident).get("steps")).hasSize(1);
    assertThat(pagesOf(incident)).hasSize(1);
  }

  @Test
  void aServiceWithoutAPolicyIsRecordedOnTheIncidentAndCounted() {
    double before = api.metric("tocsin_escalation_problems_total{problem=\"no_policy\"}");
    Api.Service service = api.service("unpaged", "\"autoResolve\":false");
    String incident = open(service);

    JsonNode escalation = await().atMost(WAIT).until(() -> escalation(incident), e -> !isActive(e));
    assertThat(escalation.get("status").asString()).isEqualTo("no_policy");
    assertThat(escalation.get("policy").isNull()).isTrue();
    assertThat(timeline(incident))
        .contains("Nobody is paged: the service has no escalation policy.");
    assertThat(api.metric("tocsin_escalation_problems_total{problem=\"no_policy\"}"))
        .isEqualTo(before + 1);
    HttpResponse<String> escalate =
        api.send("POST", "/api/v1/incidents/" + incident + "/escalate", null);
    assertThat(escalate.statusCode()).isEqualTo(409);
    assertThat(escalate.body()).contains("reassign it to a person or a policy");
  }

  @Test
  void aLevelWhoseScheduleHasNobodyOnCallIsRecordedAndTheNextLevelIsPagedAtOnce() {
    double before = api.metric("tocsin_escalation_problems_total{problem=\"nobody_on_call\"}");
    String empty = nobodyOnCall();
    Api.Service service =
        serviceWithPolicy(
            0,
            level(15, "{\"type\":\"schedule\",\"id\":\"" + empty + "\"}"),
            level(5, userTarget(carol)));
    String incident = open(service);

    JsonNode escalation = awaitSteps(incident, 2);
    JsonNode skipped = escalation.get("steps").get(0);
    assertThat(skipped.get("paged")).isEmpty();
    assertThat(skipped.get("problems").get(0).asString())
        .matches("schedule 'empty-\\d+' has nobody on call");
    assertThat(paged(escalation, 1)).containsExactly(carol);
    assertThat(escalation.get("steps").get(1).get("executedAt").asString())
        .as("no waiting for level 1's delay")
        .isEqualTo(skipped.get("executedAt").asString());
    assertThat(timeline(incident))
        .anyMatch(line -> line.startsWith("Nobody paged at level 1 for schedule 'empty-"));
    assertThat(api.metric("tocsin_escalation_problems_total{problem=\"nobody_on_call\"}"))
        .isEqualTo(before + 1);
    resolve(incident);
  }

  @Test
  void aResponderEscalatesByHandAndReassignsToAPersonOrAnotherPolicy() {
    Api.Service service =
        serviceWithPolicy(
            0, level(5, userTarget(alice)), level(5, userTarget(bob)), level(5, userTarget(carol)));
    String incident = open(service);
    awaitSteps(incident, 1);

    JsonNode escalated = api.ok("POST", "/api/v1/incidents/" + incident + "/escalate", null);
    assertThat(escalated.get("steps")).hasSize(2);
    assertThat(escalated.get("steps").get(1).get("reason").asString()).isEqualTo("escalated");
    assertThat(escalated.get("steps").get(1).get("by").asString())
        .isEqualTo(TocsinHarness.ADMIN_EMAIL);
    assertThat(paged(escalated, 1)).containsExactly(bob);
    assertThat(escalated.get("nextLevel").asInt()).isEqualTo(3);
    assertThat(Instant.parse(escalated.get("nextAt").asString()))
        .isEqualTo(CLOCK.instant().plus(Duration.ofMinutes(5)));

    HttpResponse<String> tooHigh =
        api.send("POST", "/api/v1/incidents/" + incident + "/escalate", "{\"level\":4}");
    assertThat(tooHigh.statusCode()).isEqualTo(422);
    assertThat(tooHigh.body()).contains("must be 1 to 3");
    HttpResponse<String> both =
        api.send(
            "POST",
            "/api/v1/incidents/" + incident + "/reassign",
            "{\"userId\":\"" + carol + "\",\"escalationPolicyId\":\"" + UUID.randomUUID() + "\"}");
    assertThat(both.statusCode()).isEqualTo(422);
    HttpResponse<String> unknown =
        api.send(
            "POST",
            "/api/v1/incidents/" + incident + "/reassign",
            "{\"userId\":\"" + UUID.randomUUID() + "\"}");
    assertThat(unknown.statusCode()).isEqualTo(422);

    JsonNode reassigned =
        api.ok(
            "POST",
            "/api/v1/incidents/" + incident + "/reassign",
            "{\"userId\":\"" + carol + "\"}");
    assertThat(paged(reassigned, 2)).containsExactly(carol);
    assertThat(reassigned.get("steps").get(2).get("paged").get(0).get("via").asString())
        .isEqualTo("reassigned by " + TocsinHarness.ADMIN_EMAIL);
    assertThat(
            api.get("/api/v1/incidents/" + incident).get("incident").get("assigneeId").asString())
        .isEqualTo(carol);

    String other = api.policy(0, level(5, userTarget(alice)));
    JsonNode handedOver =
        api.ok(
            "POST",
            "/api/v1/incidents/" + incident + "/reassign",
            "{\"escalationPolicyId\":\"" + other + "\"}");
    assertThat(handedOver.get("policy").get("id").asString()).isEqualTo(other);
    assertThat(paged(handedOver, 3)).containsExactly(alice);
    assertThat(timeline(incident)).anyMatch(line -> line.startsWith("Reassigned to escalation"));

    api.ok("PATCH", "/api/v1/incidents/" + incident, "{\"status\":\"resolved\"}");
    HttpResponse<String> afterResolve =
        api.send("POST", "/api/v1/incidents/" + incident + "/escalate", null);
    assertThat(afterResolve.statusCode()).isEqualTo(409);
    assertThat(afterResolve.body()).contains("resolved");
  }

  @Test
  void escalatingAnAcknowledgedIncidentPagesTheNextLevelOnceWithoutRestartingTheTimer() {
    Api.Service service =
        serviceWithPolicy(0, level(5, userTarget(alice)), level(5, userTarget(bob)));
    String incident = open(service);
    awaitSteps(incident, 1);
    api.ok("PATCH", "/api/v1/incidents/" + incident, "{\"status\":\"acknowledged\"}");
    await().atMost(WAIT).until(() -> escalation(incident), e -> !isActive(e));

    JsonNode escalated = api.ok("POST", "/api/v1/incidents/" + incident + "/escalate", null);
    assertThat(paged(escalated, 1)).containsExactly(bob);
    assertThat(escalated.get("status").asString()).isEqualTo("stopped");
    CLOCK.advance(Duration.ofMinutes(30));
    runEverythingDue();
    assertThat(escalation(incident).get("steps")).hasSize(2);
  }

  @Test
  void joiningAlertsPageNobodyButARiseInSeverityPagesTheLastLevelAgain() {
    Api.Service service =
        serviceWithPolicy(0, level(5, userTarget(alice)), level(5, userTarget(bob)));
    String name = Api.unique("Latency");
    api.fire(service, Api.alert(name, "instance", "a", "severity", "warning"));
    String incident = awaitOpenIncident(service);
    awaitSteps(incident, 1);
    api.fire(service, Api.alert(name, "instance", "b", "severity", "warning"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                api.get("/api/v1/incidents/" + incident).get("incident").get("alertCount").asInt(),
            count -> count == 2);

    api.fire(service, Api.alert(name, "instance", "c", "severity", "critical"));
    JsonNode escalation = awaitSteps(incident, 2);
    JsonNode again = escalation.get("steps").get(1);
    assertThat(again.get("reason").asString()).isEqualTo("severity_raised");
    assertThat(again.get("level").asInt()).isEqualTo(1);
    assertThat(paged(escalation, 1)).containsExactly(alice);
    assertThat(escalation.get("nextLevel").asInt()).as("the timer goes on as it was").isEqualTo(2);
    assertThat(pagesOf(incident)).hasSize(2);
    assertThat(pagesOf(incident).get(1).severity().name()).isEqualTo("CRITICAL");
    assertThat(timeline(incident))
        .anyMatch(line -> line.equals("Paging Alice (level 1), the severity rose to critical"));
    resolve(incident);
  }

  @Test
  void anAlertSentAgainAfterAPersonResolvedItsIncidentOpensARecurrenceThatPages() {
    // No flap window: the recurrence must come from the alert still firing, not from timing.
    Api.Service service = serviceWithPolicy(0, level(5, userTarget(alice)));
    api.ok("PATCH", "/api/v1/services/" + service.id(), "{\"flapWindowMinutes\":0}");
    String alert = Api.alert(Api.unique("StillFiring"), "instance", "a");
    api.fire(service, alert);
    String first = awaitOpenIncident(service);
    await().atMost(WAIT).until(() -> pagesOf(first).size() == 1);
    assertThat(api.get("/api/v1/incidents/" + first).get("incident").get("stillFiring").asString())
        .isEqualTo(
            "1 alert is still firing; resolved now, it will open a new incident when next sent.");

    JsonNode resolved = api.ok("PATCH", "/api/v1/incidents/" + first, "{\"status\":\"resolved\"}");
    assertThat(resolved.get("status").asString()).isEqualTo("resolved");
    assertThat(resolved.get("stillFiring").asString())
        .isEqualTo("1 alert is still firing; it will open a new incident when next sent.");

    // Prometheus's next evaluation sends the alert again.
    api.fire(service, alert);
    String second = awaitOpenIncident(service);
    assertThat(second).isNotEqualTo(first);
    JsonNode recurrence = api.get("/api/v1/incidents/" + second).get("incident");
    assertThat(recurrence.get("recurrenceOf").get("id").asString()).isEqualTo(first);
    assertThat(recurrence.get("firingAlertCount").asInt()).isEqualTo(1);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(pagesOf(second))
                    .extracting(page -> page.userId().toString())
                    .containsExactly(alice));
    await()
        .atMost(WAIT)
        .until(
            () ->
                api.get("/api/v1/incidents/" + first).get("incident").get("stillFiring").isNull());
    assertThat(pagesOf(first)).as("the resolved incident pages nobody again").hasSize(1);
    resolve(second);
  }

  @Test
  void anOpeningDeliveredAgainStartsNoSecondRunAndPagesNobodyAgain() {
    Api.Service service =
        serviceWithPolicy(0, level(5, userTarget(alice)), level(5, userTarget(bob)));
    String incident = open(service);
    awaitSteps(incident, 1);
    Incident opened = tocsin.bean(Incidents.class).get(UUID.fromString(incident));

    // As the publication registry does when a node died before marking the delivery complete.
    Escalations listener = AopTestUtils.getTargetObject(tocsin.bean(Escalations.class));
    inTransaction(
        () ->
            listener.incidentOpened(
                new IncidentOpened(
                    opened.id(),
                    opened.number(),
                    opened.serviceId(),
                    opened.severity(),
                    opened.title(),
                    true)));
    // Two deliveries that both passed that check: the second insert writes nothing.
    EscalationRuns runs = tocsin.bean(EscalationRuns.class);
    assertThat(inTransaction(() -> runs.insert(runs.find(opened.id()).orElseThrow(), null, null)))
        .isFalse();
    runEverythingDue();

    JsonNode escalation = escalation(incident);
    assertThat(escalation.get("steps")).hasSize(1);
    assertThat(escalation.get("nextLevel").asInt()).isEqualTo(2);
    assertThat(pagesOf(incident)).hasSize(1);
    assertThat(timeline(incident)).filteredOn(line -> line.startsWith("Paging ")).hasSize(1);
    resolve(incident);
  }

  @Test
  void anIncidentMergedBeforeItsRunStartedPagesNobody() {
    Api.Service causeService = serviceWithPolicy(0, level(5, userTarget(alice)));
    String cause = open(causeService);
    awaitSteps(cause, 1);
    Api.Service symptomService = serviceWithPolicy(0, level(5, userTarget(bob)));

    // Opened and merged in one transaction: its run starts after the commit, on a merged incident.
    UUID symptom =
        inTransaction(
            () -> {
              Incident inferred =
                  tocsin
                      .bean(IncidentIntake.class)
                      .openInferred(
                          UUID.fromString(symptomService.id()),
                          Api.unique("Symptom"),
                          Severity.INFO,
                          null);
              tocsin
                  .bean(Incidents.class)
                  .merge(UUID.fromString(cause), List.of(inferred.id()), Actor.TOCSIN);
              return inferred.id();
            });

    JsonNode escalation =
        await()
            .atMost(WAIT)
            .ignoreExceptions()
            .until(() -> escalation(symptom.toString()), e -> e.has("status"));
    assertThat(escalation.get("status").asString()).isEqualTo("stopped");
    assertThat(escalation.get("endReason").asString())
        .startsWith("Merged into #")
        .endsWith("before paging started: it pages for it.");
    assertThat(escalation.get("steps")).isEmpty();
    CLOCK.advance(Duration.ofMinutes(10));
    runEverythingDue();
    assertThat(pagesOf(symptom.toString())).isEmpty();
    assertThat(pagesOf(cause)).hasSize(1);
    resolve(cause);
  }

  @Test
  void aSnoozedIncidentOpensAgainWhenTheSnoozeEndsAndPagesFromTheFirstLevelOnce() {
    Api.Service service =
        serviceWithPolicy(0, level(5, userTarget(alice)), level(5, userTarget(bob)));
    String incident = open(service);
    awaitSteps(incident, 1);
    CLOCK.advance(Duration.ofMinutes(5));
    awaitSteps(incident, 2);

    JsonNode snoozed =
        api.ok("POST", "/api/v1/incidents/" + incident + "/snooze", "{\"duration\":\"PT1H\"}");
    Instant until = Instant.parse(snoozed.get("snoozedUntil").asString());
    assertThat(snoozed.get("status").asString()).isEqualTo("acknowledged");
    assertThat(until).isEqualTo(CLOCK.instant().plus(Duration.ofHours(1)));
    assertThat(api.get("/api/v1/incidents/" + incident).get("incident").get("snoozedUntil"))
        .isNotNull();
    JsonNode waiting =
        await()
            .atMost(WAIT)
            .until(
                () -> escalation(incident),
                e -> isActive(e) && until.toString().equals(e.get("nextAt").asString()));
    assertThat(waiting.get("nextLevel").asInt()).isEqualTo(1);

    CLOCK.advance(Duration.ofMinutes(59));
    runEverythingDue();
    assertThat(api.get("/api/v1/incidents/" + incident).get("incident").get("status").asString())
        .isEqualTo("acknowledged");
    assertThat(pagesOf(incident)).hasSize(2);

    CLOCK.advance(Duration.ofMinutes(1));
    runEverythingDue();
    awaitSteps(incident, 3);
    runEverythingDue();

    JsonNode reopened = api.get("/api/v1/incidents/" + incident).get("incident");
    assertThat(reopened.get("status").asString()).isEqualTo("open");
    assertThat(reopened.get("snoozedUntil").isNull()).isTrue();
    await().atMost(WAIT).until(() -> pagesOf(incident).size() >= 3);
    assertThat(pagesOf(incident))
        .as("one page when the snooze ended, to the first level again")
        .extracting(page -> page.userId().toString() + "@" + page.level())
        .containsExactly(alice + "@1", bob + "@2", alice + "@1");
    assertThat(timeline(incident))
        .anyMatch(line -> line.startsWith("Snoozed for 1 h, until " + until))
        .contains("Snooze ended: open again, paging from the first level");
    resolve(incident);
  }

  @Test
  void snoozingAResolvedIncidentOrForNoTimeIsRefused() {
    Api.Service service = serviceWithPolicy(0, level(5, userTarget(alice)));
    String incident = open(service);

    HttpResponse<String> tooShort =
        api.send("POST", "/api/v1/incidents/" + incident + "/snooze", "{\"duration\":\"PT0S\"}");
    HttpResponse<String> notADuration =
        api.send("POST", "/api/v1/incidents/" + incident + "/snooze", "{\"duration\":\"1h\"}");
    resolve(incident);
    HttpResponse<String> resolved =
        api.send("POST", "/api/v1/incidents/" + incident + "/snooze", "{\"duration\":\"PT1H\"}");

    assertThat(tooShort.statusCode()).as(tooShort.body()).isEqualTo(422);
    assertThat(notADuration.statusCode()).as(notADuration.body()).isEqualTo(422);
    assertThat(notADuration.body()).contains("PT15M");
    assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(409);
  }

  @Test
  void aDeclaredIncidentPagesItsServicesPolicyLikeAnyIncident() {
    Api.Service service = serviceWithPolicy(0, level(5, userTarget(alice)));

    JsonNode declared =
        api.create(
            "/api/v1/incidents",
            "{\"title\":\"Payments look wrong\",\"service\":\""
                + service.id()
                + "\",\"severity\":\"CRITICAL\"}");
    String incident = declared.get("id").asString();

    JsonNode first = awaitSteps(incident, 1);
    assertThat(paged(first, 0)).containsExactly(alice);
    await().atMost(WAIT).until(() -> pagesOf(incident).size() == 1);
    assertThat(timeline(incident)).first().asString().startsWith("Declared by ");
    resolve(incident);
  }

  private static <T> T inTransaction(Supplier<T> work) {
    return new TransactionTemplate(tocsin.bean(PlatformTransactionManager.class))
        .execute(status -> work.get());
  }

  private static void inTransaction(Runnable work) {
    inTransaction(
        () -> {
          work.run();
          return null;
        });
  }

  private static String awaitOpenIncident(Api.Service service) {
    return api.awaitOpenIncident(service.id()).get("id").asString();
  }

  /** Ends a test's incident, so that the clock the tests share climbs no run of it later. */
  private static void resolve(String incident) {
    api.ok("PATCH", "/api/v1/incidents/" + incident, "{\"status\":\"resolved\"}");
  }

  @Test
  void aPolicyRefusesMoreLevelsThanAnyoneClimbs() {
    List<String> levels = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      levels.add(level(5, userTarget(alice)));
    }
    HttpResponse<String> refused =
        api.send(
            "POST",
            "/api/v1/escalation-policies",
            "{\"name\":\""
                + Api.unique("tall")
                + "\",\"levels\":["
                + String.join(",", levels)
                + "]}");
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body()).contains("at most 20 levels");
  }

  private static void runEverythingDue() {
    Escalations escalations = tocsin.bean(Escalations.class);
    int taken;
    do {
      taken = escalations.runDue(100);
    } while (taken > 0);
  }

  private static String open(Api.Service service) {
    api.fire(service, Api.alert(Api.unique("Down")));
    return awaitOpenIncident(service);
  }

  private static JsonNode escalation(String incident) {
    return api.get("/api/v1/incidents/" + incident + "/escalation");
  }

  private static boolean isActive(JsonNode escalation) {
    return escalation.get("status").asString().equals("active");
  }

  private static JsonNode awaitSteps(String incident, int steps) {
    return await()
        .atMost(WAIT)
        .until(() -> escalation(incident), e -> e.get("steps").size() >= steps);
  }

  private static List<String> paged(JsonNode escalation, int step) {
    List<String> users = new ArrayList<>();
    escalation
        .get("steps")
        .get(step)
        .get("paged")
        .forEach(page -> users.add(page.get("user").get("id").asString()));
    return users;
  }

  private static List<PageRequested> pagesOf(String incident) {
    return PagingTestConfiguration.PAGES.stream()
        .map(PagingTestConfiguration.Recorded::page)
        .filter(page -> page.incidentId().toString().equals(incident))
        .toList();
  }

  private static List<String> timeline(String incident) {
    List<String> lines = new ArrayList<>();
    api.get("/api/v1/incidents/" + incident + "/timeline?limit=200")
        .get("items")
        .forEach(entry -> lines.add(entry.get("message").asString()));
    return lines;
  }

  private static Api.Service serviceWithPolicy(int repeat, String... levels) {
    Api.Service service = api.service("paged", "\"autoResolve\":false");
    api.follow(service, api.policy(repeat, levels));
    return service;
  }

  /** A schedule with {@code user} on call from long ago to far ahead. */
  private static String alwaysOnCall(String user) {
    return schedule("always", user, "2020-01-01T00:00");
  }

  /** A schedule whose rotation starts in years: nobody is on call now. */
  private static String nobodyOnCall() {
    return schedule("empty", alice, "2040-01-01T00:00");
  }

  private static String schedule(String prefix, String member, String start) {
    return api.create(
            "/api/v1/schedules",
            """
            {"name":"%s","timeZone":"UTC","layers":[{"name":"only","members":["%s"],
             "rotation":{"count":1,"unit":"days"},"start":"%s","restrictions":[]}]}
            """
                .formatted(Api.unique(prefix), member, start))
        .get("id")
        .asString();
  }
}
