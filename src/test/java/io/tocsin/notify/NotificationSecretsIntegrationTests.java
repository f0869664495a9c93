package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.platform.SecretCipher;
import io.tocsin.platform.ServerSecret;
import io.tocsin.testing.Api;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.RecordingHttpServer;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Secrets of contact methods at rest: webhook signing secrets, ntfy tokens and Slack and Teams URLs
 * never reach the database in plaintext, deliveries still carry them, and the server key can be
 * rotated (a start with the new key and the old one as previous re-encrypts every row, after which
 * the old key can go).
 */
@ExtendWith(OutputCaptureExtension.class)
class NotificationSecretsIntegrationTests extends BothDatabasesTests {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String KEY_A = "secrets-test-key-a-0123456789abcdefghij";
  private static final String KEY_B = "secrets-test-key-b-0123456789abcdefghij";
  private static final String KEY_C = "secrets-test-key-c-0123456789abcdefghij";
  private static final RecordingHttpServer RECEIVER = RecordingHttpServer.started();

  private static TocsinHarness tocsin;
  private static String running;
  private static Api api;

  @AfterParameterizedClassInvocation
  static void stop() {
    if (tocsin != null) {
      tocsin.close();
      tocsin = null;
      running = null;
    }
  }

  @AfterAll
  static void stopReceiver() {
    RECEIVER.close();
  }

  @Test
  void secretsAreEncryptedAtRestAndDeliveriesStillCarryThem() {
    node(KEY_A);
    String user = api.user("Rest");
    Methods methods = methods(user, "rest");

    for (String id : List.of(methods.webhook(), methods.ntfy(), methods.slack(), methods.teams())) {
      Stored stored = stored(id);
      assertThat(stored.target() + stored.settings())
          .doesNotContain(methods.webhookSecret())
          .doesNotContain(methods.ntfyToken())
          .doesNotContain(methods.slackPath())
          .doesNotContain(methods.teamsPath());
    }
    assertThat(stored(methods.slack()).target()).startsWith("enc:v1:" + keyId(KEY_A) + ":");
    assertThat(stored(methods.teams()).target()).startsWith("enc:v1:" + keyId(KEY_A) + ":");
    assertThat(stored(methods.webhook()).settings()).contains("enc:v1:" + keyId(KEY_A) + ":");
    assertThat(stored(methods.ntfy()).settings())
        .contains("enc:v1:" + keyId(KEY_A) + ":")
        .contains("\"topic\":\"oncall\"");

    JsonNode listed = api.get("/api/v1/users/" + user + "/contact-methods");
    assertThat(listed.toString())
        .doesNotContain(methods.webhookSecret())
        .doesNotContain(methods.ntfyToken())
        .contains(RECEIVER.url(methods.slackPath()));

    deliversThroughAll(user, methods);
  }

