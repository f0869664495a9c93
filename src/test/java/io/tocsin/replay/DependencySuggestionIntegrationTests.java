package io.tocsin.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.Api;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.RecordingHttpServer;
import io.tocsin.testing.TestClock;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import tools.jackson.databind.JsonNode;

/**
 * Dependencies suggested by a history of incidents made on a clock the test moves: they appear with
 * their evidence and what a replay says they would have saved, and go once accepted or dismissed.
 */
class DependencySuggestionIntegrationTests extends HarnessTests {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SUGGESTIONS = "/api/v1/dependency-suggestions";
  private static final String LOOK = SUGGESTIONS + "/look";
  private static final TestClock CLOCK =
      new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

  /** The test's clock in place of the system's; a harness source, not a scanned configuration. */
  static class ClockConfiguration {
    @Bean
    @Primary
    Clock testClock() {
      return CLOCK;
    }
  }

  // The clock stands still between the test's moves: no bucket refills on its own.
  @Override
  protected Map<String, Object> settings() {
    return Map.of("tocsin.rate-limit.api-token-per-minute", "1000000");
  }

  @Override
  protected Class<?>[] sources() {
    return new Class<?>[] {ClockConfiguration.class};
  }

  @Test
  void servicesWhoseIncidentsFollowAnothersAreSuggestedAsItsDependentsUntilDecided()
      throws IOException {
    Api.Service storage = api.service("storage", "");
    Api.Service app = api.service("app", "");
    Api.Service mirror = api.service("mirror", "");
    Api.Service sometimes = api.service("sometimes", "");
    String person = api.user("Nightly");
    RecordingHttpServer receiver = RecordingHttpServer.started();
    api.verifiedWebhook(person, receiver);
    String policy = api.policyPaging(person);
    api.follow(storage, policy);
    api.follow(app, policy);
    // Five hours of history: the storage fails, the app's errors follow 40 s later, the mirror's
    // 5 s after them, and three times in five something else's.
    for (int round = 1; round <= 5; round++) {
      List<Api.Service> failing = new ArrayList<>(List.of(storage, app, mirror));
      if (round <= 3) {
        failing.add(sometimes);
      }
      for (Api.Service service : failing) {
        api.fire(service, Api.alert(service.name() + "Failing"));
        int opened = round;
        await().atMost(WAIT).until(() -> api.incidents(service.id()).size() == opened);
        CLOCK.advance(Duration.ofSeconds(service == storage ? 40 : 5));
      }
      CLOCK.advance(Duration.ofMinutes(5));
      for (Api.Service service : failing) {
        api.fire(
            service,
            Api.alert(service.name() + "Failing")
                .replace("}}", "},\"endsAt\":\"" + CLOCK.instant() + "\"}"));
        await()
            .atMost(WAIT)
            .until(
                () ->
                    api.incidents(service.id()).stream()
                        .allMatch(i -> i.get("status").asString().equals("resolved")));
      }
      CLOCK.advance(Duration.ofHours(1));
    }
    receiver.close();

    Map<String, JsonNode> suggested = suggestions(api.ok("POST", LOOK, null));

    assertThat(suggested.keySet())
        .as("three times in five is no evidence; always after the app is, though")
        .containsExactlyInAnyOrder(
            app.name() + " -> " + storage.name(),
            mirror.name() + " -> " + storage.name(),
            mirror.name() + " -> " + app.name());
    JsonNode appOnStorage = suggested.get(app.name() + " -> " + storage.name());
    JsonNode evidence = appOnStorage.get("evidence");
    assertThat(evidence.get("causeIncidents").asInt()).isEqualTo(5);
    assertThat(evidence.get("followed").asInt()).isEqualTo(5);
    assertThat(evidence.get("percent").asInt()).isEqualTo(100);
    assertThat(evidence.get("medianLagSeconds").asLong()).isEqualTo(40);
    assertThat(evidence.get("examples")).hasSize(5);
    assertThat(evidence.get("examples").get(0).get("follower").get("title").asString())
        .contains(app.name());
    JsonNode replayed = appOnStorage.get("replay");
    assertThat(replayed.get("pagesSaved").asInt())
        .as("the app's five first pages: its errors would have joined the storage's incidents")
        .isEqualTo(5);
    assertThat(replayed.get("incidentsNow").asInt() - replayed.get("incidentsWith").asInt())
        .isEqualTo(5);
    assertThat(
            suggested
                .get(mirror.name() + " -> " + storage.name())
                .get("replay")
                .get("pagesSaved")
                .asInt())
        .as("nobody is paged for the mirror")
        .isZero();

    String spurious = suggested.get(mirror.name() + " -> " + app.name()).get("id").asString();
    assertThat(
            api.ok("POST", SUGGESTIONS + "/" + spurious + "/dismiss", null)
                .get("status")
                .asString())
        .isEqualTo("dismissed");
    for (String pair :
        List.of(app.name() + " -> " + storage.name(), mirror.name() + " -> " + storage.name())) {
      String id = suggested.get(pair).get("id").asString();
      JsonNode accepted = api.ok("POST", SUGGESTIONS + "/" + id + "/accept", null);
      assertThat(accepted.get("status").asString()).isEqualTo("accepted");
      assertThat(accepted.get("decidedBy").asString()).isNotBlank();
    }

    assertThat(
            api.get("/api/v1/services/" + app.id())
                .get("dependencies")
                .valueStream()
                .map(JsonNode::asString)
                .toList())
        .containsExactly(storage.id());
    assertThat(suggestions(api.get(SUGGESTIONS)))
        .as("accepted and dismissed are no longer suggested")
        .isEmpty();
    assertThat(suggestions(api.ok("POST", LOOK, null))).as("nor the next night").isEmpty();
    assertThat(suggestions(api.get(SUGGESTIONS + "?status=DISMISSED")).keySet())
        .containsExactly(mirror.name() + " -> " + app.name());
    assertThat(api.get("/api/v1/audit?kind=service.updated").findValuesAsString("summary"))
        .anySatisfy(
            summary ->
                assertThat(summary)
                    .contains("'" + storage.name() + "' added: accepted the suggestion"));
    String accepted = suggested.get(app.name() + " -> " + storage.name()).get("id").asString();
    assertThat(api.send("POST", SUGGESTIONS + "/" + accepted + "/dismiss", null).statusCode())
        .as("an accepted suggestion is undone by removing the dependency")
        .isEqualTo(409);
    assertThat(api.send("GET", SUGGESTIONS + "?status=maybe", null).statusCode()).isEqualTo(422);
    assertThat(
            api.send("POST", SUGGESTIONS + "/" + UUID.randomUUID() + "/accept", null).statusCode())
        .isEqualTo(404);
  }

  /** The suggestions answered, by "dependent -> cause". */
  private static Map<String, JsonNode> suggestions(JsonNode answered) {
    Map<String, JsonNode> byPair = new LinkedHashMap<>();
    for (JsonNode suggestion : answered) {
      String pair =
          suggestion.get("service").get("name").asString()
              + " -> "
              + suggestion.get("dependsOn").get("name").asString();
      byPair.put(pair, suggestion);
    }
    return byPair;
  }
}
