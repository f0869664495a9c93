package io.tocsin.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Tocsin's API as a test calls it: as one user, asserting the status codes it expects. */
public final class Api {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");

  private final TocsinHarness tocsin;
  private final String authorization;

  public Api(TocsinHarness tocsin, String token) {
    this.tocsin = tocsin;
    this.authorization = "Bearer " + token;
  }

  /** The same user on another node. */
  public Api on(TocsinHarness node) {
    return new Api(node, authorization.substring("Bearer ".length()));
  }

  /** A service with an Alertmanager integration, and the key to send its alerts with. */
  public record Service(String id, String name, String key) {}

  /** {@code name} with a number no other call returns, for names that must be unique. */
  public static String unique(String name) {
    return name + "-" + SEQUENCE.incrementAndGet();
  }

  public JsonNode get(String path) {
    HttpResponse<String> response = send("GET", path, null);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** POSTs and expects 201 Created. */
  public JsonNode create(String path, String json) {
    HttpResponse<String> response = send("POST", path, json);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(201);
    return JSON.readTree(response.body());
  }

  /** Sends and expects 200 OK. */
  public JsonNode ok(String method, String path, String json) {
    HttpResponse<String> response = send(method, path, json);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  public HttpResponse<String> send(String method, String path, String json) {
    return tocsin.send(method, path, authorization, json);
  }

  /** A responder named {@code name}; returns the user's id. */
  public String user(String name) {
    return create(
            "/api/v1/users",
            """
            {"name":"%s","email":"%s@example.com","role":"responder","timeZone":"UTC",
             "password":"a long enough password"}
            """
                .formatted(name, unique(name.toLowerCase(Locale.ROOT))))
        .get("id")
        .asString();
  }

  /** A service named after {@code prefix}; {@code fields} adds JSON members to its body. */
  public Service service(String prefix, String fields) {
    String name = unique(prefix);
    String id =
        create(
                "/api/v1/services",
                "{\"name\":\"" + name + "\"" + (fields.isEmpty() ? "" : "," + fields) + "}")
            .get("id")
            .asString();
    String key =
        create(
                "/api/v1/services/" + id + "/integrations",
                "{\"name\":\"am-" + name + "\",\"kind\":\"alertmanager\"}")
            .get("key")
            .asString();
    return new Service(id, name, "Bearer " + key);
  }

  /** A team named {@code name} with the users {@code members}; returns its id. */
  public String team(String name, String... members) {
    StringBuilder list = new StringBuilder();
    for (String member : members) {
      list.append(list.isEmpty() ? "" : ",").append("{\"userId\":\"").append(member).append("\"}");
    }
    return create("/api/v1/teams", "{\"name\":\"" + name + "\",\"members\":[" + list + "]}")
        .get("id")
        .asString();
  }

  /** A service named exactly {@code name}, owned by {@code team} or by none; returns its id. */
  public String ownedService(String name, @Nullable String team) {
    return create(
            "/api/v1/services",
            "{\"name\":\""
                + name
                + "\""
                + (team == null ? "" : ",\"ownerTeamId\":\"" + team + "\"")
                + "}")
        .get("id")
        .asString();
  }

  /** Declares an incident titled {@code title} on the service; returns its number. */
  public long declare(String serviceId, String title) {
    return create(
            "/api/v1/incidents", "{\"title\":\"" + title + "\",\"service\":\"" + serviceId + "\"}")
        .get("number")
        .asLong();
  }

  /** A service named after {@code prefix}, with no integration yet; returns its id. */
  public String bareService(String prefix) {
    return create("/api/v1/services", "{\"name\":\"" + unique(prefix) + "\"}").get("id").asString();
  }

  /** The incidents of the service {@code serviceId}, as the incident list answers. */
  public List<JsonNode> incidents(String serviceId) {
    return get("/api/v1/incidents?service=" + serviceId).get("items").valueStream().toList();
  }

  /** Waits until the service {@code serviceId} has one open incident, and returns it. */
  public JsonNode awaitOpenIncident(String serviceId) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> get("/api/v1/incidents?status=open&service=" + serviceId).get("items"),
            open -> open.size() == 1)
        .get(0);
  }

  /** The service's incident titled {@code title}, if it has one. */
  public Optional<JsonNode> findIncident(String serviceId, String title) {
    return incidents(serviceId).stream()
        .filter(incident -> incident.get("title").asString().equals(title))
        .findFirst();
  }