  @Test
  void aNewKeyWithTheOldAsPreviousReencryptsEveryRowAndLegacyPlaintextThenTheOldKeyCanGo() {
    node(KEY_A);
    String user = api.user("Rotated");
    Methods methods = methods(user, "rotated");
    String legacySecret = "legacy-plaintext-secret-" + UUID.randomUUID();
    String legacyHook = legacy(user, "webhook", "/legacy-hook/" + Api.unique("l"), legacySecret);
    String legacySlackPath = "/legacy-slack/" + Api.unique("l") + "/T00/B00/plain";
    String legacySlack = legacy(user, "slack", legacySlackPath, null);
    assertThat(stored(legacySlack).target()).contains(legacySlackPath);

    node(KEY_B, KEY_A);

    List<String> all =
        List.of(
            methods.webhook(),
            methods.ntfy(),
            methods.slack(),
            methods.teams(),
            legacyHook,
            legacySlack);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              for (String id : all) {
                Stored stored = stored(id);
                assertThat(stored.target() + stored.settings())
                    .doesNotContain("enc:v1:" + keyId(KEY_A))
                    .doesNotContain(legacySecret)
                    .doesNotContain(legacySlackPath);
              }
            });
    assertThat(stored(legacySlack).target()).startsWith("enc:v1:" + keyId(KEY_B) + ":");
    assertThat(stored(legacyHook).settings()).contains("enc:v1:" + keyId(KEY_B) + ":");
    deliversThroughAll(user, methods);
    assertThat(signed(user, legacyHook, legacySecret)).isTrue();
    delivered(user, legacySlack, legacySlackPath);

    node(KEY_B);

    deliversThroughAll(user, methods);
    assertThat(signed(user, legacyHook, legacySecret)).isTrue();
  }

  @Test
  void tokensAndIntegrationKeysIssuedUnderTheOldKeyKeepWorkingAndMoveToTheNewOneOnFirstUse() {
    node(KEY_A);
    Api.Service used = api.service("rotated-used", "");
    Api.Service idle = api.service("rotated-idle", "");
    String token = tocsin.adminToken();

    node(KEY_B, KEY_A);

    api.fire(used, Api.alert("SentAfterTheKeyChange"));
    assertThat(new Api(tocsin, token).send("GET", "/api/v1/users", null).statusCode())
        .isEqualTo(200);

    node(KEY_B);

    api.fire(used, Api.alert("SentOnceTheOldKeyIsGone"));
    assertThat(new Api(tocsin, token).send("GET", "/api/v1/users", null).statusCode())
        .isEqualTo(200);
    assertThat(
            tocsin
                .send(
                    java.net.http.HttpRequest.newBuilder(tocsin.uri("/api/v2/alerts"))
                        .header("Authorization", idle.key())
                        .header("Content-Type", "application/json")
                        .POST(
                            java.net.http.HttpRequest.BodyPublishers.ofString(
                                "[" + Api.alert("NeverMoved") + "]"))
                        .build())
                .statusCode())
        .as("a key never presented while the old key was configured stays under it")
        .isEqualTo(401);
  }

  @Test
  void aSecretUnderAKeyNoLongerConfiguredFailsItsDeliveryByNameAndTheMethodStillLists(
      CapturedOutput output) {
    node(KEY_A);
    String user = api.user("Lost");
    String path = "/lost/" + Api.unique("slack") + "/T00/B00/gone";
    String slack =
        api.create(
                "/api/v1/users/" + user + "/contact-methods",
                "{\"type\":\"slack\",\"target\":\"" + RECEIVER.url(path) + "\"}")
            .get("id")
            .asString();

    node(KEY_C);

    JsonNode listed = api.get("/api/v1/users/" + user + "/contact-methods").get(0);
    String expected = "cannot decrypt secret: key " + keyId(KEY_A) + " not configured";
    assertThat(listed.get("unreadable").asString()).isEqualTo(expected);
    assertThat(listed.get("target").asString()).isEqualTo("********");
    String message = test(user, slack);
    JsonNode attempt =
        await()
            .atMost(WAIT)
            .until(
                () -> api.get("/api/v1/users/" + user + "/messages/" + message),
                m -> m.get("attempts").asInt() >= 1);
    assertThat(attempt.get("lastError").asString()).isEqualTo(expected);
    assertThat(attempt.get("status").asString()).isEqualTo("pending");
    assertThat(RECEIVER.requests(path)).isEmpty();
    await()
        .atMost(WAIT)
        .until(
            output::getOut,
            out ->
                out.lines()
                    .anyMatch(
                        line ->
                            line.contains("hold secrets under key")
                                && line.contains(keyId(KEY_A))
                                && line.contains(
                                    "which is neither TOCSIN_SECRET_KEY (key "
                                        + keyId(KEY_C)
                                        + ")")));
  }

  /** The methods of one user, and the secrets they were created with. */
  private record Methods(
      String webhook,
      String webhookPath,
      String webhookSecret,
      String ntfy,
      String ntfyPath,
      String ntfyToken,
      String slack,
      String slackPath,
      String teams,
      String teamsPath) {}

  private static Methods methods(String user, String name) {
    String webhookPath = "/hook/" + Api.unique(name);
    String webhookSecret = "webhook-signing-secret-" + UUID.randomUUID();
    String ntfyPath = "/ntfy-" + Api.unique(name);
    String ntfyToken = "tk_" + UUID.randomUUID().toString().replace("-", "");
    String slackPath = "/slack/" + Api.unique(name) + "/T0001/B0001/" + UUID.randomUUID();
    String teamsPath = "/teams/" + Api.unique(name) + "/workflows/" + UUID.randomUUID();
    return new Methods(
        create(
            user,
            "{\"type\":\"webhook\",\"target\":\"%s\",\"settings\":{\"secret\":\"%s\"}}"
                .formatted(RECEIVER.url(webhookPath), webhookSecret)),
        webhookPath,
        webhookSecret,
        create(
            user,
            "{\"type\":\"ntfy\",\"target\":\"%s\",\"settings\":{\"topic\":\"oncall\",\"token\":\"%s\"}}"
                .formatted(RECEIVER.url(ntfyPath), ntfyToken)),
        ntfyPath,
        ntfyToken,
        create(user, "{\"type\":\"slack\",\"target\":\"" + RECEIVER.url(slackPath) + "\"}"),
        slackPath,
        create(user, "{\"type\":\"teams\",\"target\":\"" + RECEIVER.url(teamsPath) + "\"}"),
        teamsPath);
  }

  private static String create(String user, String json) {
    return api.create("/api/v1/users/" + user + "/contact-methods", json).get("id").asString();
  }

  /** A test message through each method arrives at its URL, signed or with its token. */
  private static void deliversThroughAll(String user, Methods methods) {
    assertThat(signed(user, methods.webhook(), methods.webhookSecret())).isTrue();
    RecordingHttpServer.Request push = delivered(user, methods.ntfy(), methods.ntfyPath());
    assertThat(push.headers().get("authorization")).isEqualTo("Bearer " + methods.ntfyToken());
    delivered(user, methods.slack(), methods.slackPath());
    delivered(user, methods.teams(), methods.teamsPath());
  }

  /** Whether a test message through the webhook method carries a valid signature under secret. */
  private static boolean signed(String user, String method, String secret) {
    String path =
        api.get("/api/v1/users/" + user + "/contact-methods/" + method)
            .get("target")
            .asString()
            .replaceFirst("^http://[^/]+", "");
    RecordingHttpServer.Request request = delivered(user, method, path);
    String timestamp = request.headers().get("x-tocsin-timestamp");
    return request
        .headers()
        .get("x-tocsin-signature")
        .equals("v1=" + hmac(secret, timestamp + "." + request.body()));
  }

  /** Sends a test message and returns the request it became at {@code path}. */
  private static RecordingHttpServer.Request delivered(String user, String method, String path) {
    int before = RECEIVER.requests(path).size();
    test(user, method);
    List<RecordingHttpServer.Request> requests =
        await().atMost(WAIT).until(() -> RECEIVER.requests(path), r -> r.size() > before);
    return requests.get(requests.size() - 1);
  }

  private static String test(String user, String method) {
    HttpResponse<String> sent =
        api.send("POST", "/api/v1/users/" + user + "/contact-methods/" + method + "/test", null);
    assertThat(sent.statusCode()).isEqualTo(202);
    return JSON.readTree(sent.body()).get("messageId").asString();
  }

  /** A method as an older Tocsin stored it: secrets in plaintext. */
  private static String legacy(String user, String type, String path, String secret) {
    UUID id = UUID.randomUUID();
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    jdbc()
        .sql(
            """
            INSERT INTO notify_contact_method
              (id, user_id, type, name, target, settings, code_attempts, created_at, updated_at)
            VALUES (:id, :user, :type, 'legacy', :target, :settings, 0, :now, :now)
            """)
        .param("id", id)
        .param("user", UUID.fromString(user))
        .param("type", type)
        .param("target", RECEIVER.url(path))
        .param("settings", secret == null ? "{}" : "{\"secret\":\"" + secret + "\"}")
        .param("now", now)
        .update();
    return id.toString();
  }

  private record Stored(String target, String settings) {}

  private static Stored stored(String id) {
    return jdbc()
        .sql("SELECT target, settings FROM notify_contact_method WHERE id = :id")
        .param("id", UUID.fromString(id))
        .query((rs, n) -> new Stored(rs.getString("target"), rs.getString("settings")))
        .single();
  }

  private static JdbcClient jdbc() {
    return JdbcClient.create(schema().dataSource());
  }

  private static String keyId(String key) {
    return SecretCipher.keyId(new ServerSecret(key));
  }

  private static String hmac(String secret, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Makes sure Tocsin runs with this key and these previous keys, restarting it if not. */
  private static void node(String key, String... previous) {
    String wanted = key + "|" + String.join(",", previous);
    if (wanted.equals(running)) {
      return;
    }
    stop();
    try {
      tocsin =
          TocsinHarness.startWithAdmin(
              schema(),
              Map.ofEntries(
                  Map.entry("tocsin.secret-key", key),
                  Map.entry("tocsin.previous-secret-keys", String.join(",", previous)),
                  Map.entry("tocsin.notify.retry-base", "100ms"),
                  Map.entry("tocsin.notify.retry-cap", "1s"),
                  Map.entry("tocsin.notify.poll-interval", "100ms"),
                  Map.entry("tocsin.rate-limit.api-token-per-minute", "1000000")));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    running = wanted;
    api = new Api(tocsin, tocsin.adminToken());
  }
}
