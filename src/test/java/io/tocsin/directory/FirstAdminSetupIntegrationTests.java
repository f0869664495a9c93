package io.tocsin.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class FirstAdminSetupIntegrationTests extends BothDatabasesTests {

  // Matches the token in text logs and in JSON logs, where the quotes come escaped.
  private static final Pattern SETUP_TOKEN =
      Pattern.compile("\\\\?\"token\\\\?\":\\\\?\"([0-9a-f]{32})");

  @Test
  void withoutAdminSettingsTheLogShowsASetupTokenThatCreatesExactlyOneFirstAdmin(
      @TempDir Path dataDir, CapturedOutput output) throws Exception {
    try (TocsinHarness tocsin =
        TocsinHarness.start(
            schema().url(), schema().user(), schema().password(), dataDir, Map.of())) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> SETUP_TOKEN.matcher(output.getOut()).find());
      Matcher match = SETUP_TOKEN.matcher(output.getOut());
      assertThat(match.find()).isTrue();
      String token = match.group(1);

      assertThat(setup(tocsin, "not-the-token", "a@example.com").statusCode()).isEqualTo(422);
      List<CompletableFuture<HttpResponse<String>>> racing =
          List.of(
              CompletableFuture.supplyAsync(() -> setup(tocsin, token, "first@example.com")),
              CompletableFuture.supplyAsync(() -> setup(tocsin, token, "second@example.com")));
      List<Integer> statuses = racing.stream().map(f -> f.join().statusCode()).sorted().toList();

      assertThat(statuses).containsExactly(201, 409);
      assertThat(setup(tocsin, token, "third@example.com").statusCode()).isEqualTo(409);
    }
  }

  private static HttpResponse<String> setup(TocsinHarness tocsin, String token, String email) {
    return tocsin.send(
        HttpRequest.newBuilder(tocsin.uri("/api/v1/setup"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"token\":\""
                        + token
                        + "\",\"name\":\"First\",\"email\":\""
                        + email
                        + "\",\"password\":\"a long enough password\",\"timeZone\":\"UTC\"}"))
            .build());
  }
}
