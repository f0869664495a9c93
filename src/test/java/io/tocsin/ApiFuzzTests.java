package io.tocsin;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Property-based fuzzing of every ingestion format and admin API, against a real Tocsin on
 * PostgreSQL (which refuses NUL characters) and on H2. Each try takes a valid request and breaks
 * one thing in it: a field's type, a huge or negative number, a year beyond any calendar, NUL and
 * control characters, a very long string, an unknown enum value, null, a missing field, an array
 * for an object, deep nesting, or the whole body. Whatever comes back must not be a 5xx; a 2xx must
 * have stored what it answered for; a refusal must be JSON that names the broken field.
 *
 * <p>One property runs a fixed seed, so that CI always covers the same requests; the other runs a
 * new seed each time, which jqwik prints on a failure (replay it with {@code @Property(seed =
 * "...")}).
 */
class ApiFuzzTests {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /** Where each marker is written in a valid body, to be replaced by a new value per request. */
  private static final String MARK = "MARK";

  private static final List<Node> NODES_UNDER_TEST = new ArrayList<>();

  /** One Tocsin, its database, and the objects that requests refer to. */
  private record Node(
      TestDatabase database,
      TestDatabase.CleanSchema schema,
      TocsinHarness tocsin,
      String admin,
      Map<String, String> ids) {

    String fill(String text) {
      String filled = text;
      for (Map.Entry<String, String> id : ids.entrySet()) {
        filled = filled.replace("{" + id.getKey() + "}", id.getValue());
      }
      return filled;
    }
  }

  @BeforeContainer
  static void start() throws Exception {
    for (TestDatabase database : TestDatabase.values()) {
      TestDatabase.CleanSchema schema = database.createCleanSchema();
      // A mail server that is never reached: only so that email contact methods can be made.
      TocsinHarness tocsin =
          TocsinHarness.startWithAdmin(
              schema,
              Map.of(
                  // Hundreds of requests a minute from one token are the point here.
                  "tocsin.rate-limit.api-token-per-minute", "1000000",
                  "tocsin.smtp.host", "127.0.0.1",
                  "tocsin.smtp.port", "9",
                  "management.health.mail.enabled", "false"));
      String admin = tocsin.adminToken();
      NODES_UNDER_TEST.add(new Node(database, schema, tocsin, admin, fixture(tocsin, admin)));
    }
  }

  @AfterContainer
  static void stop() {
    for (Node node : NODES_UNDER_TEST) {
      node.tocsin().close();
      node.schema().close();
    }
    NODES_UNDER_TEST.clear();
  }

  @Property(tries = 300, seed = "20261206")
  void noRequestFailsTocsinWithTheFixedSeed(@ForAll("requests") Request request) {
    check(request);
  }

  @Property(tries = 300)
  void noRequestFailsTocsinWithARandomSeed(@ForAll("requests") Request request) {
    check(request);
  }

  /** What every answer must be, whatever was sent. */
  private static void check(Request request) {
    Node node = NODES_UNDER_TEST.get(request.node());
    String marker = "fz" + SEQUENCE.incrementAndGet();
    String path = node.fill(request.path()).replace(MARK, marker);
    String body = request.body() == null ? null : node.fill(request.body()).replace(MARK, marker);
    String authorization =
        request.endpoint().authorization() == null
            ? null
            : node.fill(request.endpoint().authorization());
    HttpResponse<String> response =
        send(node, request.endpoint().method(), path, authorization, body);
    String seen =
        node.database()
            + " "
            + request.endpoint().method()
            + " "
            + path
            + " with "
            + request.mutation()
            + "\n  sent: "
            + abbreviate(body)
            + "\n  got "
            + response.statusCode()
            + ": "
            + abbreviate(response.body());
    int status = response.statusCode();
    assertThat(status).as("never a 5xx: " + seen).isLessThan(500);
    if (status >= 200 && status < 300) {
      request.endpoint().stored().verify(node, response, marker, request, seen);
      return;
    }
    assertThat(status).as("a refusal is a 4xx: " + seen).isBetween(400, 499);
    String explanation = explanation(response);
    assertThat(explanation).as("a refusal says why, in JSON: " + seen).isNotBlank();
    // PostgreSQL's refusal of a NUL in a text field no check names yet: a 422, if not a named one.
    boolean unnamedNul =
        explanation.contains("NUL character") && request.mutation().contains("\\u0000");
    if ((status == 400 || status == 422) && !request.fields().isEmpty() && !unnamedNul) {
      // The broken member or one that holds it: "matchers" for a matcher's missing value.
      // In words or as written: PagerDuty's "Invalid routing key" names routing_key, and
      // Alertmanager's "at least one matcher required" names matchers.
      assertThat(words(explanation))
          .as("a refusal names the field " + request.fields().get(0) + ": " + seen)
          .containsAnyOf(
              request.fields().stream()
                  .map(name -> words(name).replaceFirst("s$", ""))
                  .toArray(String[]::new));
    }
  }

