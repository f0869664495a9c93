package io.tocsin.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tocsin.testing.Api;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.RecordingHttpServer;
import io.tocsin.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The outage Tocsin was built for: the database fails, then 23 services that need it send tens of
 * thousands of alerts. Whether the database's own alert comes first, last or never, it must become
 * one incident on the database, with every symptom on it, that pages its person once; and it must
 * resolve itself when everything recovers. One person with a verified webhook is on every service's
 * policy, and the pages are counted where they arrive.
 */
class IncidentStormIntegrationTests extends HarnessTests {

  private static final Duration WAIT = Duration.ofMinutes(5);

  /** Alerts sent after the database alert, repeats included, as in the outage report. */
  private static final int SENT = 46_769;

  /** Distinct symptom alerts among them; the rest are re-sends, as Prometheus makes. */
  private static final int DISTINCT = 40_000;

  private static final int BATCH = 500;
  private static final String[] SYMPTOMS = {
    "PrometheusTargetDown", "APIServiceUnhealthy", "HighApiErrorRate", "HighLatency"
  };
  private static final String DATABASE =
      "{\"labels\":{\"alertname\":\"DatabaseUnavailable\",\"cluster\":\"prod\","
          + "\"severity\":\"critical\"},\"annotations\":{\"summary\":\"postgres is down\"}%s}";

  private static final RecordingHttpServer RECEIVER = RecordingHttpServer.started();

  @Override
  protected Map<String, Object> settings() {
    return Map.of(
        "tocsin.escalation.group-delay", "3s",
        "tocsin.escalation.poll-interval", "100ms",
        "tocsin.notify.poll-interval", "100ms",
        "tocsin.rate-limit.api-token-per-minute", "1000000");
  }

  @AfterAll
  static void stopReceiver() {
    RECEIVER.close();
  }

  /** The seed outage's services: the database, 20 that need it and 3 that need one of those. */
  private record Outage(Api.Service database, List<Api.Service> symptomatic, String pages) {

    List<Api.Service> all() {
      List<Api.Service> all = new ArrayList<>(List.of(database));
      all.addAll(symptomatic);
      return all;
    }
  }

