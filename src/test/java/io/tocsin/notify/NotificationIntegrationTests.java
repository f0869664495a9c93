package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import io.tocsin.testing.Api;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.RecordingHttpServer;
import io.tocsin.testing.TestClock;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pages becoming messages through real destinations: a local HTTP server for the webhook, Slack,
 * Teams and ntfy shapes, GreenMail for email. Acting from the message itself, retries, dead
 * letters, the circuit breaker, cancellation.
 */
class NotificationIntegrationTests extends HarnessTests {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");

  @RegisterExtension
  static final GreenMailExtension MAIL =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort()).withPerMethodLifecycle(false);

  /**
   * How long a person's pages are counted against the rate limit; the tests move the clock past it.
   */
  private static final Duration RATE_WINDOW = Duration.ofMinutes(1);

  /**
   * The system's time, moved ahead where a test would otherwise wait for a retry, a circuit
   * breaker's next look or the end of a rate limit's window.
   */
  static final TestClock CLOCK = TestClock.running();

  private static final RecordingHttpServer RECEIVER = RecordingHttpServer.started();

  /** The clock of this test's harness, a source of that harness only: not scanned. */
  static class Clocked {

    @Bean
    @Primary
    Clock testClock() {
      return CLOCK;
    }
  }

  @Override
  protected Map<String, Object> settings() {
    return Map.ofEntries(
        Map.entry("tocsin.smtp.host", "127.0.0.1"),
        Map.entry("tocsin.smtp.port", Integer.toString(MAIL.getSmtp().getPort())),
        Map.entry("tocsin.smtp.security", "none"),
        Map.entry("tocsin.smtp.from", "tocsin@example.com"),
        Map.entry("tocsin.notify.retry-base", "100ms"),
        Map.entry("tocsin.notify.retry-cap", "1s"),
        Map.entry("tocsin.notify.poll-interval", "100ms"),
        Map.entry("tocsin.notify.breaker-open-for", "2s"),
        Map.entry("tocsin.notify.rate-limit-window", RATE_WINDOW.toSeconds() + "s"),
        Map.entry("tocsin.escalation.poll-interval", "100ms"),
        Map.entry("tocsin.rate-limit.api-token-per-minute", "1000000"));
  }

  @Override
  protected Class<?>[] sources() {
    return new Class<?>[] {Clocked.class};
  }

  @BeforeEach
  void recoverTheReceiver() {
    RECEIVER.recover();
  }

  @AfterAll
  static void stopReceiver() {
    RECEIVER.close();
  }

  @Test
  void aPageReachesAVerifiedWebhookSignedAndItsLinkAcknowledgesTheIncidentOnce() throws Exception {
    String alice = api.user("Alice");
    Hook hook = verifiedWebhook(alice, "hook");
    String path = hook.path();
    String secret = hook.method().get("settings").get("secret").asString();
    assertThat(api.get("/api/v1/users/" + alice + "/notification-rules").get("steps").get("high"))
        .as("the first verified method gets the default rules")
        .hasSize(1);

    String incident = open(serviceFor(alice));
    RecordingHttpServer.Request page = awaitPage(path);
    String expected = hmac(secret, page.headers().get("x-tocsin-timestamp") + "." + page.body());
    assertThat(page.headers().get("x-tocsin-signature")).isEqualTo("v1=" + expected);
    assertThat(page.headers().get("idempotency-key")).startsWith("page:");
    JsonNode body = JSON.readTree(page.body());
    assertThat(body.get("version").asString()).isEqualTo("1");
    assertThat(body.get("incident").get("id").asString()).isEqualTo(incident);
    assertThat(body.get("subject").asString()).startsWith("[Tocsin #");
    String acknowledge = action(body, "acknowledge");

    HttpResponse<String> acted = postJson(acknowledge);
    assertThat(acted.statusCode()).as(acted.body()).isEqualTo(200);
    assertThat(JSON.readTree(acted.body()).get("incident").get("status").asString())
        .isEqualTo("acknowledged");
    assertThat(api.get("/api/v1/incidents/" + incident + "/timeline?limit=200").get("items"))
        .anySatisfy(
            entry ->
                assertThat(entry.get("actor").get("name").asString()).endsWith(" via webhook"));
    assertThat(postJson(acknowledge).statusCode()).as("a link works once").isEqualTo(410);
    assertThat(postJson(acknowledge.substring(0, acknowledge.length() - 2) + "00").statusCode())
        .as("a link whose signature does not match is no link")
        .isEqualTo(404);

    JsonNode log = api.get("/api/v1/incidents/" + incident + "/notifications");
    assertThat(log).hasSize(1);
    assertThat(log.get(0).get("status").asString()).isEqualTo("delivered");
    assertThat(log.get(0).get("attemptLog").get(0).get("detail").asString())
        .isEqualTo("HTTP 200 OK");
  }

  @Test
  void anActionLinkActsWithItsRecipientsRightsOfNowSoADemotedOneIsRefused() throws Exception {
    String carol = api.user("Carol");
    String path = verifiedWebhook(carol, "hook").path();
    String incident = open(serviceFor(carol));
    RecordingHttpServer.Request page = awaitPage(path);
    String acknowledge = action(JSON.readTree(page.body()), "acknowledge");

    api.ok("PATCH", "/api/v1/users/" + carol, "{\"role\":\"viewer\"}");

    HttpResponse<String> opened =
        tocsin.send(HttpRequest.newBuilder(URI.create(acknowledge)).GET().build());
    assertThat(opened.statusCode()).isEqualTo(403);
    assertThat(opened.body()).contains("is now a viewer").doesNotContain("<form");
    HttpResponse<String> acted = postJson(acknowledge);
    assertThat(acted.statusCode()).as(acted.body()).isEqualTo(403);
    assertThat(acted.body()).contains("needs the responder role");
    assertThat(api.get("/api/v1/incidents/" + incident).get("incident").get("status").asString())
        .isEqualTo("open");

    api.ok("PATCH", "/api/v1/users/" + carol, "{\"role\":\"responder\"}");
    assertThat(postJson(acknowledge).statusCode())
        .as("the refusal used nothing up: the link works once the rights are back")
        .isEqualTo(200);
  }

  @Test
  void anActionLinkForAnotherTeamsServiceIsRefusedByTheSameRuleAsEverywhere() throws Exception {
    String dora = api.user("Dora");
    String path = verifiedWebhook(dora, "hook").path();
    Api.Service service = serviceFor(dora);
    String team =
        api.create("/api/v1/teams", "{\"name\":\"" + Api.unique("Search") + "\"}")
            .get("id")
            .asString();
    api.ok("PATCH", "/api/v1/services/" + service.id(), "{\"ownerTeamId\":\"" + team + "\"}");
    String incident = open(service);
    RecordingHttpServer.Request page = awaitPage(path);
    String acknowledge = action(JSON.readTree(page.body()), "acknowledge");

    HttpResponse<String> opened =
        tocsin.send(HttpRequest.newBuilder(URI.create(acknowledge)).GET().build());
    assertThat(opened.statusCode()).isEqualTo(403);
    assertThat(opened.body()).contains("belongs to team Search").doesNotContain("<form");
    HttpResponse<String> acted = postJson(acknowledge);
    assertThat(acted.statusCode()).as(acted.body()).isEqualTo(403);
    assertThat(api.get("/api/v1/incidents/" + incident).get("incident").get("status").asString())
        .isEqualTo("open");

    api.ok(
        "PATCH",
        "/api/v1/teams/" + team,
        "{\"members\":[{\"userId\":\"" + dora + "\",\"teamRole\":\"member\"}]}");
    assertThat(postJson(acknowledge).statusCode())
        .as("once in the team, the link acts")
        .isEqualTo(200);
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void theRequestLogNamesNoHeartbeatKeyCalendarTokenOrActionLinkToken(CapturedOutput output) {
    Api.Service service = api.service("logged", "");
    String heartbeat =
        tocsin.createIntegration(tocsin.adminToken(), service.id(), "beat", "heartbeat").get("key");
    String feed =
        URI.create(api.create("/api/v1/me/calendar-feed", null).get("url").asString()).getPath();
    String feedToken = feed.substring(feed.lastIndexOf('/') + 1, feed.length() - ".ics".length());
    String actionToken = "0123456789abcdef0123456789abcdefamzzzzzz.notasignature";

    assertThat(tocsin.get("/api/v1/heartbeats/" + heartbeat).statusCode()).isEqualTo(200);
    assertThat(tocsin.get(feed).statusCode()).isEqualTo(200);
    assertThat(tocsin.get("/actions/" + actionToken).statusCode()).isEqualTo(404);

    // The line is written once the answer is out, so it may come just after it.
    await()
        .atMost(WAIT)
        .until(
            () ->
                output.getOut().contains("GET /api/v1/heartbeats/**** 200")
                    && output.getOut().contains("GET /calendars/****.ics 200")
                    && output.getOut().contains("GET /actions/**** 404"));
    assertThat(output.getOut())
        .doesNotContain(heartbeat)
        .doesNotContain(feedToken)
        .doesNotContain(actionToken);
  }

  @Test
  void anEmailPageIsAcknowledgedByFollowingTheLinkInTheReceivedEmail() throws Exception {
    String bob = api.user("Bob");
    String address = Api.unique("bob") + "@example.com";
    JsonNode method =
        api.create(
            "/api/v1/users/" + bob + "/contact-methods",
            "{\"type\":\"EMAIL\",\"name\":\"work\",\"target\":\"" + address + "\"}");
    verify(bob, method, () -> lastMail(address, "verification code"));

    String incident = open(serviceFor(bob));
    String text = await().atMost(WAIT).until(() -> lastMail(address, "[Tocsin #"), m -> m != null);
    MimeMessage mail = mails(address).get(mails(address).size() - 1);
    assertThat(mail.getMessageID()).matches("<[0-9a-f]{32}@example\\.com>");
    assertThat(mail.getContentType()).startsWith("multipart/alternative");
    Matcher link = Pattern.compile("Acknowledge: (\\S+)").matcher(text);
    assertThat(link.find()).as(text).isTrue();

    HttpResponse<String> page =
        tocsin.send(HttpRequest.newBuilder(URI.create(link.group(1))).GET().build());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<form method=\"post\">").contains("Acknowledge incident #");
    HttpResponse<String> done =
        tocsin.send(
            HttpRequest.newBuilder(URI.create(link.group(1)))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    assertThat(done.body()).contains("is now <strong>acknowledged</strong>");
    assertThat(api.get("/api/v1/incidents/" + incident).get("incident").get("status").asString())
        .isEqualTo("acknowledged");
  }

  @Test
  void aDestinationDownForAWhileGetsEveryMessageOnceAndInOrder() {
    String carol = api.user("Carol");
    JsonNode method = webhook(carol, "/down/" + Api.unique("carol"));
    String path = URI.create(method.get("target").asString()).getPath();
    RECEIVER.failNext(6, 503, null);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      sent.add(
          api.send(
                  "POST",
                  "/api/v1/users/"
                      + carol
                      + "/contact-methods/"
                      + method.get("id").asString()
                      + "/test",
                  null)
              .body());
    }
    List<String> ids =
        sent.stream().map(s -> JSON.readTree(s).get("messageId").asString()).toList();
    awaitWhileTimePasses(
        () ->
            ids.stream()
                .allMatch(id -> message(carol, id).get("status").asString().equals("delivered")),
        Boolean::booleanValue);
    List<String> delivered =
        RECEIVER.requests(path).stream()
            .filter(r -> r.body().contains("\"kind\":\"test\""))
            .map(r -> r.headers().get("idempotency-key"))
            .toList();
    List<String> succeeded = new ArrayList<>();
    for (String key : delivered) {
      if (!succeeded.contains(key)) {
        succeeded.add(key);
      }
    }
    assertThat(succeeded)
        .as("every message, in the order it was queued")
        .containsExactlyElementsOf(ids.stream().map(id -> "test:" + id).toList());
    assertThat(message(carol, ids.get(0)).get("attempts").asInt()).isGreaterThan(1);
    assertThat(message(carol, ids.get(3)).get("attempts").asInt())
        .as("later messages waited behind the first instead of failing on their own")
        .isEqualTo(1);
  }

  @Test
  void aRejectedMessageBecomesADeadLetterOnTheTimelineAndAnAdminReplaysIt() {
    String dave = api.user("Dave");
    String path = verifiedWebhook(dave, "gone").path();
    RECEIVER.failAlways(404);
    String incident = open(serviceFor(dave));

    JsonNode dead =
        await()
            .atMost(WAIT)
            .until(
                () -> api.get("/api/v1/incidents/" + incident + "/notifications").get(0),
                m -> m != null && m.get("status").asString().equals("dead"));
    assertThat(dead.get("lastError").asString())
        .as("the status and its standard reason, never the receiver's answer")
        .isEqualTo("HTTP 404 Not Found");
    assertThat(api.get("/api/v1/dead-letters?limit=200").get("items"))
        .anySatisfy(m -> assertThat(m.get("id").asString()).isEqualTo(dead.get("id").asString()));
    assertThat(api.get("/api/v1/incidents/" + incident + "/timeline?limit=200").get("items"))
        .anySatisfy(
            entry ->
                assertThat(entry.get("message").asString())
                    .startsWith("Could not notify Dave by webhook: HTTP 404"));

    RECEIVER.recover();
    JsonNode replayed =
        api.ok("POST", "/api/v1/dead-letters/" + dead.get("id").asString() + "/replay", null);
    assertThat(replayed.get("status").asString()).isEqualTo("pending");
    await()
        .atMost(WAIT)
        .until(
            () ->
                api.get("/api/v1/incidents/" + incident + "/notifications")
                    .get(0)
                    .get("status")
                    .asString(),
            "delivered"::equals);
    assertThat(
            api.send("POST", "/api/v1/dead-letters/" + dead.get("id").asString() + "/replay", null)
                .statusCode())
        .as("only a dead letter can be replayed")
        .isEqualTo(409);
  }

  @Test
  void aRetryWaitsAtLeastAsLongAsTheDestinationAsked() {
    String erin = api.user("Erin");
    JsonNode method = webhook(erin, "/busy/" + Api.unique("erin"));
    String path = URI.create(method.get("target").asString()).getPath();
    RECEIVER.failNext(1, 429, "2");
    String id = test(erin, method);
    await()
        .atMost(WAIT)
        .until(() -> message(erin, id).get("status").asString(), "delivered"::equals);
    List<RecordingHttpServer.Request> tries = RECEIVER.requests(path);
    assertThat(tries).hasSize(2);
    assertThat(Duration.between(tries.get(0).at(), tries.get(1).at()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
  }

  @Test
  void anOpenCircuitBreakerHoldsMessagesBackUntilItsHostRecovers() {
    String frank = api.user("Frank");
    JsonNode method = webhook(frank, "/flaky/" + Api.unique("frank"));
    RECEIVER.failAlways(503);
    String id = test(frank, method);
    await()
        .atMost(WAIT)
        .until(
            () -> api.metric("tocsin_circuit_breaker_state{channel=\"webhook\"}"),
            state -> state == 2.0);
    String waiting =
        await()
            .atMost(WAIT)
            .until(
                () -> String.valueOf(message(frank, id).get("lastError").asString()),
                error -> error.contains("circuit breaker"));
    Matcher named = Pattern.compile("circuit breaker for (.+) is open").matcher(waiting);
    assertThat(named.find()).as(waiting).isTrue();
    String destination = named.group(1);
    assertThat(destination)
        .as("the URL's origin and a digest of its path, which may be a secret")
        .matches("http://127\\.0\\.0\\.1:\\d+ path#[0-9a-f]{8}");
    assertThat(tocsin.bean(DeliveryBreakers.class).open())
        .anySatisfy(breaker -> assertThat(breaker.destination()).isEqualTo(destination));
    RECEIVER.recover();
    awaitWhileTimePasses(() -> message(frank, id).get("status").asString(), "delivered"::equals);
    // Other tests' destinations may still be failing: it is this one's breaker that must close.
    await()
        .atMost(WAIT)
        .until(
            () -> tocsin.bean(DeliveryBreakers.class).open(),
            open -> open.stream().noneMatch(breaker -> breaker.destination().equals(destination)));
  }

  @Test
  void failuresToOneUrlNeverHoldBackPagesToAnotherPortOfTheSameHost() throws IOException {
    String rosa = api.user("Rosa");
    String path = verifiedWebhook(rosa, "healthy").path();
    Api.Service service = serviceFor(rosa);

    // Another person's method on the same host, at a port where nothing listens: its test
    // messages fail until its breaker opens, and keep failing.
    String quinn = api.user("Quinn");
    int port = closedPort();
    JsonNode closed =
        create(quinn, "{\"type\":\"webhook\",\"target\":\"http://127.0.0.1:" + port + "/x\"}");
    List<String> failing = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      failing.add(test(quinn, closed));
    }
    awaitWhileTimePasses(
        () ->
            failing.stream()
                .anyMatch(
                    id ->
                        String.valueOf(message(quinn, id).get("lastError").asString())
                            .contains("circuit breaker")),
        Boolean::booleanValue);

    String incident = open(service);
    List<String> seen = new ArrayList<>();
    JsonNode page =
        await()
            .atMost(WAIT)
            .until(
                () -> {
                  JsonNode log = api.get("/api/v1/incidents/" + incident + "/notifications");
                  if (log.isEmpty()) {
                    return null;
                  }
                  seen.add(String.valueOf(log.get(0).get("lastError").asString()));
                  return log.get(0);
                },
                m -> m != null && m.get("status").asString().equals("delivered"));
    assertThat(seen)
        .as("the page never waited on the other port's breaker")
        .noneMatch(error -> error.contains("circuit breaker"));
    assertThat(page.get("attempts").asInt()).isEqualTo(1);
    assertThat(tocsin.bean(DeliveryBreakers.class).open())
        .as("the failing URL's breaker, named without its path")
        .anySatisfy(
            breaker ->
                assertThat(breaker.destination())
                    .matches("http://127\\.0\\.0\\.1:\\d+ path#[0-9a-f]{8}"))
        .noneSatisfy(breaker -> assertThat(breaker.destination()).contains("/x"));
    assertThat(api.metric("tocsin_circuit_breakers_open{channel=\"webhook\"}"))
        .isGreaterThanOrEqualTo(1.0);

    // Once nothing waits on it any more, the breaker stops being reported (and alerted on).
    delete(quinn, closed);
    awaitWhileTimePasses(
        () -> tocsin.bean(DeliveryBreakers.class).open(),
        open ->
            open.stream().noneMatch(breaker -> breaker.destination().contains(":" + port + " ")));
  }

  @Test
  void aDeliveryRecordShowsTheStatusAndAFixedReasonNeverTheAnswerOrTheError() throws IOException {
    String sven = api.user("Sven");
    HttpServer internal = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    internal.createContext(
        "/",
        exchange -> {
          byte[] answer = "SECRET-INTERNAL admin=true".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(500, answer.length);
          try (var out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    internal.start();
    try {
      JsonNode method =
          create(
              sven,
              "{\"type\":\"webhook\",\"target\":\"http://127.0.0.1:"
                  + internal.getAddress().getPort()
                  + "/status\"}");
      String id = test(sven, method);
      JsonNode failed =
          await().atMost(WAIT).until(() -> message(sven, id), m -> !m.get("lastError").isNull());
      assertThat(failed.get("lastError").asString()).isEqualTo("HTTP 500 Internal Server Error");
      assertThat(failed.toString()).doesNotContain("SECRET").doesNotContain("admin=true");
      delete(sven, method);
    } finally {
      internal.stop(0);
    }

    JsonNode nowhere =
        create(sven, "{\"type\":\"slack\",\"target\":\"http://127.0.0.1:" + closedPort() + "/\"}");
    String refused = test(sven, nowhere);
    assertThat(
            await()
                .atMost(WAIT)
                .until(
                    () -> message(sven, refused).get("lastError"),
                    error -> !error.isNull() && !error.asString().contains("circuit breaker"))
                .asString())
        .as("a fixed reason, not the exception's text")
        .isEqualTo("connection refused");
    delete(sven, nowhere);
  }

  /** A port on 127.0.0.1 where nothing listens. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  @Test
  void acknowledgingCancelsTheRuleStepsNotYetSent() {
    String grace = api.user("Grace");
    JsonNode method = verifiedWebhook(grace, "later").method();
    api.ok(
        "PUT",
        "/api/v1/users/" + grace + "/notification-rules",
        "{\"high\":[{\"contactMethodId\":\"%s\",\"delayMinutes\":0},{\"contactMethodId\":\"%s\",\"delayMinutes\":10}],\"low\":[]}"
            .formatted(method.get("id").asString(), method.get("id").asString()));
    String incident = open(serviceFor(grace));
    await()
        .atMost(WAIT)
        .until(
            () -> api.get("/api/v1/incidents/" + incident + "/notifications"),
            log -> log.size() == 2 && log.get(0).get("status").asString().equals("delivered"));

    api.ok("PATCH", "/api/v1/incidents/" + incident, "{\"status\":\"acknowledged\"}");
    JsonNode later =
        await()
            .atMost(WAIT)
            .until(
                () -> api.get("/api/v1/incidents/" + incident + "/notifications").get(1),
                m -> m.get("status").asString().equals("cancelled"));
    assertThat(later.get("ruleStep").asInt()).isEqualTo(2);
    assertThat(later.get("lastError").asString()).contains("acknowledged");
  }

  /**
   * Between an acknowledgement's commit and the cancelling of the incident's pending pages, a
   * worker may claim one: it is cancelled when its turn comes, not sent. The test holds that window
   * open by acknowledging in the database alone, which the cancelling listener never hears of.
   */
  @Test
  void aPageWhoseIncidentWasAcknowledgedMeanwhileIsCancelledWhenItsTurnComes() {
    String heidi = api.user("Heidi");
    Hook hook = verifiedWebhook(heidi, "window");
    // A minute's Retry-After keeps the page waiting while this clock, which follows real time,
    // runs.
    RECEIVER.failNext(1, 503, "60");
    String incident = open(serviceFor(heidi));
    await()
        .atMost(WAIT)
        .until(
            () -> api.get("/api/v1/incidents/" + incident + "/notifications").get(0),
            page ->
                page.get("attempts").asInt() == 1
                    && page.get("status").asString().equals("pending"));

    JdbcClient.create(schema().dataSource())
        .sql("UPDATE incident SET status = 'acknowledged' WHERE id = :id")
        .param("id", java.util.UUID.fromString(incident))
        .update();
    CLOCK.advance(Duration.ofMinutes(2));

    JsonNode cancelled =
        awaitWhileTimePasses(
            () -> api.get("/api/v1/incidents/" + incident + "/notifications").get(0),
            page -> page.get("status").asString().equals("cancelled"));
    assertThat(cancelled.get("lastError").asString()).contains("acknowledged");
    assertThat(
            RECEIVER.requests(hook.path()).stream()
                .filter(r -> r.body().contains("\"kind\":\"page\"")))
        .as("only the attempt that failed")
        .hasSize(1);
  }

  @Test
  void aPersonWithoutAVerifiedMethodIsAProblemOnTheIncidentAndTheirRules() {
    String heidi = api.user("Heidi");
    double before = api.metric("tocsin_notification_problems_total{problem=\"no_contact_method\"}");
    String incident = open(serviceFor(heidi));
    await()
        .atMost(WAIT)
        .until(
            () -> api.get("/api/v1/incidents/" + incident + "/timeline?limit=200").get("items"),
            items -> {
              for (JsonNode item : items) {
                if (item.get("message")
                    .asString()
                    .startsWith("Heidi has no verified contact method")) {
                  return true;
                }
              }
              return false;
            });
    assertThat(api.metric("tocsin_notification_problems_total{problem=\"no_contact_method\"}"))
        .isEqualTo(before + 1);
    assertThat(api.get("/api/v1/users/" + heidi + "/notification-rules").get("problems"))
        .hasSize(2);
  }

  @Test
  void aStormOfPagesBeyondTheRateLimitArrivesAsOneSummary() {
    String kate = api.user("Kate");
    String path = verifiedWebhook(kate, "storm").path();
    Api.Service service = serviceFor(kate);
    List<String> alerts = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      alerts.add(Api.alert(Api.unique("Storm"), "severity", "critical"));
    }
    api.fire(service, alerts.toArray(String[]::new));

    // The pages over the limit wait in one summary, due when the window of the first page ends.
    await().atMost(WAIT).until(() -> summarized(service), count -> count == 7);
    CLOCK.advance(RATE_WINDOW);
    RecordingHttpServer.Request summary =
        await()
            .atMost(WAIT)
            .until(
                () -> lastRequest(path),
                r -> r != null && r.body().contains("\"kind\":\"summary\""));
    List<RecordingHttpServer.Request> pages =
        RECEIVER.requests(path).stream()
            .filter(r -> r.body().contains("\"kind\":\"page\""))
            .toList();
    assertThat(pages).as("the rate limit's worth of pages").hasSize(5);
    JsonNode body = JSON.readTree(summary.body());
    assertThat(body.get("subject").asString())
        .isEqualTo("[Tocsin] 7 more incidents on " + service.name());
    assertThat(body.get("text").asString().lines().filter(line -> line.startsWith("#"))).hasSize(7);
    assertThat(summarized(service)).isEqualTo(7);
  }

  /** How many of the service's incidents had their page folded into a summary. */
  private static int summarized(Api.Service service) {
    int summarized = 0;
    for (JsonNode incident :
        api.get("/api/v1/incidents?limit=200&service=" + service.id()).get("items")) {
      JsonNode log =
          api.get("/api/v1/incidents/" + incident.get("id").asString() + "/notifications");
      summarized +=
          !log.isEmpty() && log.get(0).get("status").asString().equals("summarized") ? 1 : 0;
    }
    return summarized;
  }

  @Test
  void subscribersHearOfOpeningStatusUpdatesAndResolutionWithoutBeingPaged() {
    String liam = api.user("Liam");
    String mia = api.user("Mia");
    String liamPath = verifiedWebhook(liam, "follow").path();
    String miaPath = verifiedWebhook(mia, "follow").path();
    String team =
        api.create(
                "/api/v1/teams",
                "{\"name\":\"%s\",\"members\":[{\"userId\":\"%s\"}]}"
                    .formatted(Api.unique("sre"), mia))
            .get("id")
            .asString();
    Api.Service service = api.service("followed", "\"autoResolve\":false");
    String subscriptions = "/api/v1/services/" + service.id() + "/subscriptions";
    api.create(subscriptions, "{\"userId\":\"" + liam + "\"}");
    api.create(subscriptions, "{\"teamId\":\"" + team + "\"}");
    assertThat(api.send("POST", subscriptions, "{\"userId\":\"" + liam + "\"}").statusCode())
        .as("once is enough")
        .isEqualTo(409);

    String incident = open(service);
    api.create(
        "/api/v1/incidents/" + incident + "/status-updates",
        "{\"phase\":\"monitoring\",\"message\":\"A fix is out; watching the error rate.\"}");
    api.ok("PATCH", "/api/v1/incidents/" + incident, "{\"status\":\"resolved\"}");

    for (String path : List.of(liamPath, miaPath)) {
      List<String> subjects =
          await()
              .atMost(WAIT)
              .until(
                  () ->
                      RECEIVER.requests(path).stream()
                          .filter(r -> r.body().contains("\"kind\":\"subscription\""))
                          .map(r -> JSON.readTree(r.body()).get("subject").asString())
                          .toList(),
                  found -> found.size() == 3);
      assertThat(subjects)
          .anyMatch(subject -> subject.contains("] Opened: "))
          .anyMatch(subject -> subject.contains("] Update (monitoring): "))
          .anyMatch(subject -> subject.contains("] Resolved: "));
      assertThat(RECEIVER.requests(path)).noneMatch(r -> r.body().contains("\"kind\":\"page\""));
    }
  }

  @Test
  void anAdminsTemplateShapesThePagesOfItsChannelAndABrokenOneIsRefusedWithItsLine() {
    HttpResponse<String> broken =
        api.send(
            "PUT",
            "/api/v1/notification-templates/webhook/page",
            "{\"subject\":\"{{incident.title}}\",\"body\":\"line one\\n{{#alerts.firing}}{{summary}}\\n\"}");
    assertThat(broken.statusCode()).isEqualTo(422);
    assertThat(broken.body()).contains("line 2");
    HttpResponse<String> unknown =
        api.send(
            "PUT",
            "/api/v1/notification-templates/webhook/page",
            "{\"subject\":\"{{incident.nickname}}\",\"body\":\"x\"}");
    assertThat(unknown.statusCode()).as("a value no template has").isEqualTo(422);
    assertThat(
            api.send(
                    "PUT",
                    "/api/v1/notification-templates/pager/page",
                    "{\"subject\":\"x\",\"body\":\"x\"}")
                .statusCode())
        .isEqualTo(422);

    JsonNode saved =
        api.ok(
            "PUT",
            "/api/v1/notification-templates/webhook/page",
            "{\"subject\":\"PAGE {{incident.reference}} for {{recipient}} on {{service.name}}\",\"body\":\"{{#alerts.firing}}* {{summary}} [{{labels}}]\\n{{/alerts.firing}}Ack: {{links.acknowledge}}\"}");
    assertThat(saved.get("custom").asBoolean()).isTrue();
    try {
      String nina = api.user("Nina");
      String path = verifiedWebhook(nina, "templated").path();
      Api.Service service = serviceFor(nina);
      api.fire(
          service, Api.alert(Api.unique("Templated"), "severity", "critical", "instance", "web-1"));
      JsonNode page =
          JSON.readTree(
              await()
                  .atMost(WAIT)
                  .until(() -> lastBody(path), b -> b != null && b.contains("\"kind\":\"page\"")));
      assertThat(page.get("subject").asString())
          .matches("PAGE #\\d+ for Nina on " + service.name());
      assertThat(page.get("text").asString())
          .contains("summary [alertname=Templated")
          .contains("instance=web-1")
          .contains("Ack: http");
    } finally {
      api.ok("DELETE", "/api/v1/notification-templates/webhook/page", null);
    }
    assertThat(api.get("/api/v1/notification-templates/webhook/page").get("custom").asBoolean())
        .isFalse();
  }

  @Test
  void aTemplateWithAPartialIsRefusedAndAStoredOneThatCannotRenderGivesWayToTheBuiltIn() {
    for (String[] call :
        List.of(
            new String[] {"PUT", "/api/v1/notification-templates/webhook/page"},
            new String[] {"POST", "/api/v1/notification-templates/preview"})) {
      HttpResponse<String> partial =
          api.send(call[0], call[1], "{\"subject\":\"{{>header}}\",\"body\":\"x\"}");
      assertThat(partial.statusCode()).as(partial.body()).isEqualTo(422);
      assertThat(partial.body()).contains("\"field\":\"subject\"").contains("{{>header}}");
      HttpResponse<String> hidden =
          api.send(
              call[0],
              call[1],
              "{\"subject\":\"x\",\"body\":\"{{#nothing}}{{>footer}}{{/nothing}}\"}");
      assertThat(hidden.statusCode())
          .as("a partial in a section the sample leaves out: " + hidden.body())
          .isEqualTo(422);
      assertThat(hidden.body()).contains("\"field\":\"body\"").contains("{{>footer}}");
      HttpResponse<String> nul =
          api.send(call[0], call[1], "{\"subject\":\"x\",\"body\":\"a\\u0000b\"}");
      assertThat(nul.statusCode()).as("PostgreSQL cannot store NUL: " + nul.body()).isEqualTo(422);
      assertThat(nul.body()).contains("\"field\":\"body\"").contains("NUL");
    }

    // A row saved before partials were refused: the page still goes out, in the built-in words.
    JdbcClient.create(schema().dataSource())
        .sql(
            """
            INSERT INTO notify_template (channel, kind, subject, body, updated_by, updated_at)
            VALUES ('webhook', 'page', '{{>header}} {{incident.title}}', 'x', 'old', :now)
            """)
        .param("now", java.time.OffsetDateTime.now())
        .update();
    try {
      String omar = api.user("Omar");
      String path = verifiedWebhook(omar, "fallback").path();
      Api.Service service = serviceFor(omar);
      String alert = Api.unique("Fallback");
      api.fire(service, Api.alert(alert, "severity", "critical"));
      JsonNode page =
          JSON.readTree(
              await()
                  .atMost(WAIT)
                  .until(() -> lastBody(path), b -> b != null && b.contains("\"kind\":\"page\"")));
      assertThat(page.get("subject").asString()).matches("\\[Tocsin #\\d+\\] CRITICAL: .*");
    } finally {
      api.ok("DELETE", "/api/v1/notification-templates/webhook/page", null);
    }
  }

  @Test
  void badContactMethodsAreRefusedWithTheFieldAndTheAllowedValues() {
    String ivan = api.user("Ivan");
    String path = "/api/v1/users/" + ivan + "/contact-methods";
    HttpResponse<String> unknown = api.send("POST", path, "{\"type\":\"pager\",\"target\":\"x\"}");
    assertThat(unknown.statusCode()).isEqualTo(422);
    assertThat(unknown.body()).contains("ntfy").contains("webhook");
    assertThat(api.send("POST", path, "{\"type\":\"webhook\",\"target\":\"ftp://x\"}").statusCode())
        .isEqualTo(422);
    assertThat(
            api.send("POST", path, "{\"type\":\"email\",\"target\":\"not an address\"}")
                .statusCode())
        .isEqualTo(422);
    HttpResponse<String> topic =
        api.send(
            "POST",
            path,
            "{\"type\":\"ntfy\",\"target\":\"https://ntfy.sh\",\"settings\":{\"topic\":\"a b\"}}");
    assertThat(topic.statusCode()).isEqualTo(422);
    assertThat(topic.body()).contains("settings.topic");
    JsonNode method = webhook(ivan, "/x");
    HttpResponse<String> wrong =
        api.send(
            "POST", path + "/" + method.get("id").asString() + "/verify", "{\"code\":\"000000\"}");
    assertThat(wrong.statusCode()).isEqualTo(422);
    assertThat(
            api.get(path + "/" + method.get("id").asString())
                .get("settings")
                .get("secret")
                .asString())
        .as("a secret is shown once")
        .isEqualTo("********");
  }

  @Test
  void slackTeamsAndNtfyGetTheirOwnShapes() {
    String judy = api.user("Judy");
    String slackPath = "/slack/" + Api.unique("judy");
    String teamsPath = "/teams/" + Api.unique("judy");
    String ntfyPath = "/ntfy-" + Api.unique("judy");
    JsonNode slack =
        create(judy, "{\"type\":\"slack\",\"target\":\"" + RECEIVER.url(slackPath) + "\"}");
    verify(judy, slack, () -> lastBody(slackPath));
    JsonNode teams =
        create(judy, "{\"type\":\"teams\",\"target\":\"" + RECEIVER.url(teamsPath) + "\"}");
    verify(judy, teams, () -> lastBody(teamsPath));
    JsonNode ntfy =
        create(
            judy,
            "{\"type\":\"ntfy\",\"target\":\""
                + RECEIVER.url(ntfyPath)
                + "\",\"settings\":{\"topic\":\"oncall\",\"token\":\"tk_secret\"}}");
    verify(judy, ntfy, () -> lastBody(ntfyPath));
    api.ok(
        "PUT",
        "/api/v1/users/" + judy + "/notification-rules",
        "{\"high\":[%s],\"low\":[]}"
            .formatted(
                String.join(
                    ",",
                    List.of(slack, teams, ntfy).stream()
                        .map(m -> "{\"contactMethodId\":\"" + m.get("id").asString() + "\"}")
                        .toList())));
    open(serviceFor(judy));

    JsonNode slackBody =
        JSON.readTree(
            await()
                .atMost(WAIT)
                .until(
                    () -> lastBody(slackPath),
                    b -> b.contains("attachments") && b.contains("title_link")));
    assertThat(slackBody.get("attachments").get(0).get("color").asString()).isEqualTo("#b42318");
    assertThat(slackBody.get("attachments").get(0).get("text").asString())
        .contains("|Acknowledge>");
    JsonNode teamsBody =
        JSON.readTree(
            await().atMost(WAIT).until(() -> lastBody(teamsPath), b -> b.contains("FactSet")));
    JsonNode card = teamsBody.get("attachments").get(0);
    assertThat(card.get("contentType").asString())
        .isEqualTo("application/vnd.microsoft.card.adaptive");
    assertThat(card.get("content").get("actions").get(1).get("title").asString())
        .isEqualTo("Acknowledge");
    RecordingHttpServer.Request push =
        await()
            .atMost(WAIT)
            .until(
                () -> lastRequest(ntfyPath), r -> r != null && r.body().contains("\"priority\":5"));
    JsonNode pushBody = JSON.readTree(push.body());
    assertThat(pushBody.get("topic").asString()).isEqualTo("oncall");
    assertThat(pushBody.get("actions").get(0).get("method").asString()).isEqualTo("POST");
    assertThat(push.headers().get("authorization")).isEqualTo("Bearer tk_secret");
  }

  /**
   * Awaits the condition while the clock runs a second ahead at each look, so that retries and a
   * breaker's next look come due at once. The breakers themselves open and close in real time.
   */
  private static <T> T awaitWhileTimePasses(Callable<T> value, Predicate<? super T> condition) {
    return await()
        .atMost(WAIT)
        .until(
            () -> {
              CLOCK.advance(Duration.ofSeconds(1));
              return value.call();
            },
            condition);
  }

  /** A webhook on the receiver, and the path on the receiver where its requests arrive. */
  private record Hook(JsonNode method, String path) {}

  /** A new webhook of the user's at a path of its own, verified with the code sent there. */
  private static Hook verifiedWebhook(String user, String name) {
    String path = "/" + name + "/" + Api.unique(name);
    JsonNode method = webhook(user, path);
    verify(user, method, () -> lastBody(path));
    return new Hook(method, path);
  }

  private static JsonNode create(String user, String json) {
    return api.create("/api/v1/users/" + user + "/contact-methods", json);
  }

  private static JsonNode webhook(String user, String path) {
    return create(
        user, "{\"type\":\"webhook\",\"name\":\"hook\",\"target\":\"" + RECEIVER.url(path) + "\"}");
  }

  /** Asks for a code, reads it from what the method received, and types it back. */
  private static void verify(String user, JsonNode method, Callable<String> received) {
    String base = "/api/v1/users/" + user + "/contact-methods/" + method.get("id").asString();
    assertThat(api.send("POST", base + "/verification", null).statusCode()).isEqualTo(202);
    String text = await().atMost(WAIT).until(received, t -> t != null && CODE.matcher(t).find());
    Matcher code = CODE.matcher(text);
    assertThat(code.find()).isTrue();
    JsonNode verified = api.ok("POST", base + "/verify", "{\"code\":\"" + code.group(1) + "\"}");
    assertThat(verified.get("verified").asBoolean()).isTrue();
  }

  private static void delete(String user, JsonNode method) {
    assertThat(
            api.send(
                    "DELETE",
                    "/api/v1/users/" + user + "/contact-methods/" + method.get("id").asString(),
                    null)
                .statusCode())
        .isEqualTo(204);
  }

  private static String test(String user, JsonNode method) {
    HttpResponse<String> sent =
        api.send(
            "POST",
            "/api/v1/users/" + user + "/contact-methods/" + method.get("id").asString() + "/test",
            null);
    assertThat(sent.statusCode()).isEqualTo(202);
    return JSON.readTree(sent.body()).get("messageId").asString();
  }

  private static JsonNode message(String user, String id) {
    return api.get("/api/v1/users/" + user + "/messages/" + id);
  }

  private static Api.Service serviceFor(String user) {
    Api.Service service = api.service("notified", "\"autoResolve\":false");
    api.follow(service, api.policyPaging(user));
    return service;
  }

  private static String open(Api.Service service) {
    api.fire(service, Api.alert(Api.unique("Down"), "severity", "critical"));
    return api.awaitOpenIncident(service.id()).get("id").asString();
  }

  private static String action(JsonNode body, String name) {
    for (JsonNode action : body.get("actions")) {
      if (action.get("name").asString().equals(name)) {
        return action.get("url").asString();
      }
    }
    throw new AssertionError("no " + name + " action in " + body);
  }

  private static HttpResponse<String> postJson(String url) {
    return tocsin.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.noBody())
            .build());
  }

  /** The first page the webhook at {@code path} receives. */
  private static RecordingHttpServer.Request awaitPage(String path) {
    return await()
        .atMost(WAIT)
        .until(() -> lastRequest(path), r -> r != null && r.body().contains("\"kind\":\"page\""));
  }

  private static RecordingHttpServer.Request lastRequest(String path) {
    List<RecordingHttpServer.Request> requests = RECEIVER.requests(path);
    return requests.isEmpty() ? null : requests.get(requests.size() - 1);
  }

  private static String lastBody(String path) {
    RecordingHttpServer.Request request = lastRequest(path);
    return request == null ? null : request.body();
  }

  private static List<MimeMessage> mails(String address) {
    List<MimeMessage> found = new ArrayList<>();
    for (MimeMessage message : MAIL.getReceivedMessages()) {
      try {
        if (message.getAllRecipients()[0].toString().equals(address)) {
          found.add(message);
        }
      } catch (jakarta.mail.MessagingException e) {
        throw new IllegalStateException(e);
      }
    }
    return found;
  }

  /** The text part of the newest mail to {@code address} whose subject contains {@code subject}. */
  private static String lastMail(String address, String subject) throws Exception {
    List<MimeMessage> all = mails(address);
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).getSubject().contains(subject)) {
        jakarta.mail.internet.MimeMultipart parts =
            (jakarta.mail.internet.MimeMultipart) all.get(i).getContent();
        return (String) parts.getBodyPart(0).getContent();
      }
    }
    return null;
  }

  private static String hmac(String secret, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }
}
