package io.tocsin.platform.database;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.tocsin.platform.PlatformProperties;
import io.tocsin.platform.ReadDatabase;
import java.time.Clock;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Builds the connection pool so that it never blocks or fails the start: the pool opens lazily,
 * waits at most {@code connection-timeout} for a connection, and {@link DatabaseMonitor} decides
 * when the database may be used.
 */
@Configuration(proxyBeanMethods = false)
class DataSourceConfiguration {

  private static final Log log = LogFactory.getLog(DataSourceConfiguration.class);

  @Bean
  HikariDataSource dataSource(PlatformProperties properties) {
    PlatformProperties.Database database = properties.database();
    String url = jdbcUrl(properties);
    HikariDataSource dataSource = new HikariDataSource();
    dataSource.setPoolName("tocsin");
    dataSource.setJdbcUrl(url);
    credentials(dataSource, database);
    dataSource.setMaximumPoolSize(database.poolSize());
    dataSource.setConnectionTimeout(database.connectionTimeout().toMillis());
    dataSource.setValidationTimeout(Math.min(1000, database.connectionTimeout().toMillis() / 2));
    // -1: start the pool without a database instead of failing the whole server (DESIGN.md,
    // "Running it": the process stays up and recovers by itself).
    dataSource.setInitializationFailTimeout(-1);
    if (url.startsWith("jdbc:postgresql:")) {
      dataSource.setDataSourceProperties(postgresSettings(database));
    } else {
      log.warn(
          "Using the embedded H2 database at "
              + url
              + ". It is for evaluation and single-node use only: set TOCSIN_DATABASE_URL to a"
              + " PostgreSQL database for production.");
    }
    return dataSource;
  }

  /**
   * The replica of {@code TOCSIN_DATABASE_READ_URL}, with the primary's credentials, read-only and
   * with half its pool; the primary itself without one. Not a {@link javax.sql.DataSource} bean:
   * transactions and everything that writes must find only the primary.
   */
  @Bean
  ReadDatabase readDatabase(
      HikariDataSource dataSource,
      PlatformProperties properties,
      Clock clock,
      MeterRegistry meters) {
    PlatformProperties.Database database = properties.database();
    String readUrl = database.readUrl();
    if (readUrl == null || readUrl.isBlank()) {
      return new PrimaryReads(JdbcClient.create(dataSource));
    }
    HikariDataSource replica = new HikariDataSource();
    replica.setPoolName("tocsin-replica");
    replica.setJdbcUrl(readUrl.trim());
    credentials(replica, database);
    replica.setReadOnly(true);
    replica.setMaximumPoolSize(Math.max(1, database.poolSize() / 2));
    // Short: while the replica does not answer, each read waits this long before the primary.
    replica.setConnectionTimeout(1000);
    replica.setValidationTimeout(500);
    replica.setInitializationFailTimeout(-1);
    replica.setDataSourceProperties(postgresSettings(database));
    return new ReplicaReads(replica, dataSource, clock, meters);
  }

  @Bean
  SchemaMigrator schemaMigrator(HikariDataSource dataSource) {
    SchemaMigrator migrator =
        new SchemaMigrator(dataSource, SchemaMigrator.vendorOf(dataSource.getJdbcUrl()));
    // Connecting and migrating overlap the creation of every other bean; the database monitor
    // takes the outcome at its first pass, so readiness still waits for the schema.
    migrator.beginEarly();
    return migrator;
  }

  @Bean
  DatabaseMonitor databaseMonitor(
      SchemaMigrator migrator,
      HikariDataSource dataSource,
      PlatformProperties properties,
      Clock clock,
      MeterRegistry meters,
      ObjectProvider<BuildProperties> build,
      ApplicationEventPublisher events) {
    BuildProperties info = build.getIfAvailable();
    String version = info == null ? "dev" : Objects.requireNonNullElse(info.getVersion(), "dev");
    return new DatabaseMonitor(
        migrator,
        new NodeRepository(dataSource, version),
        properties.database(),
        // The free-disk guard is for the embedded default, whose file is in the data directory.
        properties.database().url() == null || properties.database().url().isBlank()
            ? properties.dataDir()
            : null,
        clock,
        meters,
        events);
  }

  private static void credentials(HikariDataSource pool, PlatformProperties.Database database) {
    if (database.user() != null) {
      pool.setUsername(database.user());
    }
    if (database.password() != null) {
      pool.setPassword(database.password());
    }
  }

  /** Reads on the primary: no replica is configured. */
  private record PrimaryReads(JdbcClient jdbc) implements ReadDatabase {
    @Override
    public <T> T read(Function<JdbcClient, T> query) {
      return query.apply(jdbc);
    }
  }

  static String jdbcUrl(PlatformProperties properties) {
    String url = properties.database().url();
    if (url != null && !url.isBlank()) {
      return url.trim();
    }
    return "jdbc:h2:file:"
        + properties.dataDir().toAbsolutePath().normalize().resolve("tocsin")
        // H2 gives up on a row lock after 2 s by default; correlating a large batch holds the
        // incident lock longer than that, and waiting is right (PostgreSQL waits too).
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000";
  }

  private static Properties postgresSettings(PlatformProperties.Database database) {
    Properties settings = new Properties();
    settings.setProperty("ApplicationName", "tocsin");
    // Without these, a database host that vanishes without a TCP reset leaves requests and the
    // monitor hanging on a dead socket for the kernel's timeout (minutes to hours).
    long connectSeconds = Math.max(1, database.connectionTimeout().toSeconds());
    settings.setProperty("connectTimeout", Long.toString(connectSeconds));
    settings.setProperty("socketTimeout", "60");
    settings.setProperty("tcpKeepAlive", "true");
    // A batch of inserts travels as multi-row INSERTs: several times faster on the server. Batch
    // update counts become unknown (SUCCESS_NO_INFO), so no code may rely on them for inserts.
    settings.setProperty("reWriteBatchedInserts", "true");
    return settings;
  }
}