  @Test
  void aDatabaseOutageWhoseCauseSpeaksFirstIsOneIncidentOnePageAndResolvesItself() {
    Outage outage = stormOutage(12, 8, 3);
    post(outage.database(), DATABASE.formatted(""));
    storm(outage.symptomatic(), DISTINCT, 0, SENT);

    JsonNode incident = onlyOpenIncident(outage);
    String id = incident.get("id").asString();
    JsonNode detail = api.get("/api/v1/incidents/" + id);
    assertThat(detail.get("incident").get("service").get("name").asString())
        .isEqualTo(outage.database().name());
    assertThat(detail.get("incident").get("probableCause").get("name").asString())
        .isEqualTo(outage.database().name());
    assertThat(detail.get("incident").get("title").asString()).isEqualTo("postgres is down");
    List<String> affected = new ArrayList<>();
    detail.get("affectedServices").forEach(s -> affected.add(s.get("name").asString()));
    assertThat(affected.get(0)).isEqualTo(outage.database().name());
    assertThat(affected)
        .containsExactlyInAnyOrderElementsOf(outage.all().stream().map(Api.Service::name).toList());
    JsonNode timeline = detail.get("timeline").get("items");
    assertThat(timeline.size()).as("the storm is summarised").isLessThanOrEqualTo(6);
    int attached = 0;
    for (JsonNode entry : timeline) {
      if (entry.get("kind").asString().equals("alerts_attached")) {
        attached += entry.get("alertCount").asInt();
      }
    }
    assertThat(attached).as("the summaries count every symptom").isEqualTo(DISTINCT);
    JsonNode firstSymptom =
        api.get("/api/v1/incidents/" + id + "/alerts?limit=2").get("items").get(1);
    assertThat(firstSymptom.get("role").asString()).isEqualTo("symptom");
    assertPagedOnce(outage, id);

    String ended = ",\"endsAt\":\"" + Instant.now().minusSeconds(1) + "\"";
    post(outage.database(), DATABASE.formatted(ended));
    for (List<String> batch : symptomBatches(outage.symptomatic(), DISTINCT, ended, false)) {
      post(service(outage, batch.get(0)), String.join(",", batch.subList(1, batch.size())));
    }
    JsonNode resolved =
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> api.get("/api/v1/incidents/" + id).get("incident"),
                found -> found.get("status").asString().equals("resolved"));
    assertThat(resolved.get("resolvedBy").asString()).isEqualTo("Tocsin");
    assertThat(resolved.get("firingAlertCount").asInt()).isZero();
    assertThat(api.get("/api/v1/incidents/" + id + "/metrics").get("mttrSeconds").isNumber())
        .as("MTTR is recorded")
        .isTrue();
  }

  /**
   * The seed storm with the database's own alert a third of the way in, as when its rule waits for
   * its "for:": until then the database is inferred from its 23 failing dependents, and its alert
   * then confirms the same incident, which pages once in all.
   */
  @Test
  void aDatabaseOutageWhoseCauseSpeaksLastIsInferredFirstThenConfirmedOneIncidentOnePage() {
    assumeTrue(database == TestDatabase.POSTGRESQL, "the seed storm once more: PostgreSQL only");
    Outage outage = stormOutage(12, 8, 3);
    storm(outage.symptomatic(), DISTINCT, 0, SENT / 3);

    JsonNode inferred =
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> openIncidents(List.of(outage)),
                found -> found.size() == 1 && alerts(found) == SENT / 3)
            .get(0);
    String id = inferred.get("id").asString();
    JsonNode detail = api.get("/api/v1/incidents/" + id).get("incident");
    assertThat(detail.get("service").get("name").asString()).isEqualTo(outage.database().name());
    assertThat(detail.get("inferred").asBoolean()).isTrue();
    assertThat(detail.get("inference").asString())
        .startsWith("23 of its 23 dependents failing since ")
        .endsWith(outage.database().name() + " sent no alert of its own.");
    assertThat(detail.get("probableCause").get("name").asString())
        .isEqualTo(outage.database().name());

    post(outage.database(), DATABASE.formatted(""));
    storm(outage.symptomatic(), DISTINCT, SENT / 3, SENT);
    assertThat(onlyOpenIncident(outage).get("id").asString()).isEqualTo(id);
    detail = api.get("/api/v1/incidents/" + id).get("incident");
    assertThat(detail.get("title").asString()).isEqualTo("postgres is down");
    assertThat(detail.get("inferred").asBoolean()).as("its own alert confirmed it").isFalse();
    assertThat(kinds(id)).contains("cause_inferred", "cause_confirmed");
    assertPagedOnce(outage, id);
  }

  @Test
  void aDatabaseOutageSentThroughOnePrometheusKeyIsOneIncidentOnTheDatabaseAndOnePage() {
    assumeTrue(database == TestDatabase.POSTGRESQL, "the seed storm once more: PostgreSQL only");
    Person person = person();
    Outage outage = stormOutage(12, 8, 3, person);
    Api.Service prometheus = api.service("prometheus", "");
    api.follow(prometheus, person.policy());
    String integration =
        api.route(
            prometheus, "{\"rules\":[{\"name\":\"by label\",\"serviceFromLabel\":\"service\"}]}");
    String labelled =
        DATABASE.replace(
            "\"severity\":\"critical\"}",
            "\"severity\":\"critical\",\"service\":\"" + outage.database().name() + "\"}");
    post(prometheus, labelled.formatted(""));
    storm(outage.symptomatic(), DISTINCT, 0, SENT, prometheus);

    JsonNode incident = onlyOpenIncident(outage);
    String id = incident.get("id").asString();
    JsonNode detail = api.get("/api/v1/incidents/" + id).get("incident");
    assertThat(detail.get("service").get("name").asString()).isEqualTo(outage.database().name());
    assertThat(detail.get("alertCount").asInt()).isEqualTo(1 + DISTINCT);
    assertThat(api.get("/api/v1/incidents?service=" + prometheus.id()).get("items"))
        .as("every alert found its service: nothing fell to the key's own")
        .isEmpty();
    assertPagedOnce(outage, id);
  }

  @Test
  void stormsOnTwoUnrelatedDependenciesAtOnceAreTwoIncidentsAndTwoPages() {
    // One person for both: an inference that took the two storms for one would page them once.
    Person person = person();
    Outage first = stormOutage(4, 0, 0, person);
    Outage second = stormOutage(3, 1, 0, person);
    List<Api.Service> both = new ArrayList<>(first.symptomatic());
    both.addAll(second.symptomatic());
    storm(both, 2_000, 0, 2_000);
    String pages = person.pages();

    List<JsonNode> open =
        await()
            .atMost(WAIT)
            .until(
                () -> openIncidents(List.of(first, second)),
                found -> found.size() == 2 && alerts(found) == 2_000);
    assertThat(open.stream().map(i -> i.get("service").get("name").asString()))
        .containsExactlyInAnyOrder(first.database().name(), second.database().name());
    List<RecordingHttpServer.Request> paged =
        await().atMost(WAIT).until(() -> kind(pages, "page"), found -> found.size() >= 2);
    assertThat(paged).hasSize(2);
    assertThat(kind(pages, "summary")).isEmpty();
    JsonNode symptom =
        api.get("/api/v1/incidents?status=resolved&service=" + first.symptomatic().get(0).id())
            .get("items")
            .get(0);
    String causeNumber = "#" + symptom.get("mergedInto").get("number").asLong();
    await()
        .atMost(WAIT)
        .until(
            () -> messageOf(symptom.get("id").asString(), "hold_ended"),
            message -> message.contains("merged into " + causeNumber + ", which pages for it"));
    assertThat(kinds(symptom.get("id").asString())).contains("paging_held", "merged_into");
  }

  /**
   * The seed storm's "cause speaks last" at a small scale, so that both databases confirm an
   * inferred cause (the seed storm itself runs that case on PostgreSQL only).
   */
  @Test
  void aCauseInferredFromItsDependentsIsConfirmedWhenItsOwnAlertArrives() {
    Outage outage = stormOutage(4, 0, 0);
    storm(outage.symptomatic(), 400, 0, 400);
    JsonNode inferred =
        await()
            .atMost(WAIT)
            .until(
                () -> openIncidents(List.of(outage)),
                found -> found.size() == 1 && alerts(found) == 400)
            .get(0);
    String id = inferred.get("id").asString();
    assertThat(inferred.get("service").get("name").asString()).isEqualTo(outage.database().name());
    assertThat(inferred.get("inferred").asBoolean()).isTrue();

    post(outage.database(), DATABASE.formatted(""));

    JsonNode confirmed =
        await()
            .atMost(WAIT)
            .until(
                () -> api.get("/api/v1/incidents/" + id).get("incident"),
                found -> !found.get("inferred").asBoolean());
    assertThat(confirmed.get("title").asString()).isEqualTo("postgres is down");
    assertThat(kinds(id)).contains("cause_inferred", "cause_confirmed");
    assertPagedOnce(outage, id);
  }

  @Test
  void aCauseWhosePolicyReachesNobodyIsNotInferredAndItsSymptomsPageForThemselves() {
    Outage outage = outage(3, 0, 0);
    api.ok(
        "PUT",
        "/api/v1/services/" + outage.database().id() + "/escalation-policy",
        "{\"policyId\":null}");
    storm(outage.symptomatic(), 3, 0, 3);

    List<RecordingHttpServer.Request> paged =
        await().atMost(WAIT).until(() -> kind(outage.pages(), "page"), found -> found.size() >= 3);
    assertThat(paged).as("each symptom pages once its hold ends").hasSize(3);
    List<JsonNode> open = openIncidents(List.of(outage));
    assertThat(open).hasSize(3);
    assertThat(open)
        .noneMatch(i -> i.get("service").get("name").asString().equals(outage.database().name()));
    String id = open.get(0).get("id").asString();
    assertThat(kinds(id)).containsSubsequence("paging_held", "hold_ended", "paged");
    assertThat(messageOf(id, "hold_ended"))
        .contains("no cause took this incident over, so it pages for itself");
  }

  @Test
  void aSymptomSplitOutByAPersonPagesAtOnceAndKeepsItsServicesNextAlerts() {
    Outage outage = outage(3, 0, 0);
    post(outage.database(), DATABASE.formatted(""));
    storm(outage.symptomatic(), 3, 0, 3);
    JsonNode cause =
        await()
            .atMost(WAIT)
            .until(
                () -> openIncidents(List.of(outage)),
                found -> found.size() == 1 && alerts(found) == 4)
            .get(0);
    String causeId = cause.get("id").asString();
    assertPagedOnce(outage, causeId);
    Api.Service api2 = outage.symptomatic().get(1);

    var own =
        api.send(
            "POST",
            "/api/v1/incidents/" + causeId + "/split",
            "{\"serviceId\":\"" + outage.database().id() + "\"}");
    assertThat(own.statusCode()).as(own.body()).isEqualTo(422);
    JsonNode split =
        api.create(
            "/api/v1/incidents/" + causeId + "/split", "{\"serviceId\":\"" + api2.id() + "\"}");
    String splitId = split.get("id").asString();
    assertThat(split.get("service").get("name").asString()).isEqualTo(api2.name());
    assertThat(split.get("splitFrom").get("id").asString()).isEqualTo(causeId);
    assertThat(split.get("alertCount").asInt()).isEqualTo(1);
    List<RecordingHttpServer.Request> paged =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> kind(outage.pages(), "page"), found -> found.size() >= 2);
    assertThat(paged).hasSize(2);
    assertThat(paged.get(1).body()).as("the split pages at once").contains(splitId);
    assertThat(api.get("/api/v1/incidents/" + causeId).get("incident").get("alertCount").asInt())
        .isEqualTo(3);

    post(api2, Api.alert("HighLatency", "pod", "api-2-later", "severity", "critical"));
    await()
        .atMost(WAIT)
        .until(
            () -> api.get("/api/v1/incidents/" + splitId).get("incident").get("alertCount").asInt(),
            count -> count == 2);
    assertThat(api.get("/api/v1/incidents/" + causeId).get("incident").get("alertCount").asInt())
        .isEqualTo(3);
    assertThat(kinds(causeId)).contains("split_out");
    assertThat(kinds(splitId)).contains("split_from");
  }

  @Test
  void aServicesGroupDelayIsSetChecked() {
    Api.Service service = api.service("held", "\"groupDelaySeconds\":0");
    assertThat(api.get("/api/v1/services/" + service.id()).get("groupDelaySeconds").asInt())
        .isZero();
    var refused =
        api.send("PATCH", "/api/v1/services/" + service.id(), "{\"groupDelaySeconds\":601}");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(refused.body()).contains("groupDelaySeconds").contains("0 to 600 seconds");
  }

  /** Someone on call, the policy that pages them, and where their pages arrive. */
  private record Person(String policy, String pages) {}

  private static Person person() {
    String user = api.user("Oncall");
    String pages = api.verifiedWebhook(user, RECEIVER);
    return new Person(api.policyPaging(user), pages);
  }

  /** An outage whose symptoms are held the class's 3 s: long enough for a cause found at once. */
  private static Outage outage(int apis, int workers, int frontends) {
    return outage(apis, workers, frontends, person(), "");
  }

  /** {@link #stormOutage(int, int, int, Person)} for a new person. */
  private static Outage stormOutage(int apis, int workers, int frontends) {
    return stormOutage(apis, workers, frontends, person());
  }

  /**
   * An outage whose symptoms are held a minute: a storm's cause is found while thousands of alerts
   * are still being correlated, which on a loaded machine can take longer than the class's 3 s
   * hold, and a test of "pages once" must not depend on the machine's speed.
   */
  private static Outage stormOutage(int apis, int workers, int frontends, Person person) {
    return outage(apis, workers, frontends, person, ",\"groupDelaySeconds\":60");
  }

  /**
   * The outage's services, each with an Alertmanager integration and following a policy that pages
   * the person by a verified webhook; {@code symptomSettings} adds to each symptom's settings.
   */
  private static Outage outage(
      int apis, int workers, int frontends, Person person, String symptomSettings) {
    String policy = person.policy();
    Api.Service database = api.service("postgres", "");
    api.follow(database, policy);
    List<Api.Service> symptomatic = new ArrayList<>();
    Api.Service firstApi = null;
    for (int i = 1; i <= apis + workers; i++) {
      Api.Service service =
          api.service(
              i <= apis ? "api" : "worker",
              "\"dependencies\":[\"" + database.id() + "\"]" + symptomSettings);
      firstApi = firstApi == null ? service : firstApi;
      symptomatic.add(service);
    }
    for (int i = 1; i <= frontends; i++) {
      // Through the first api: a dependency two hops away.
      symptomatic.add(
          api.service(
              "frontend", "\"dependencies\":[\"" + firstApi.id() + "\"]" + symptomSettings));
    }
    symptomatic.forEach(service -> api.follow(service, policy));
    return new Outage(database, symptomatic, person.pages());
  }

  /**
   * Sends the storm's sends {@code from} (inclusive) to {@code to} of {@code distinct} symptom
   * alerts, re-sending the distinct ones in turn as Prometheus does, each to its service's own key.
   */
  private static void storm(List<Api.Service> services, int distinct, int from, int to) {
    storm(services, distinct, from, to, null);
  }

  /**
   * {@link #storm(List, int, int, int)}, all through {@code via}'s one key when it is given, each
   * alert naming its service in a {@code service} label, as one Prometheus sends a platform's.
   */
  private static void storm(
      List<Api.Service> services, int distinct, int from, int to, Api.Service via) {
    List<List<String>> batches = symptomBatches(services, distinct, "", via != null);
    int sent = 0;
    for (int i = 0; sent < to; i = (i + 1) % batches.size()) {
      List<String> batch = batches.get(i);
      List<String> alerts = batch.subList(1, batch.size());
      int start = Math.max(0, from - sent);
      int end = Math.min(alerts.size(), to - sent);
      if (start < end) {
        Api.Service service =
            via != null
                ? via
                : services.stream()
                    .filter(s -> s.name().equals(batch.get(0)))
                    .findFirst()
                    .orElseThrow();
        post(service, String.join(",", alerts.subList(start, end)));
      }
      sent += alerts.size();
    }
  }

  /**
   * The distinct symptom alerts in batches of one service each: the service name first, then the
   * alerts. Services take turns, as in a real storm.
   */
  private static List<List<String>> symptomBatches(
      List<Api.Service> services, int distinct, String ended, boolean serviceLabel) {
    List<List<String>> batches = new ArrayList<>();
    Map<String, List<String>> open = new LinkedHashMap<>();
    for (int n = 0; n < distinct; n++) {
      String service = services.get(n % services.size()).name();
      String alertname = SYMPTOMS[(n / services.size()) % SYMPTOMS.length];
      String alert =
          "{\"labels\":{\"alertname\":\""
              + alertname
              + "\",\"cluster\":\"prod\",\"pod\":\""
              + service
              + "-"
              + n
              + "\",\"severity\":\"critical\""
              + (serviceLabel ? ",\"service\":\"" + service + "\"" : "")
              + "},\"annotations\":{\"summary\":\""
              + alertname
              + " on "
              + service
              + "\"}"
              + ended
              + "}";
      List<String> batch = open.computeIfAbsent(service, s -> new ArrayList<>(List.of(s)));
      batch.add(alert);
      if (batch.size() == BATCH + 1) {
        batches.add(batch);
        open.remove(service);
      }
    }
    batches.addAll(open.values());
    return batches;
  }

  private static Api.Service service(Outage outage, String name) {
    return outage.symptomatic().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static void post(Api.Service service, String alerts) {
    api.fire(service, alerts);
  }

  /** The outage's one open incident, once every distinct symptom is on it. */
  private static JsonNode onlyOpenIncident(Outage outage) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> openIncidents(List.of(outage)),
            found -> found.size() == 1 && alerts(found) >= DISTINCT)
        .get(0);
  }

  /**
   * Exactly one page, for the outage's incident, and no summary. Once every other incident of the
   * outage is merged, nothing else of it can page: a run pages only an open incident.
   */
  private static void assertPagedOnce(Outage outage, String incidentId) {
    List<RecordingHttpServer.Request> paged =
        await().atMost(WAIT).until(() -> kind(outage.pages(), "page"), found -> !found.isEmpty());
    assertThat(openIncidents(List.of(outage))).hasSize(1);
    assertThat(paged).hasSize(1);
    assertThat(paged.get(0).body()).contains(incidentId);
    assertThat(kind(outage.pages(), "summary")).isEmpty();
  }

  private static List<JsonNode> openIncidents(List<Outage> outages) {
    List<String> services =
        outages.stream().flatMap(o -> o.all().stream()).map(Api.Service::id).toList();
    List<JsonNode> open = new ArrayList<>();
    for (String service : services) {
      api.get("/api/v1/incidents?status=open,acknowledged,in_progress&service=" + service)
          .get("items")
          .forEach(open::add);
    }
    return open;
  }

  private static int alerts(List<JsonNode> incidents) {
    return incidents.stream().mapToInt(i -> i.get("alertCount").asInt()).sum();
  }

  private static List<RecordingHttpServer.Request> kind(String path, String kind) {
    return RECEIVER.requests(path).stream()
        .filter(r -> r.body().contains("\"kind\":\"" + kind + "\""))
        .toList();
  }

  private static List<String> kinds(String incidentId) {
    JsonNode items = api.get("/api/v1/incidents/" + incidentId).get("timeline").get("items");
    return StreamSupport.stream(items.spliterator(), false)
        .map(entry -> entry.get("kind").asString())
        .toList();
  }

  private static String messageOf(String incidentId, String kind) {
    JsonNode items = api.get("/api/v1/incidents/" + incidentId).get("timeline").get("items");
    return StreamSupport.stream(items.spliterator(), false)
        .filter(entry -> entry.get("kind").asString().equals(kind))
        .map(entry -> entry.get("message").asString())
        .findFirst()
        .orElse("");
  }
}
