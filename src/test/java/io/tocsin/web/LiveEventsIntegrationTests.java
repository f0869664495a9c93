package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The console's live event stream, as a browser holds it open. On PostgreSQL only: how a stream
 * ends with its node runs no SQL, and the other classes run the start's on both databases.
 */
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class LiveEventsIntegrationTests extends BothDatabasesTests {

  @Test
  void aStoppingNodeEndsItsEventStreamsInsteadOfWaitingOutTheGracefulShutdown() throws Exception {
    TocsinHarness tocsin = TocsinHarness.startWithAdmin(schema(), Map.of());
    HttpResponse<Stream<String>> stream =
        HttpClient.newHttpClient()
            .sendAsync(
                HttpRequest.newBuilder(tocsin.uri("/web/events"))
                    .header("Authorization", "Bearer " + tocsin.adminToken())
                    .build(),
                HttpResponse.BodyHandlers.ofLines())
            .get(30, TimeUnit.SECONDS);
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/event-stream");

    // The graceful shutdown waits 30 s for requests still open; a stream must not be one.
    assertTimeoutPreemptively(Duration.ofSeconds(20), tocsin::close);
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> stream.body().count());
  }
}