  private static String words(String text) {
    return text.toLowerCase(Locale.ROOT).replaceAll("[_\\s]", "");
  }

  /**
   * The reason in a refusal: a problem document's detail and errors, Alertmanager's JSON string, or
   * PagerDuty's message and errors; empty when the body is none of these.
   */
  private static String explanation(HttpResponse<String> response) {
    JsonNode json;
    try {
      json = JSON.readTree(response.body());
    } catch (RuntimeException e) {
      return "";
    }
    if (json == null) {
      return "";
    }
    if (json.isString()) {
      return json.asString();
    }
    if (!json.isObject()) {
      return "";
    }
    StringBuilder reason = new StringBuilder();
    for (String name : List.of("detail", "message")) {
      if (json.hasNonNull(name)) {
        reason.append(json.get(name).asString()).append(' ');
      }
    }
    if (json.has("errors")) {
      reason.append(json.get("errors").toString());
    }
    return reason.toString().strip();
  }

  private static HttpResponse<String> send(
      Node node,
      String method,
      String path,
      @Nullable String authorization,
      @Nullable String body) {
    return node.tocsin().send(method, path, authorization, body);
  }

  // ---------------------------------------------------------------------------------------------
  // What is sent

  /**
   * A request to send: an endpoint, its (broken) body or query, and the names of the field that was
   * broken and of those that hold it.
   */
  record Request(
      int node,
      Endpoint endpoint,
      String path,
      @Nullable String body,
      String mutation,
      List<String> fields) {

    @Override
    public String toString() {
      return endpoint.method() + " " + path + " (" + mutation + ")";
    }
  }

  /** How a 2xx is checked: the thing it answered for can be read back. */
  @FunctionalInterface
  interface Stored {
    void verify(
        Node node, HttpResponse<String> response, String marker, Request request, String seen);
  }

  /**
   * An endpoint with a valid request: {@code {name}} placeholders are fixture ids, {@code MARK} a
   * value new to each request (for unique names and to find what was stored).
   */
  record Endpoint(
      String method,
      String path,
      @Nullable String authorization,
      @Nullable String body,
      Map<String, List<String>> query,
      Stored stored) {}

  private static final String ADMIN = "Bearer {admin}";

  private static Endpoint body(String method, String path, String body, Stored stored) {
    return new Endpoint(method, path, ADMIN, body, Map.of(), stored);
  }

  private static Endpoint ingest(String path, String key, String body, Stored stored) {
    return new Endpoint("POST", path, key, body, Map.of(), stored);
  }

  private static Endpoint query(String path, Map<String, List<String>> query) {
    return new Endpoint("GET", path, ADMIN, null, query, ApiFuzzTests::answered);
  }

