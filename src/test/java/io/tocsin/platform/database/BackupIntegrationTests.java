package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.Api;
import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database's online backup: taken through the API while Tocsin runs, unzipped into an
 * empty data directory, it starts a Tocsin whose configuration export is the same. On PostgreSQL
 * the endpoint points at pg_dump instead (.ci/check-backups restores one for real).
 */
class BackupIntegrationTests {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void anOnlineBackupOfTheEmbeddedDatabaseStartsAnInstanceWithTheSameSetup(
      @TempDir Path original, @TempDir Path restored) throws Exception {
    String exported;
    List<String> entries = new ArrayList<>();
    try (TocsinHarness tocsin = embedded(original)) {
      Api api = new Api(tocsin, tocsin.adminToken());
      api.service(Api.unique("backed-up"), "\"labels\":{\"tier\":\"1\"}");
      exported = export(api);

      HttpResponse<InputStream> backup = backup(tocsin, tocsin.adminToken());

      assertThat(backup.statusCode()).isEqualTo(200);
      assertThat(backup.headers().firstValue("Content-Disposition"))
          .hasValueSatisfying(value -> assertThat(value).contains("tocsin-backup-"));
      try (ZipInputStream zip = new ZipInputStream(backup.body())) {
        for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
          entries.add(entry.getName());
          Files.copy(zip, restored.resolve(entry.getName()));
        }
      }
      api.service(Api.unique("after-the-backup"), "");
      // The server deletes its copy once the last byte is sent, which may be just after we read it.
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                try (Stream<Path> left = Files.list(original.resolve("backups"))) {
                  assertThat(left).as("the copy sent is not left behind").isEmpty();
                }
              });
    }

    assertThat(entries).containsExactly("tocsin.mv.db");
    try (TocsinHarness tocsin = embedded(restored)) {
      assertThat(export(new Api(tocsin, tocsin.adminToken()))).isEqualTo(exported);
    }
  }

  @Test
  void onPostgresqlTheBackupEndpointPointsAtPgDump() throws Exception {
    try (TestDatabase.CleanSchema schema = TestDatabase.POSTGRESQL.createCleanSchema();
        TocsinHarness tocsin = TocsinHarness.startWithAdmin(schema, Map.of())) {
      HttpResponse<InputStream> refused = backup(tocsin, tocsin.adminToken());

      assertThat(refused.statusCode()).isEqualTo(409);
      assertThat(new String(refused.body().readAllBytes())).contains("pg_dump");
    }
  }

  @Test
  void onlyAdminsTakeBackups(@TempDir Path dataDir) throws Exception {
    try (TocsinHarness tocsin = embedded(dataDir)) {
      Api api = new Api(tocsin, tocsin.adminToken());
      String id = api.user(Api.unique("Rita"));
      String email = api.get("/api/v1/users/" + id).get("email").asString();

      assertThat(backup(tocsin, tocsin.adminToken(email, "a long enough password")).statusCode())
          .isEqualTo(403);
      assertThat(backup(tocsin, "not-a-token").statusCode()).isEqualTo(401);
    }
  }

  /** Tocsin on its embedded default: no database URL, the H2 file in the data directory. */
  private static TocsinHarness embedded(Path dataDir) {
    return TocsinHarness.start(
        "",
        "",
        "",
        dataDir,
        Map.of(
            "tocsin.admin.email",
            TocsinHarness.ADMIN_EMAIL,
            "tocsin.admin.password",
            TocsinHarness.ADMIN_PASSWORD));
  }

  private static String export(Api api) {
    HttpResponse<String> response = api.send("GET", "/api/v1/config/export", null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private static HttpResponse<InputStream> backup(TocsinHarness tocsin, String token)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(tocsin.uri("/api/v1/admin/backup"))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }
}
