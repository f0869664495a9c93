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
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
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
  }

  @Override
  public JdbcClient jdbc() {
    return jdbc;
  }

  @Override
  public boolean replicated() {
    return true;
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (clock.instant().isAfter(restUntil)) {
      try {
        Connection connection = replica.getConnection();
        replicaReads.increment();
        return connection;
      } catch (SQLException e) {
        restUntil = clock.instant().plus(REST);
        log.warn(
            "The read replica "
                + replica.getJdbcUrl()
                + " cannot be reached ("
                + e.getMessage()
                + "); reads go to the primary for "
                + REST.toSeconds()
                + " s");
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
