package io.tocsin.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The databases every database-touching test runs against. PostgreSQL is the local server at {@code
 * TOCSIN_TEST_POSTGRES_URL}; when it cannot be reached the tests fail with a message that says how
 * to start it, they are never skipped.
 */
public enum TestDatabase {
  H2,
  POSTGRESQL;

  public static final String POSTGRES_URL =
      env("TOCSIN_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  public static final String POSTGRES_USER = env("TOCSIN_TEST_POSTGRES_USER", "postgres");
  public static final String POSTGRES_PASSWORD = env("TOCSIN_TEST_POSTGRES_PASSWORD", "");

  /** Creates an empty schema (PostgreSQL) or database (H2) that no other test class uses. */
  public CleanSchema createCleanSchema() {
    String name = "tocsin_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    if (this == H2) {
      return new CleanSchema(
          this,
          name,
          "jdbc:h2:mem:"
              + name
              + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000"
              + ";DB_CLOSE_DELAY=-1",
          "sa",
          "");
    }
    try (Connection connection = postgresAdmin();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "PostgreSQL at "
              + POSTGRES_URL
              + " cannot be reached as user "
              + POSTGRES_USER
              + " ("
              + e.getMessage()
              + "). The PostgreSQL tests need it: start it with 'pg_ctlcluster"
              + " --skip-systemctl-redirect $(ls /etc/postgresql) main start' or set"
              + " TOCSIN_TEST_POSTGRES_URL.",
          e);
    }
    String separator = POSTGRES_URL.contains("?") ? "&" : "?";
    return new CleanSchema(
        this,
        name,
        POSTGRES_URL + separator + "currentSchema=" + name,
        POSTGRES_USER,
        POSTGRES_PASSWORD);
  }

  static Connection postgresAdmin() throws SQLException {
    return DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD);
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  /** One test class's private schema; {@link #close()} drops it. */
  public record CleanSchema(
      TestDatabase database, String name, String url, String user, String password)
      implements AutoCloseable {

    public DataSource dataSource() {
      return new DriverManagerDataSource(url, user, password);
    }

    @Override
    public void close() {
      try {
        if (database == H2) {
          try (Connection connection = DriverManager.getConnection(url, user, password);
              Statement statement = connection.createStatement()) {
            statement.execute("SHUTDOWN");
          }
        } else {
          try (Connection connection = postgresAdmin();
              Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("Could not drop test schema " + name, e);
      }
    }
  }
}
