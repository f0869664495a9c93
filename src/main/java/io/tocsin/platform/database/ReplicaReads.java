package io.tocsin.platform.database;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tocsin.platform.ReadDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * Reads from a streaming replica, falling back to the primary: a replica that cannot be reached
 * costs one short connection attempt, then is left alone for {@link #REST} while the primary
 * answers, so the console never fails because its replica is down.
 */
final class ReplicaReads extends AbstractDataSource implements ReadDatabase, DisposableBean {

  private static final Log log = LogFactory.getLog(ReplicaReads.class);
  static final Duration REST = Duration.ofSeconds(30);

  private final HikariDataSource replica;
  private final DataSource primary;
  private final Clock clock;
  private final Counter fallbacks;
  private final Counter replicaReads;
  private final JdbcClient jdbc;
  private final JdbcClient onPrimary;
  private volatile Instant restUntil = Instant.MIN;

  ReplicaReads(HikariDataSource replica, DataSource primary, Clock clock, MeterRegistry meters) {
    this.replica = replica;
    this.primary = primary;
    this.clock = clock;
    this.fallbacks =
        Counter.builder("tocsin.database.read.fallbacks")
            .description("Read-only queries sent to the primary because the replica failed")
            .register(meters);
    this.replicaReads =
        Counter.builder("tocsin.database.read.replica")
            .description("Connections for read-only queries taken from the replica")
            .register(meters);
    this.jdbc = JdbcClient.create(this);
    this.onPrimary = JdbcClient.create(primary);
  }

  @Override
  public <T> T read(Function<JdbcClient, T> query) {
    try {
      return query.apply(jdbc);
    } catch (DataAccessException e) {
      // A replica that went away under a pooled connection fails the query, not the connection,
      // and the driver's words for it vary. Asked again of the primary, a query that is itself
      // wrong fails there too, with its own exception; one that answers shows the replica failed.
      T answer = query.apply(onPrimary);
      rest(e.getMessage());
      fallbacks.increment();
      return answer;
    }
  }

  private void rest(@Nullable String why) {
    restUntil = clock.instant().plus(REST);
    log.warn(
        "The read replica "
            + replica.getJdbcUrl()
            + " failed ("
            + why
            + "); reads go to the primary for "
            + REST.toSeconds()
            + " s");
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (clock.instant().isAfter(restUntil)) {
      try {
        Connection connection = replica.getConnection();
        replicaReads.increment();
        return connection;
      } catch (SQLException e) {
        rest(e.getMessage());
      }
    }
    fallbacks.increment();
    return primary.getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLException("the read data source takes its credentials from the settings");
  }

  @Override
  public void destroy() {
    replica.close();
  }
}
