package io.tocsin.platform.database;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.io.ClassPathResource;

/**
 * SchemaMigrator brings the schema to this build's version, but never touches a schema that a newer
 * build has migrated.
 *
 * <p>Flyway runs here instead of through Spring Boot's auto-configuration because Boot migrates
 * during startup, and a database that is down at that moment would stop the server: the very crash
 * loop DESIGN.md is written against.
 *
 * <p>The first attempt may {@linkplain #beginEarly() begin early}, while the rest of the server is
 * still being built: on the embedded database it takes a second or two, which would otherwise be
 * added to every start.
 */
final class SchemaMigrator implements DisposableBean {

  private final DataSource dataSource;
  private final String[] locations;
  private @Nullable Flyway flyway;
  private @Nullable FutureTask<Outcome> early;

  SchemaMigrator(DataSource dataSource, String vendor) {
    this.dataSource = dataSource;
    List<String> found = new ArrayList<>(List.of("classpath:db/migration"));
    // PostgreSQL-only additions (partial indexes, SKIP LOCKED helpers) live in their own folder.
    if (new ClassPathResource("db/migration-" + vendor).exists()) {
      found.add("classpath:db/migration-" + vendor);
    }
    this.locations = found.toArray(String[]::new);
  }

  /**
   * Starts the first attempt on a thread of its own; the next {@link #migrate()} returns its
   * outcome (or throws its failure) instead of trying again.
   */
  synchronized void beginEarly() {
    FutureTask<Outcome> attempt = new FutureTask<>(this::migrateNow);
    Thread thread = new Thread(attempt, "tocsin-schema-migration");
    thread.setDaemon(true);
    early = attempt;
    thread.start();
  }

  /**
   * Waits for an early attempt still running: a start that fails while it migrates, or a shutdown
   * right after the start, must not end the process in the middle of a migration, which H2 does not
   * roll back.
   */
  @Override
  public void destroy() {
    FutureTask<Outcome> attempt;
    synchronized (this) {
      attempt = early;
    }
    if (attempt == null) {
      return;
    }
    try {
      attempt.get();
    } catch (ExecutionException e) {
      // Its failure is reported by the database monitor, which reads it; here only its end counts.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
    FutureTask<Outcome> attempt;
    synchronized (this) {
      attempt = early;
      early = null;
    }
    if (attempt == null) {
      return migrateNow();
    }
    try {
      return attempt.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException("the schema migration failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the schema migration", e);
    }
  }

  private synchronized Flyway flyway() {
    if (flyway == null) {
      flyway = Flyway.configure().dataSource(dataSource).locations(locations).load();
    }
    return flyway;
  }

  private Outcome migrateNow() {
    Flyway flyway = flyway();
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