  private static final List<Endpoint> ENDPOINTS =
      List.of(
          // Ingestion, every format.
          ingest(
              "/api/v2/alerts",
              "Bearer {alertmanagerKey}",
              """
              [{"labels":{"alertname":"Fuzz","fuzz":"MARK","severity":"critical"},
                "annotations":{"summary":"fuzzed"},"startsAt":"2026-01-01T00:00:00Z",
                "endsAt":"9999-01-01T00:00:00Z","generatorURL":"http://prometheus/graph"}]
              """,
              alertStored()),
          ingest(
              "/api/v1/webhooks/alertmanager",
              "Bearer {alertmanagerKey}",
              """
              {"version":"4","groupKey":"{}:{}","status":"firing","receiver":"tocsin",
               "alerts":[{"status":"firing","labels":{"alertname":"Fuzz","fuzz":"MARK"},
                 "annotations":{"summary":"fuzzed"},"startsAt":"2026-01-01T00:00:00Z",
                 "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://p","fingerprint":"abc"}]}
              """,
              alertStored()),
          ingest(
              "/api/v1/webhooks/grafana",
              "Bearer {grafanaKey}",
              """
              {"receiver":"tocsin","status":"firing","orgId":1,
               "alerts":[{"status":"firing","labels":{"alertname":"Fuzz","fuzz":"MARK"},
                 "annotations":{"summary":"fuzzed"},"startsAt":"2026-01-01T00:00:00Z",
                 "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://g","fingerprint":"abc",
                 "silenceURL":"http://g/alerting/silence/new","dashboardURL":"","panelURL":"",
                 "values":{"B":44.2,"C":1}}]}
              """,
              alertStored()),
          ingest(
              "/v2/enqueue",
              null,
              """
              {"routing_key":"{pagerdutyKey}","event_action":"trigger","dedup_key":"MARK",
               "payload":{"summary":"fuzzed MARK","source":"host-1","severity":"critical",
                 "timestamp":"2026-01-01T00:00:00.000+0000","component":"db","group":"g",
                 "class":"c","custom_details":{"a":1}},
               "links":[{"href":"https://example.com","text":"x"}],
               "images":[{"src":"https://example.com/i.png"}]}
              """,
              alertStored()),
          ingest(
              "/v2/change/enqueue",
              null,
              """
              {"routing_key":"{pagerdutyKey}","payload":{"summary":"deployed MARK",
                "source":"ci","timestamp":"2026-01-01T00:00:00Z","custom_details":{"v":"1"}},
               "links":[{"href":"https://example.com","text":"build"}]}
              """,
              changeStored()),
          ingest(
              "/api/v1/alerts",
              "Bearer {genericKey}",
              """
              {"summary":"fuzzed MARK","severity":"critical","source":"host","status":"firing",
               "dedupKey":"MARK","labels":{"team":"a"},"annotations":{"x":"y"},
               "description":"d","details":{"k":[1,2]},
               "links":[{"href":"https://example.com","text":"t"}],
               "startsAt":"2026-01-01T00:00:00Z"}
              """,
              alertStored()),
          ingest(
              "/api/v2/alerts",
              "Bearer {heartbeatKey}",
              """
              [{"labels":{"alertname":"Watchdog"},"startsAt":"2026-01-01T00:00:00Z"}]
              """,
              ApiFuzzTests::answered),
          body(
              "PUT",
              "/api/v1/integrations/{heartbeatId}/heartbeat",
              """
              {"interval":"PT5M","grace":"PT1M"}
              """,
              readsBack("/api/v1/integrations/{heartbeatId}/heartbeat")),
          // Admin APIs.
          body(
              "POST",
              "/api/v1/services",
              """
              {"name":"svc-MARK","description":"d","autoResolve":true,"runbooks":[]}
              """,
              created("/api/v1/services/")),
          body(
              "POST",
              "/api/v1/services/{serviceId}/integrations",
              """
              {"name":"int-MARK","kind":"generic"}
              """,
              created("/api/v1/integrations/")),
          body(
              "POST",
              "/api/v1/users",
              """
              {"name":"User MARK","email":"MARK@example.com","role":"responder",
               "timeZone":"Europe/Berlin","password":"a long enough password"}
              """,
              created("/api/v1/users/")),
          body(
              "POST",
              "/api/v1/teams",
              """
              {"name":"team-MARK","members":[{"userId":"{userId}"}]}
              """,
              created("/api/v1/teams/")),
          body(
              "POST",
              "/api/v1/tokens",
              """
              {"name":"token MARK","expiresAt":"2030-01-01T00:00:00Z"}
              """,
              listed("/api/v1/tokens")),
          body(
              "POST",
              "/api/v1/users/{userId}/contact-methods",
              """
              {"type":"email","target":"MARK@example.com","name":"mail"}
              """,
              created("/api/v1/users/{userId}/contact-methods/")),
          body(
              "POST",
              "/api/v1/silences",
              """
              {"matchers":[{"name":"alertname","operator":"=","value":"MARK"}],
               "startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","comment":"c"}
              """,
              created("/api/v1/silences/")),
          body(
              "PUT",
              "/api/v1/silences/{silenceId}",
              """
              {"matchers":[{"name":"alertname","operator":"=~","value":"MARK.*"}],
               "startsAt":"2026-01-01T00:00:00Z","endsAt":"2098-01-01T00:00:00Z","comment":"c"}
              """,
              // Changing an active silence's matchers replaces it, as in Alertmanager: a new id.
              created("/api/v1/silences/")),
          body(
              "POST",
              "/api/v2/silences",
              """
              {"matchers":[{"name":"alertname","value":"MARK","isRegex":false,"isEqual":true}],
               "startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z",
               "createdBy":"amtool","comment":"c"}
              """,
              (node, response, marker, request, seen) ->
                  assertThat(
                          get(node, "/api/v2/silence/" + field(response, "silenceID")).statusCode())
                      .as("the silence is stored: " + seen)
                      .isEqualTo(200)),
          body(
              "POST",
              "/api/v1/maintenance-windows",
              """
              {"services":["{serviceId}"],"startsAt":"2026-01-01T00:00:00Z",
               "endsAt":"2099-01-01T00:00:00Z","comment":"upgrade MARK"}
              """,
              created("/api/v1/silences/")),
          body(
              "POST",
              "/api/v1/inhibition-rules",
              """
              {"name":"rule MARK","sourceMatchers":[{"name":"alertname","operator":"=","value":"A"}],
               "targetMatchers":[{"name":"severity","operator":"=","value":"warning"}],
               "equal":["cluster"]}
              """,
              created("/api/v1/inhibition-rules/")),
          body(
              "POST",
              "/api/v1/schedules",
              """
              {"name":"sched-MARK","timeZone":"Europe/Berlin","layers":[{"name":"only",
                "members":["{userId}"],"rotation":{"count":1,"unit":"weeks"},
                "start":"2026-01-05T09:00",
                "restrictions":[{"days":["monday"],"from":"09:00","to":"17:00"}]}]}
              """,
              created("/api/v1/schedules/")),
          body(
              "POST",
              "/api/v1/schedules/{scheduleId}/overrides",
              """
              {"userId":"{userId}","start":"2031-01-01T00:00:00Z","end":"2031-01-01T00:00:01Z"}
              """,
              (node, response, marker, request, seen) -> {
                String id = field(response, "id");
                assertThat(
                        get(
                                node,
                                node.fill(
                                    "/api/v1/schedules/{scheduleId}/overrides"
                                        + "?from=1970-01-01T00:00:00Z&to=9999-12-31T00:00:00Z"))
                            .body())
                    .as("the override is stored: " + seen)
                    .contains(id);
                // Overrides of one schedule may not overlap: make room for the next try.
                send(
                    node,
                    "DELETE",
                    node.fill("/api/v1/schedules/{scheduleId}/overrides/" + id),
                    ADMIN.replace("{admin}", node.admin()),
                    null);
              }),
          body(
              "POST",
              "/api/v1/escalation-policies",
              """
              {"name":"policy MARK","levels":[{"delayMinutes":30,
                "targets":[{"type":"user","id":"{userId}"},{"type":"schedule","id":"{scheduleId}"}]}]}
              """,
              created("/api/v1/escalation-policies/")),
          body(
              "PUT",
              "/api/v1/notification-templates/email/page",
              """
              {"subject":"[{{incident.reference}}] MARK",
               "body":"{{#alerts.firing}}- {{summary}} {{/alerts.firing}}{{incident.url}}"}
              """,
              readsBack("/api/v1/notification-templates/email/page")),
          body(
              "POST",
              "/api/v1/notification-templates/preview",
              """
              {"kind":"subscription","subject":"{{incident.title}} MARK","body":"{{event.verb}}"}
              """,
              ApiFuzzTests::answered),
          body(
              "POST",
              "/api/v1/services/{serviceId}/subscriptions",
              """
              {"userId":"{subscriberId}"}
              """,
              (node, response, marker, request, seen) -> {
                assertThat(
                        get(node, node.fill("/api/v1/services/{serviceId}/subscriptions")).body())
                    .as("the subscription is stored: " + seen)
                    .contains(field(response, "id"));
                send(
                    node,
                    "DELETE",
                    node.fill(
                        "/api/v1/services/{serviceId}/subscriptions/" + field(response, "id")),
                    ADMIN.replace("{admin}", node.admin()),
                    null);
              }),
          body(
              "PATCH",
              "/api/v1/services/{serviceId}",
              """
              {"description":"described MARK","autoResolve":false}
              """,
              readsBack("/api/v1/services/{serviceId}")),
          body(
              "PATCH",
              "/api/v1/users/{userId}",
              """
              {"name":"Fixture MARK","timeZone":"America/New_York","role":"responder"}
              """,
              readsBack("/api/v1/users/{userId}")),
          body(
              "PATCH",
              "/api/v1/integrations/{genericId}",
              """
              {"name":"gen MARK","grouping":{"by":"labels","labels":["team"]}}
              """,
              readsBack("/api/v1/integrations/{genericId}")),
          body(
              "PUT",
              "/api/v1/users/{userId}/notification-rules",
              """
              {"high":[],"low":[]}
              """,
              readsBack("/api/v1/users/{userId}/notification-rules")),
          body(
              "PATCH",
              "/api/v1/incidents/{incident}",
              """
              {"severity":"warning","title":"fuzzed MARK","assigneeId":"{userId}"}
              """,
              ApiFuzzTests::answered),
          body(
              "POST",
              "/api/v1/incidents/{incident}/notes",
              """
              {"body":"note MARK"}
              """,
              ApiFuzzTests::answered),
          body(
              "POST",
              "/api/v1/incidents/{incident}/status-updates",
              """
              {"phase":"identified","message":"update MARK"}
              """,
              ApiFuzzTests::answered),
          body(
              "PATCH",
              "/api/v1/incidents/{resolvedIncident}/postmortem",
              """
              {"summary":"s MARK","impact":"i","rootCause":"r","resolution":"x",
               "timeline":[{"at":"2026-01-01T00:00:00Z","text":"began"}],
               "followUps":[{"description":"fix","ownerId":"{userId}","dueDate":"2026-12-31","done":false}]}
              """,
              ApiFuzzTests::answered),
          // Times and other values in query parameters.
          query(
              "/api/v1/schedules/{scheduleId}/oncall",
              Map.of("at", List.of("2026-06-01T00:00:00Z"))),
          query(
              "/api/v1/schedules/{scheduleId}/shifts",
              Map.of(
                  "from", List.of("2026-06-01T00:00:00Z"), "to", List.of("2026-06-08T00:00:00Z"))),
          query(
              "/api/v1/schedules/{scheduleId}/overrides",
              Map.of(
                  "from", List.of("2026-06-01T00:00:00Z"), "to", List.of("2026-06-08T00:00:00Z"))),
          query(
              "/api/v1/me/shifts",
              Map.of(
                  "from", List.of("2026-06-01T00:00:00Z"), "to", List.of("2026-06-08T00:00:00Z"))),
          query(
              "/api/v1/services/{serviceId}/oncall", Map.of("at", List.of("2026-06-01T00:00:00Z"))),
          query(
              "/api/v1/services/{serviceId}/changes",
              Map.of(
                  "since", List.of("2026-06-01T00:00:00Z"),
                  "until", List.of("2026-06-08T00:00:00Z"),
                  "limit", List.of("10"))),
          query(
              "/api/v1/incidents",
              Map.of(
                  "since", List.of("2026-06-01T00:00:00Z"),
                  "until", List.of("2026-06-08T00:00:00Z"),
                  "status", List.of("open"),
                  "limit", List.of("10"))),
          query(
              "/api/v1/incidents/stats",
              Map.of(
                  "since",
                  List.of("2026-06-01T00:00:00Z"),
                  "until",
                  List.of("2026-06-08T00:00:00Z"))),
          query(
              "/api/v1/audit",
              Map.of(
                  "from", List.of("2026-06-01T00:00:00Z"), "to", List.of("2026-06-08T00:00:00Z"))),
          query("/api/v2/alerts", Map.of("filter", List.of("alertname=\"Fuzz\""))),
          query("/api/v1/silences", Map.of("state", List.of("active"))));

