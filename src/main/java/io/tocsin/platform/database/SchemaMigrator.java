package io.tocsin.platform.database;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.springframework.core.io.ClassPathResource;

/**
 * SchemaMigrator brings the schema to this build's version, but never touches a schema that a newer
 * build has migrated.
 *
 * <p>Flyway runs here instead of through Spring Boot's auto-configuration because Boot migrates
 * during startup, and a database that is down at that moment would stop the server: the very crash
 * loop DESIGN.md is written against.
 */
final class SchemaMigrator {

  private final Flyway flyway;

  SchemaMigrator(DataSource dataSource, String vendor) {
    List<String> locations = new ArrayList<>(List.of("classpath:db/migration"));
    // PostgreSQL-only additions (partial indexes, SKIP LOCKED helpers) live in their own folder.
    if (new ClassPathResource("db/migration-" + vendor).exists()) {
      locations.add("classpath:db/migration-" + vendor);
    }
    this.flyway =
        Flyway.configure()
            .dataSource(dataSource)
            .locations(locations.toArray(String[]::new))
            .load();
  }

  static String vendorOf(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:postgresql:") ? "postgresql" : "h2";
  }

  /** The result of one migration attempt. */
  sealed interface Outcome {
    record Current(String version) implements Outcome {}

    record TooNew(String databaseVersion, String buildVersion) implements Outcome {}
  }

  /**
   * Applies pending migrations and returns the schema version, or reports that the database is
   * ahead of this build without writing anything. Throws when the database cannot be reached.
   */
  Outcome migrate() {
    MigrationInfoService info = flyway.info();
    Optional<MigrationVersion> databaseVersion =
        Arrays.stream(info.applied())
            .filter(m -> isFuture(m.getState()))
            .map(MigrationInfo::getVersion)
            .max(Comparator.naturalOrder());
    if (databaseVersion.isPresent()) {
      return new Outcome.TooNew(
          databaseVersion.get().getVersion(),
          latestKnown(info).map(Object::toString).orElse("none"));
    }
    flyway.migrate();
    MigrationInfo current = flyway.info().current();
    return new Outcome.Current(current == null ? "empty" : current.getVersion().getVersion());
  }

  private static boolean isFuture(MigrationState state) {
    return state == MigrationState.FUTURE_SUCCESS || state == MigrationState.FUTURE_FAILED;
  }

  private static Optional<MigrationVersion> latestKnown(MigrationInfoService info) {
    return Arrays.stream(info.all())
        .filter(m -> !isFuture(m.getState()) && m.getVersion() != null)
        .map(MigrationInfo::getVersion)
        .max(Comparator.naturalOrder());
  }
}
