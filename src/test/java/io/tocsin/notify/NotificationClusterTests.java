package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.TocsinApplication;
import io.tocsin.testing.Api;
import io.tocsin.testing.RecordingHttpServer;
import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The outbox on PostgreSQL with several Tocsin processes: two nodes deliver every message once, and
 * a process killed between claiming a message and recording its result leaves it to be delivered by
 * another after the lease, with the same idempotency key.
 */
class NotificationClusterTests {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String SECRET = "notification-cluster-secret-0123456789abcdef";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");

  private static TestDatabase.CleanSchema schema;
  private static RecordingHttpServer receiver;

  @BeforeAll
  static void createSchema() throws IOException {
    schema = TestDatabase.POSTGRESQL.createCleanSchema();
    receiver = new RecordingHttpServer();
  }

  @AfterAll
  static void dropSchema() {
    receiver.close();
    schema.close();
  }

  @Test
  void twoNodesDeliverEveryMessageExactlyOnce() throws IOException {
    int incidents = 20;
    try (TocsinHarness first = node(true, Map.of());
        TocsinHarness second = node(false, Map.of())) {
      Api one = new Api(first, first.adminToken());
      Api other = one.on(second);
      List<String> users = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String user = one.user("Paged" + i);
        verifiedWebhook(one, user, "/cluster/" + Api.unique("u"));
        users.add(user);
      }
      String policy =
          one.policy(0, Api.level(30, users.stream().map(Api::userTarget).toArray(String[]::new)));
      Api.Service service = one.service("cluster", "\"autoResolve\":false");
      one.follow(service, policy);
      for (int i = 0; i < incidents; i++) {
        (i % 2 == 0 ? one : other)
            .fire(service, Api.alert(Api.unique("Cluster"), "severity", "critical"));
      }

      await().atMost(WAIT).until(() -> pages().size() >= incidents * 3);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  one.metric("tocsin_notification_queue_depth{channel=\"webhook\"}") == 0
                      && other.metric("tocsin_notification_queue_depth{channel=\"webhook\"}") == 0);
      Map<String, Long> byKey =
          pages().stream()
              .collect(
                  Collectors.groupingBy(
                      r -> r.headers().get("idempotency-key"), Collectors.counting()));
      assertThat(byKey).hasSize(incidents * 3);
      assertThat(byKey.values()).as("no message sent twice").allMatch(count -> count == 1);
      double delivered =
          one.metric("tocsin_notifications_total{channel=\"webhook\",outcome=\"delivered\"}")
              + other.metric(
                  "tocsin_notifications_total{channel=\"webhook\",outcome=\"delivered\"}");
      Map<String, Long> all =
          receiver.requests().stream()
              .filter(r -> r.path().startsWith("/cluster/"))
              .collect(
                  Collectors.groupingBy(
                      r -> r.headers().get("idempotency-key"), Collectors.counting()));
      assertThat(all.values()).as("verification messages once too").allMatch(count -> count == 1);
      assertThat(delivered).as(all.toString()).isEqualTo(incidents * 3 + 3);
    }
  }

  @Test
  void aMessageClaimedByAKilledProcessIsDeliveredAfterTheLeaseWithTheSameKey() throws Exception {
    Map<String, Object> shortLease = Map.of("tocsin.notify.lease", "3s");
    Process doomed = null;
    try {
      int port = freePort();
      doomed = process(port, shortLease);
      HttpClient http = HttpClient.newHttpClient();
      URI base = URI.create("http://127.0.0.1:" + port);
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .until(
              () ->
                  http.send(
                              HttpRequest.newBuilder(base.resolve("/actuator/health/readiness"))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString())
                          .statusCode()
                      == 200);
      String token = token(http, base);
      String user =
          apiCall(
              http,
              base,
              token,
              "POST",
              "/api/v1/users",
              """
          {"name":"Kim","email":"kim@example.com","role":"responder","timeZone":"UTC",
           "password":"a long enough password"}""");
      String userId = JSON.readTree(user).get("id").asString();
      String path = "/crash/" + Api.unique("kim");
      String method =
          JSON.readTree(
                  apiCall(
                      http,
                      base,
                      token,
                      "POST",
                      "/api/v1/users/" + userId + "/contact-methods",
                      "{\"type\":\"webhook\",\"target\":\"" + receiver.url(path) + "\"}"))
              .get("id")
              .asString();

      receiver.hang();
      String sent =
          apiCall(
              http,
              base,
              token,
              "POST",
              "/api/v1/users/" + userId + "/contact-methods/" + method + "/test",
              null);
      String messageId = JSON.readTree(sent).get("messageId").asString();
      await().atMost(WAIT).until(() -> receiver.requests(path).size() == 1);
      doomed.destroyForcibly().waitFor();
      receiver.release();

      try (TocsinHarness survivor = node(false, shortLease)) {
        Api api = new Api(survivor, token);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    api.get("/api/v1/users/" + userId + "/messages/" + messageId)
                        .get("status")
                        .asString(),
                "delivered"::equals);
        List<RecordingHttpServer.Request> tries = receiver.requests(path);
        assertThat(tries).hasSize(2);
        assertThat(tries.get(1).headers().get("idempotency-key"))
            .isEqualTo(tries.get(0).headers().get("idempotency-key"));
        assertThat(
                api.get("/api/v1/users/" + userId + "/messages/" + messageId)
                    .get("attempts")
                    .asInt())
            .isEqualTo(2);
      }
    } finally {
      receiver.release();
      if (doomed != null) {
        doomed.destroyForcibly();
      }
    }
  }

  /** A whole Tocsin in a process of its own, so that it can be killed like a crashed node. */
  private static Process process(int port, Map<String, Object> settings) throws IOException {
    Path data = Files.createTempDirectory("tocsin-doomed");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(TocsinApplication.class.getName());
    Map<String, Object> all = new HashMap<>(settings);
    all.put("server.port", port);
    all.put("tocsin.log-format", "text");
    all.put("tocsin.data-dir", data);
    all.put("tocsin.database.url", schema.url());
    all.put("tocsin.database.user", schema.user());
    all.put("tocsin.database.password", schema.password());
    all.put("tocsin.secret-key", SECRET);
    all.put("tocsin.admin.email", TocsinHarness.ADMIN_EMAIL);
    all.put("tocsin.admin.password", TocsinHarness.ADMIN_PASSWORD);
    all.put("tocsin.notify.poll-interval", "100ms");
    // The receiver listens on loopback, as in TocsinHarness.
    all.put("tocsin.notify.allowed-destinations", "127.0.0.0/8,::1/128");
    all.forEach((key, value) -> command.add("--" + key + "=" + value));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(data.resolve("out.log").toFile())
        .start();
  }

  private static String token(HttpClient http, URI base) throws Exception {
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (TocsinHarness.ADMIN_EMAIL + ":" + TocsinHarness.ADMIN_PASSWORD).getBytes());
    return await()
        .atMost(WAIT)
        .until(
            () -> {
              HttpResponse<String> created =
                  http.send(
                      HttpRequest.newBuilder(base.resolve("/api/v1/tokens"))
                          .header("Authorization", "Basic " + basic)
                          .header("Content-Type", "application/json")
                          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"t\"}"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              return created.statusCode() == 201
                  ? JSON.readTree(created.body()).get("token").asString()
                  : null;
            },
            t -> t != null);
  }

  private static String apiCall(
      HttpClient http, URI base, String token, String method, String path, String json)
      throws Exception {
    HttpResponse<String> response =
        http.send(
            TocsinHarness.request(method, base.resolve(path), json)
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isBetween(200, 299);
    return response.body();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void verifiedWebhook(Api api, String user, String path) {
    String base = "/api/v1/users/" + user + "/contact-methods";
    String id =
        api.create(base, "{\"type\":\"webhook\",\"target\":\"" + receiver.url(path) + "\"}")
            .get("id")
            .asString();
    assertThat(api.send("POST", base + "/" + id + "/verification", null).statusCode())
        .isEqualTo(202);
    String body =
        await()
            .atMost(WAIT)
            .until(
                () ->
                    receiver.requests(path).isEmpty() ? "" : receiver.requests(path).get(0).body(),
                b -> CODE.matcher(b).find());
    Matcher code = CODE.matcher(body);
    assertThat(code.find()).isTrue();
    api.ok("POST", base + "/" + id + "/verify", "{\"code\":\"" + code.group(1) + "\"}");
  }

  private static List<RecordingHttpServer.Request> pages() {
    return receiver.requests().stream()
        .filter(r -> r.path().startsWith("/cluster/") && r.body().contains("\"kind\":\"page\""))
        .toList();
  }

  private static TocsinHarness node(boolean withAdmin, Map<String, Object> extra)
      throws IOException {
    Map<String, Object> settings = new HashMap<>(extra);
    settings.put("tocsin.secret-key", SECRET);
    settings.put("tocsin.notify.poll-interval", "50ms");
    settings.put("tocsin.escalation.poll-interval", "50ms");
    settings.put("tocsin.rate-limit.api-token-per-minute", "1000000");
    // Every page counts here: none may be folded into a summary.
    settings.put("tocsin.notify.rate-limit", "1000");
    TocsinHarness node =
        withAdmin
            ? TocsinHarness.startWithAdmin(schema, settings)
            : TocsinHarness.start(
                schema.url(),
                schema.user(),
                schema.password(),
                Files.createTempDirectory("tocsin-notify-node"),
                settings);
    await().atMost(WAIT).until(() -> node.get("/actuator/health/readiness").statusCode() == 200);
    return node;
  }
}
