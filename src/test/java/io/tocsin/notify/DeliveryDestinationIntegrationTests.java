package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.Api;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.RecordingHttpServer;
import io.tocsin.testing.TestDatabase;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tocsin as it ships, with no destination ranges allowed: a responder cannot make it post to
 * loopback, link-local or private addresses, neither by naming them nor by a name that resolves to
 * one, now or later.
 */
// PostgreSQL only: the classes still on H2 send each of its statements there (.ci/sql-coverage).
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class DeliveryDestinationIntegrationTests extends HarnessTests {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What {@code rebind.example} resolves to, as a DNS server under an attacker's control would. */
  private static final AtomicReference<String> REBIND = new AtomicReference<>();

  private static final RecordingHttpServer RECEIVER = RecordingHttpServer.started();

  /**
   * A source of this test's harness only: no @Configuration, which component scanning would find.
   */
  static class RebindingDns {

    @Bean
    @Primary
    HostResolver rebindingResolver() {
      HostResolver system = new HostResolver.SystemDns();
      return host ->
          host.equals("rebind.example")
              ? new InetAddress[] {InetAddress.getByName(REBIND.get())}
              : system.resolve(host);
    }
  }

  @Override
  protected Map<String, Object> settings() {
    return Map.of(
        "tocsin.notify.allowed-destinations", "",
        "tocsin.notify.retry-base", "100ms",
        "tocsin.notify.poll-interval", "100ms",
        "tocsin.rate-limit.api-token-per-minute", "1000000");
  }

  @Override
  protected Class<?>[] sources() {
    return new Class<?>[] {RebindingDns.class};
  }

  @AfterAll
  static void stopReceiver() {
    RECEIVER.close();
  }

  @Test
  void privateAndLoopbackDestinationsAreRefusedWhenSavedNamingTheField() throws Exception {
    String nina = api.user("Nina");
    String path = "/api/v1/users/" + nina + "/contact-methods";
    for (String target :
        new String[] {
          RECEIVER.url("/hook"),
          "http://169.254.169.254/latest/meta-data/",
          "https://10.0.0.1/hook",
          "http://[::1]:8080/actuator/env",
          "http://localhost:8080/actuator/env",
          "http://2130706433/"
        }) {
      for (String type : new String[] {"webhook", "slack", "teams", "ntfy"}) {
        HttpResponse<String> refused =
            api.send(
                "POST",
                path,
                JSON.writeValueAsString(
                    Map.of("type", type, "target", target, "settings", Map.of("topic", "t"))));
        assertThat(refused.statusCode()).as(type + " " + target).isEqualTo(422);
        assertThat(refused.body())
            .contains("\"target\"")
            .contains("private network")
            .contains("tocsin.notify.allowed-destinations");
      }
    }
    assertThat(RECEIVER.requests()).isEmpty();
    assertThat(api.get(path)).isEmpty();
    assertThat(
            api.send(
                    "POST",
                    path,
                    "{\"type\":\"slack\",\"target\":\"https://203.0.113.7/chat/public-hook\"}")
                .statusCode())
        .as("a public destination")
        .isEqualTo(201);
  }

  @Test
  void withoutAnSmtpHostEmailContactMethodsAreRefusedAsNotConfigured() {
    String path = "/api/v1/users/" + api.user("Ursula") + "/contact-methods";

    HttpResponse<String> refused =
        api.send("POST", path, "{\"type\":\"email\",\"target\":\"ursula@example.com\"}");

    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body()).contains("email is not configured on this server");
    assertThat(api.get(path)).isEmpty();
  }

  @Test
  void aNameThatRebindsToLoopbackAfterSavingIsRefusedWhenConnecting() {
    String oscar = api.user("Oscar");
    String base = "/api/v1/users/" + oscar + "/contact-methods";
    String rebound = "/rebound/" + Api.unique("oscar");
    int port = Integer.parseInt(RECEIVER.url("").replaceAll(".*:", ""));
    REBIND.set("203.0.113.10");
    JsonNode method =
        api.create(
            base,
            "{\"type\":\"webhook\",\"target\":\"http://rebind.example:" + port + rebound + "\"}");
    String id = method.get("id").asString();

    REBIND.set("127.0.0.1");
    HttpResponse<String> test = api.send("POST", base + "/" + id + "/test", null);
    assertThat(test.statusCode()).as("checked again before a test").isEqualTo(422);
    assertThat(test.body()).contains("\"target\"");

    // The verification code is sent without a check of its own: the connection refuses it.
    assertThat(api.send("POST", base + "/" + id + "/verification", null).statusCode())
        .isEqualTo(202);
    JsonNode dead =
        await()
            .atMost(WAIT)
            .until(
                () -> {
                  for (JsonNode letter : api.get("/api/v1/dead-letters?limit=200").get("items")) {
                    if (letter.get("contactMethodId").asString().equals(id)) {
                      return letter;
                    }
                  }
                  return null;
                },
                letter -> letter != null);
    assertThat(dead.get("lastError").asString())
        .isEqualTo("destination address is not allowed: private network");
    assertThat(dead.get("attempts").asInt()).as("refused for good, not retried").isEqualTo(1);
    assertThat(RECEIVER.requests(rebound)).isEmpty();
  }
}