  @Provide
  Arbitrary<Request> requests() {
    Arbitrary<Integer> node = Arbitraries.integers().between(0, TestDatabase.values().length - 1);
    Arbitrary<Endpoint> endpoint = Arbitraries.of(ENDPOINTS);
    return Combinators.combine(node, endpoint)
        .flatAs(
            (n, e) ->
                e.body() == null
                    ? queryMutations(e).map(m -> m.apply(n))
                    : bodyMutations(e).map(m -> m.apply(n)));
  }

  /** A mutation of an endpoint's valid body, waiting for the node it is sent to. */
  private static Arbitrary<Function<Integer, Request>> bodyMutations(Endpoint endpoint) {
    JsonNode valid = JSON.readTree(endpoint.body());
    List<List<Object>> paths = new ArrayList<>();
    collectPaths(valid, new ArrayList<>(), paths);
    Arbitrary<Function<Integer, Request>> atField =
        Combinators.combine(Arbitraries.of(paths), fieldMutation())
            .as(
                (path, mutation) ->
                    n -> {
                      JsonNode copy = valid.deepCopy();
                      String description = mutation.apply(copy, path);
                      return new Request(
                          n,
                          endpoint,
                          endpoint.path(),
                          JSON.writeValueAsString(copy),
                          description + " at " + pathText(path),
                          nestedInAList(description, valid, path) ? List.of() : fieldNames(path));
                    });
    Arbitrary<Function<Integer, Request>> wholeBody =
        wholeBody(valid)
            .map(
                broken ->
                    n ->
                        new Request(
                            n, endpoint, endpoint.path(), broken, "a broken body", List.of()));
    Arbitrary<Function<Integer, Request>> unchanged =
        Arbitraries.just(
            n ->
                new Request(n, endpoint, endpoint.path(), endpoint.body(), "no change", List.of()));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(16, atField),
        net.jqwik.api.Tuple.of(3, wholeBody),
        net.jqwik.api.Tuple.of(1, unchanged));
  }

  private static Arbitrary<Function<Integer, Request>> queryMutations(Endpoint endpoint) {
    List<String> names = new ArrayList<>(endpoint.query().keySet());
    names.sort(null);
    // Tomcat refuses a request line over 8 KB before Tocsin sees it, so query values stay short.
    Arbitrary<String> values = weirdText().filter(value -> value.length() <= 2_000);
    return Combinators.combine(Arbitraries.of(names), values, Arbitraries.of(true, false))
        .as(
            (name, value, drop) ->
                n -> {
                  StringBuilder path = new StringBuilder(endpoint.path());
                  char separator = '?';
                  for (String key : names) {
                    String given = key.equals(name) ? value : endpoint.query().get(key).get(0);
                    if (key.equals(name) && drop) {
                      continue;
                    }
                    path.append(separator)
                        .append(key)
                        .append('=')
                        .append(URLEncoder.encode(given, StandardCharsets.UTF_8));
                    separator = '&';
                  }
                  return new Request(
                      n,
                      endpoint,
                      path.toString(),
                      null,
                      drop ? "no " + name : name + "=" + abbreviate(value),
                      drop ? List.of() : List.of(name));
                });
  }

  /** Paths to every value in a JSON tree: object member names and array indexes. */
  private static void collectPaths(JsonNode node, List<Object> at, List<List<Object>> paths) {
    if (!at.isEmpty()) {
      paths.add(List.copyOf(at));
    }
    if (node.isObject()) {
      for (String name : node.propertyNames()) {
        at.add(name);
        collectPaths(node.get(name), at, paths);
        at.remove(at.size() - 1);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        at.add(i);
        collectPaths(node.get(i), at, paths);
        at.remove(at.size() - 1);
      }
    }
  }

  /**
   * Jackson 3.1.7 reads a list of strings with an array for an element ({@code "labels":[["a"]]})
   * out of step and fails at the end of the body, where the path is lost: the refusal is a 400 that
   * cannot name the field.
   */
  private static boolean nestedInAList(String description, JsonNode valid, List<Object> path) {
    return description.contains("wrapped in an array")
        && (path.get(path.size() - 1) instanceof Integer || at(valid, path).isArray());
  }

  /** The member names a refusal may mention, innermost first. */
  private static List<String> fieldNames(List<Object> path) {
    List<String> names = new ArrayList<>();
    for (int i = path.size() - 1; i >= 0; i--) {
      if (path.get(i) instanceof String name) {
        names.add(name);
      }
    }
    return names;
  }

  private static String pathText(List<Object> path) {
    StringBuilder text = new StringBuilder();
    for (Object step : path) {
      text.append(step instanceof String name ? "." + name : "[" + step + "]");
    }
    return text.toString();
  }

  /** Changes a tree at a path and says how. */
  @FunctionalInterface
  interface FieldMutation {
    String apply(JsonNode root, List<Object> path);
  }

  private static Arbitrary<FieldMutation> fieldMutation() {
    Arbitrary<FieldMutation> replace =
        weirdValue()
            .map(value -> (root, path) -> set(root, path, value) + abbreviate(value.toString()));
    Arbitrary<FieldMutation> remove =
        Arbitraries.just(
            (root, path) -> {
              JsonNode parent = at(root, path.subList(0, path.size() - 1));
              Object last = path.get(path.size() - 1);
              if (parent instanceof ObjectNode object && last instanceof String name) {
                object.remove(name);
              } else if (parent instanceof ArrayNode array && last instanceof Integer index) {
                array.remove(index);
              }
              return "removed";
            });
    Arbitrary<FieldMutation> wrap =
        Arbitraries.of("array", "object")
            .map(
                kind ->
                    (root, path) -> {
                      JsonNode value = at(root, path).deepCopy();
                      JsonNode wrapped =
                          kind.equals("array")
                              ? NODES.arrayNode().add(value)
                              : NODES.objectNode().set("value", value);
                      return set(root, path, wrapped) + "wrapped in an " + kind;
                    });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, replace),
        net.jqwik.api.Tuple.of(2, remove),
        net.jqwik.api.Tuple.of(1, wrap));
  }

  private static JsonNode at(JsonNode root, List<Object> path) {
    JsonNode node = root;
    for (Object step : path) {
      node = step instanceof String name ? node.get(name) : node.get((Integer) step);
    }
    return node;
  }

  private static String set(JsonNode root, List<Object> path, JsonNode value) {
    JsonNode parent = at(root, path.subList(0, path.size() - 1));
    Object last = path.get(path.size() - 1);
    if (parent instanceof ObjectNode object && last instanceof String name) {
      object.set(name, value);
    } else if (parent instanceof ArrayNode array && last instanceof Integer index) {
      array.set(index, value);
    }
    return "set to ";
  }

  /** Values that break a field: wrong types, extremes, control characters, unknown words. */
  private static Arbitrary<JsonNode> weirdValue() {
    Arbitrary<JsonNode> text = weirdText().map(NODES::stringNode);
    Arbitrary<JsonNode> numbers =
        Arbitraries.of(
            NODES.numberNode(0),
            NODES.numberNode(-1),
            NODES.numberNode(Integer.MAX_VALUE),
            NODES.numberNode(Long.MAX_VALUE),
            NODES.numberNode(Long.MIN_VALUE),
            NODES.numberNode(new java.math.BigInteger("9223372036854775808000")),
            NODES.numberNode(1.5),
            NODES.numberNode(-1e308),
            NODES.numberNode(1e308),
            NODES.numberNode(new java.math.BigDecimal("1e400")));
    Arbitrary<JsonNode> others =
        Arbitraries.of(
            NODES.nullNode(),
            NODES.booleanNode(true),
            NODES.objectNode(),
            NODES.arrayNode(),
            NODES.arrayNode().add(NODES.nullNode()),
            NODES.objectNode().set("a", NODES.objectNode().put("b", "c")));
    Arbitrary<JsonNode> deep =
        Arbitraries.integers()
            .between(2, 300)
            .map(
                depth -> {
                  JsonNode nested = NODES.stringNode("x");
                  for (int i = 0; i < depth; i++) {
                    nested = NODES.arrayNode().add(nested);
                  }
                  return nested;
                });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(10, text),
        net.jqwik.api.Tuple.of(4, numbers),
        net.jqwik.api.Tuple.of(4, others),
        net.jqwik.api.Tuple.of(1, deep));
  }

  /** Strings that break a field, including times beyond any calendar Tocsin keeps. */
  private static Arbitrary<String> weirdText() {
    Arbitrary<String> fixed =
        Arbitraries.of(
            "",
            " ",
            "\u0000",
            "a\u0000b",
            "\u0001\u0007\u001b[31m\u007f",
            "\r\n\t",
            "UNKNOWN_VALUE",
            "CRITICAL",
            "Resolved",
            "null",
            "-1",
            "1e309",
            "NaN",
            "\uD83D\uDD25\u202E\u200B",
            "\uD800",
            "../../etc/passwd",
            "{{>partial}}",
            "{{#unclosed}}",
            "<script>alert(1)</script>",
            "+1000000000-01-01T00:00:00Z",
            "+999999999-12-31T23:59:59Z",
            "-999999999-01-01T00:00:00Z",
            "+10000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "1969-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-06-01T25:00",
            "+999999999-12-31T23:59",
            "+999999999-12-31",
            "-999999999-01-01",
            "-999999999-01-01T00:00",
            "2026-06-01T09:00:00+25:00",
            "PT-1S",
            "P999999999999D",
            "00000000-0000-0000-0000-000000000000",
            "not-a-uuid",
            "Mars/Olympus_Mons");
    Arbitrary<String> long_ = Arbitraries.of(300, 5_000, 70_000).map(length -> "x".repeat(length));
    Arbitrary<String> random = Arbitraries.strings().all().ofMinLength(0).ofMaxLength(40);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, fixed),
        net.jqwik.api.Tuple.of(1, long_),
        net.jqwik.api.Tuple.of(2, random));
  }

  /** Bodies that are not the request at all. */
  private static Arbitrary<String> wholeBody(JsonNode valid) {
    String text = JSON.writeValueAsString(valid);
    return Arbitraries.of(
        "null",
        "",
        "[]",
        "{}",
        "[null]",
        "\"text\"",
        "42",
        "true",
        "[" + text + "]",
        text.substring(0, text.length() / 2),
        text + "}",
        "{\"unknown\":1," + text.substring(1),
        "[".repeat(5000) + "]".repeat(5000),
        "\u0000");
  }

  // ---------------------------------------------------------------------------------------------
  // How a 2xx is read back

  private static void answered(
      Node node, HttpResponse<String> response, String marker, Request request, String seen) {}

  private static Stored created(String readPath) {
    return (node, response, marker, request, seen) -> {
      String id = field(response, "id");
      assertThat(id).as("a 2xx names what it created: " + seen).isNotBlank();
      assertThat(get(node, node.fill(readPath) + id).statusCode())
          .as("what a 2xx created can be read: " + seen)
          .isEqualTo(200);
    };
  }

  private static Stored listed(String listPath) {
    return (node, response, marker, request, seen) ->
        assertThat(get(node, node.fill(listPath)).body())
            .as("what a 2xx created is listed: " + seen)
            .contains(field(response, "id"));
  }

  /** A PUT's answer is what a GET then reads. */
  private static Stored readsBack(String readPath) {
    return (node, response, marker, request, seen) -> {
      HttpResponse<String> read = get(node, node.fill(readPath));
      assertThat(read.statusCode()).as(seen).isEqualTo(200);
      assertThat(JSON.readTree(read.body()))
          .as("what a 2xx answered is stored: " + seen)
          .isEqualTo(JSON.readTree(response.body()));
    };
  }

  /**
   * An alert whose marker survived the mutation is in the store. A resolve of an alert Tocsin never
   * saw is answered 2xx and stored as nothing, as Alertmanager and PagerDuty do.
   */
  private static Stored alertStored() {
    return (node, response, marker, request, seen) -> {
      String sent = node.fill(request.body() == null ? "" : request.body()).replace(MARK, marker);
      if (!sent.contains(marker) || resolves(sent, request)) {
        return;
      }
      Integer rows =
          node.tocsin()
              .bean(JdbcClient.class)
              .sql(
                  "SELECT count(*) FROM ingest_alert WHERE labels LIKE :m OR summary LIKE :m"
                      + " OR fingerprint LIKE :m")
              .param("m", "%" + marker + "%")
              .query(Integer.class)
              .single();
      boolean dedupKeyed =
          sent.contains("\"dedup") && rows == 0 && storedByDedupKey(node, response);
      assertThat(rows > 0 || dedupKeyed).as("a 2xx stored the alert: " + seen).isTrue();
    };
  }

  private static boolean resolves(String sent, Request request) {
    String mutation = request.mutation().toLowerCase(Locale.ROOT);
    return mutation.contains("status")
        || mutation.contains("event_action")
        || mutation.contains("endsat")
        || mutation.contains("alerts")
        || sent.contains("resolve")
        || sent.contains("acknowledge");
  }

  /** PagerDuty and generic alerts are identified by their dedup key, which the answer carries. */
  private static boolean storedByDedupKey(Node node, HttpResponse<String> response) {
    JsonNode answer = JSON.readTree(response.body());
    return answer != null && (answer.has("dedup_key") || answer.has("alerts"));
  }

  private static Stored changeStored() {
    return (node, response, marker, request, seen) -> {
      String sent = node.fill(request.body() == null ? "" : request.body()).replace(MARK, marker);
      if (!sent.contains("deployed " + marker)) {
        return;
      }
      Integer rows =
          node.tocsin()
              .bean(JdbcClient.class)
              .sql("SELECT count(*) FROM ingest_change_event WHERE summary LIKE :m")
              .param("m", "%" + marker + "%")
              .query(Integer.class)
              .single();
      assertThat(rows).as("a 2xx stored the change: " + seen).isPositive();
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Fixture

  private static Map<String, String> fixture(TocsinHarness tocsin, String admin) {
    String serviceId = tocsin.createService(admin, "fuzzed");
    Map<String, String> ids = new java.util.HashMap<>();
    ids.put("admin", admin);
    ids.put("serviceId", serviceId);
    ids.put(
        "alertmanagerKey",
        tocsin.createIntegration(admin, serviceId, "am", "alertmanager").get("key"));
    Map<String, String> generic = tocsin.createIntegration(admin, serviceId, "gen", "generic");
    ids.put("genericKey", generic.get("key"));
    ids.put("genericId", generic.get("id"));
    ids.put(
        "pagerdutyKey", tocsin.createIntegration(admin, serviceId, "pd", "pagerduty").get("key"));
    ids.put(
        "grafanaKey", tocsin.createIntegration(admin, serviceId, "grafana", "grafana").get("key"));
    Map<String, String> heartbeat = tocsin.createIntegration(admin, serviceId, "hb", "heartbeat");
    ids.put("heartbeatKey", heartbeat.get("key"));
    ids.put("heartbeatId", heartbeat.get("id"));
    ids.put("userId", createdId(tocsin, admin, "/api/v1/users", userBody("fixture")));
    ids.put("subscriberId", createdId(tocsin, admin, "/api/v1/users", userBody("subscriber")));
    ids.put(
        "scheduleId",
        createdId(
            tocsin,
            admin,
            "/api/v1/schedules",
            """
            {"name":"fixture","timeZone":"UTC","layers":[{"name":"only","members":["%s"],
             "rotation":{"count":1,"unit":"days"},"start":"2026-01-05T09:00","restrictions":[]}]}
            """
                .formatted(ids.get("userId"))));
    ids.put(
        "silenceId",
        createdId(
            tocsin,
            admin,
            "/api/v1/silences",
            """
            {"matchers":[{"name":"alertname","operator":"=","value":"fixture"}],
             "endsAt":"2099-01-01T00:00:00Z","comment":"fixture"}
            """));
    // A resolved incident with a postmortem draft, then an open one.
    String resolved = openIncident(tocsin, admin, ids.get("genericKey"), "fixture resolved");
    HttpResponse<String> resolving =
        send(tocsin, "PATCH", "/api/v1/incidents/" + resolved, admin, "{\"status\":\"resolved\"}");
    assertThat(resolving.statusCode()).as(resolving.body()).isEqualTo(200);
    HttpResponse<String> postmortem =
        tocsin.postJson("/api/v1/incidents/" + resolved + "/postmortem", "Bearer " + admin, "{}");
    assertThat(postmortem.statusCode()).as(postmortem.body()).isBetween(200, 201);
    ids.put("resolvedIncident", resolved);
    ids.put("incident", openIncident(tocsin, admin, ids.get("genericKey"), "fixture open"));
    return Map.copyOf(ids);
  }

  /** Sends an alert and waits for the open incident it is in; returns the incident's number. */
  private static String openIncident(
      TocsinHarness tocsin, String admin, String genericKey, String summary) {
    HttpResponse<String> alert =
        send(tocsin, "POST", "/api/v1/alerts", genericKey, "{\"summary\":\"" + summary + "\"}");
    assertThat(alert.statusCode()).as(alert.body()).isEqualTo(202);
    return org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(
            () -> {
              JsonNode items =
                  JSON.readTree(
                          send(tocsin, "GET", "/api/v1/incidents?status=open", admin, null).body())
                      .get("items");
              return items == null || items.isEmpty() ? null : items.get(0).get("number");
            },
            number -> number != null)
        .asString();
  }

  private static HttpResponse<String> send(
      TocsinHarness tocsin, String method, String path, String token, @Nullable String body) {
    return tocsin.send(method, path, "Bearer " + token, body);
  }

  private static String userBody(String name) {
    return """
        {"name":"%s","email":"%s@example.com","role":"responder","timeZone":"UTC",
         "password":"a long enough password"}
        """
        .formatted(name, name);
  }

  private static String createdId(TocsinHarness tocsin, String admin, String path, String body) {
    HttpResponse<String> created = tocsin.postJson(path, "Bearer " + admin, body);
    assertThat(created.statusCode()).as(path + ": " + created.body()).isEqualTo(201);
    return TocsinHarness.field(created, "id");
  }

  private static HttpResponse<String> get(Node node, String path) {
    return send(node, "GET", path, "Bearer " + node.admin(), null);
  }

  private static String field(HttpResponse<String> response, String name) {
    JsonNode answer = JSON.readTree(response.body());
    return answer == null || !answer.has(name) ? "" : answer.get(name).asString();
  }

  private static String abbreviate(@Nullable String text) {
    if (text == null) {
      return "(none)";
    }
    return text.length() > 400
        ? text.substring(0, 400) + "... (" + text.length() + " chars)"
        : text;
  }
}
