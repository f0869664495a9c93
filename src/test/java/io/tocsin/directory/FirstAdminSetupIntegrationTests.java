package io.tocsin.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class FirstAdminSetupIntegrationTests extends BothDatabasesTests {

  @Test
  void withoutAdminSettingsTheLogShowsASetupTokenThatCreatesExactlyOneFirstAdmin(
      @TempDir Path dataDir, CapturedOutput output) throws Exception {
    try (TocsinHarness tocsin =
        TocsinHarness.start(
            schema().url(), schema().user(), schema().password(), dataDir, Map.of())) {
      String token = SetupTokenLog.awaitToken(output);

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