  /** The service's incident titled {@code title}; fails when it has none. */
  public JsonNode incident(String serviceId, String title) {
    return findIncident(serviceId, title)
        .orElseThrow(() -> new AssertionError("no incident " + title + " on " + serviceId));
  }

  /** The status of the service's incident titled {@code title}; fails when it has none. */
  public String status(String serviceId, String title) {
    return incident(serviceId, title).get("status").asString();
  }

  /** An alert as Alertmanager's API v2 takes it, with a summary annotation. */
  public static String alert(String name, String... labels) {
    StringBuilder json = new StringBuilder("{\"alertname\":\"" + name + "\"");
    for (int i = 0; i < labels.length; i += 2) {
      json.append(",\"").append(labels[i]).append("\":\"").append(labels[i + 1]).append("\"");
    }
    return "{\"labels\":" + json + "},\"annotations\":{\"summary\":\"" + name + " summary\"}}";
  }

  /** Sends alerts to the service's integration, as Alertmanager would. */
  public void fire(Service service, String... alerts) {
    HttpResponse<String> sent =
        tocsin.send("POST", "/api/v2/alerts", service.key(), "[" + String.join(",", alerts) + "]");
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
  }

  /** The value of a metric line that starts with {@code series}, or 0 when it is absent. */
  public double metric(String series) {
    return tocsin.metricValues(series).sum();
  }

  /**
   * A webhook contact method of {@code user} on {@code receiver}, verified with the code it
   * received (which gives the user the default notification rules); returns its path on the
   * receiver, where the user's pages arrive.
   */
  public String verifiedWebhook(String user, RecordingHttpServer receiver) {
    String path = "/hook/" + unique("person");
    String base = "/api/v1/users/" + user + "/contact-methods";
    String id =
        create(
                base,
                "{\"type\":\"webhook\",\"name\":\"hook\",\"target\":\""
                    + receiver.url(path)
                    + "\"}")
            .get("id")
            .asString();
    assertThat(send("POST", base + "/" + id + "/verification", null).statusCode()).isEqualTo(202);
    String text =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    receiver.requests(path).stream()
                        .map(RecordingHttpServer.Request::body)
                        .filter(body -> CODE.matcher(body).find())
                        .findFirst()
                        .orElse(null),
                body -> body != null);
    Matcher code = CODE.matcher(text);
    assertThat(code.find()).isTrue();
    ok("POST", base + "/" + id + "/verify", "{\"code\":\"" + code.group(1) + "\"}");
    return path;
  }

  /** A policy target that pages the user {@code id}, as the escalation-policy API takes it. */
  public static String userTarget(String id) {
    return "{\"type\":\"user\",\"id\":\"" + id + "\"}";
  }

  /** A policy level that pages {@code targets} {@code delayMinutes} after the level before. */
  public static String level(int delayMinutes, String... targets) {
    return "{\"delayMinutes\":%d,\"targets\":[%s]}"
        .formatted(delayMinutes, String.join(",", targets));
  }

  /** An escalation policy of {@code levels}, run {@code repeat} more times; returns its id. */
  public String policy(int repeat, String... levels) {
    return create(
            "/api/v1/escalation-policies",
            "{\"name\":\"%s\",\"repeat\":%d,\"levels\":[%s]}"
                .formatted(unique("policy"), repeat, String.join(",", levels)))
        .get("id")
        .asString();
  }

  /** An escalation policy that pages {@code user} at once, then again after 30 minutes. */
  public String policyPaging(String user) {
    return policy(0, level(30, userTarget(user)));
  }

  /** Makes the service follow the escalation policy. */
  public void follow(Service service, String policy) {
    ok(
        "PUT",
        "/api/v1/services/" + service.id() + "/escalation-policy",
        "{\"policyId\":\"" + policy + "\"}");
  }

  /**
   * Gives the service's first integration the routing rules of {@code body} (the API's {@code
   * {"rules":[…]}}); returns that integration's id.
   */
  public String route(Service service, String body) {
    String integration =
        get("/api/v1/services/" + service.id() + "/integrations").get(0).get("id").asString();
    ok("PUT", "/api/v1/integrations/" + integration + "/routing", body);
    return integration;
  }
}
