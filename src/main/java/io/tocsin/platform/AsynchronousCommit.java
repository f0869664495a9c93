package io.tocsin.platform;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Lets a transaction commit without waiting for the database's log flush (PostgreSQL's {@code
 * synchronous_commit = off}, for that transaction only). Only for work that is redone from a
 * durable source if the database crashes and loses it: a later synchronous commit flushes it too,
 * so at most the last few hundred milliseconds are lost, and in order. Never for the work behind a
 * 2xx. On H2 it does nothing.
 */
@Component
public class AsynchronousCommit {

  private final JdbcClient jdbc;
  private final boolean postgres;

  AsynchronousCommit(JdbcClient jdbc, HikariDataSource dataSource) {
    this.jdbc = jdbc;
    this.postgres = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
  }

  /** Makes the current transaction commit asynchronously; it must be a transaction of its own. */
  public void forThisTransaction() {
    if (postgres && TransactionSynchronizationManager.isActualTransactionActive()) {
      jdbc.sql("SET LOCAL synchronous_commit TO OFF").update();
    }
  }
}
