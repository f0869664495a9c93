package io.tocsin.platform.database;

import com.zaxxer.hikari.HikariDataSource;
import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.PlatformProperties;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * {@code POST /api/v1/admin/backup}: an online backup of the embedded database, taken while Tocsin
 * keeps working, as a zip to download. PostgreSQL has its own tools for that (pg_dump), which an
 * operator should use instead: docs/backups.md.
 */
@RestController
class BackupController {

  private static final Log log = LogFactory.getLog(BackupController.class);

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final HikariDataSource dataSource;
  private final PlatformProperties properties;
  private final Clock clock;

  BackupController(HikariDataSource dataSource, PlatformProperties properties, Clock clock) {
    this.dataSource = dataSource;
    this.properties = properties;
    this.clock = clock;
  }

  @Operation(
      summary = "Back up the embedded database",
      description =
          "Answers a zip of the H2 database, consistent as of one moment, taken without stopping"
              + " Tocsin. Restore: stop Tocsin, unzip it into TOCSIN_DATA_DIR, start Tocsin. On"
              + " PostgreSQL the answer is 409: use pg_dump.")
  @PostMapping("/api/v1/admin/backup")
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<StreamingResponseBody> backup() throws IOException, SQLException {
    if (!dataSource.getJdbcUrl().startsWith("jdbc:h2:file:")) {
      throw new ConflictException(
          "This Tocsin keeps its data in PostgreSQL: back it up with pg_dump (docs/backups.md).");
    }
    String name = "tocsin-backup-" + STAMP.format(clock.instant()) + ".zip";
    // Next to the database, not in /tmp: the backup is about as large as the database, and the
    // data directory is where an operator has made room for it.
    Path folder = Files.createDirectories(properties.dataDir().resolve("backups"));
    Path zip = Files.createTempFile(folder, "backup-", ".zip");
    Files.delete(zip);
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("BACKUP TO '" + zip.toAbsolutePath().toString().replace("'", "''") + "'");
    }
    StreamingResponseBody body =
        out -> {
          try (InputStream in = Files.newInputStream(zip)) {
            in.transferTo(out);
          } finally {
            delete(zip);
          }
        };
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType("application/zip"))
        .contentLength(Files.size(zip))
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            ContentDisposition.attachment().filename(name).build().toString())
        .body(body);
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("Could not delete the backup copy " + file + " after sending it", e);
    }
  }
}
