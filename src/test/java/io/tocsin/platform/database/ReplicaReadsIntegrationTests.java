package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.TestClock;
import io.tocsin.testing.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reads through {@link ReplicaReads}, on either database as the primary. PostgreSQL itself plays
 * the replica that answers (a replica is a PostgreSQL that has the primary's rows; here it has its
 * own, which tells the two apart); a socket that hangs up at once plays the one that does not. The
 * streaming replica of a real primary is {@code .ci/check-replica}'s.
 */
class ReplicaReadsIntegrationTests extends BothDatabasesTests {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final TestClock clock = new TestClock(Instant.parse("2026-12-07T10:00:00Z"));
  private HikariDataSource replica;

  @AfterEach
  void closeReplica() {
    replica.close();
  }

  @Test
  void readsGoToTheReplicaWhileItAnswers() {
    ReplicaReads reads = reads("jdbc:postgresql://" + postgresHostAndPort() + "/test");

    String answeredBy =
        reads.read(
            db ->
                db.sql("SELECT current_setting('application_name')").query(String.class).single());

    assertThat(answeredBy).isEqualTo("tocsin-replica-test");
    assertThat(count("tocsin.database.read.replica")).isEqualTo(1);
    assertThat(count("tocsin.database.read.fallbacks")).isZero();
  }

  @Test
  void aReplicaThatRefusesIsLeftAloneWhileThePrimaryAnswersThenTriedAgain() throws IOException {
    try (ServerSocket refusing = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      AtomicInteger attempts = new AtomicInteger();
      Thread acceptor =
          new Thread(
              () -> {
                while (!refusing.isClosed()) {
                  try (Socket ignored = refusing.accept()) {
                    attempts.incrementAndGet();
                  } catch (IOException closed) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      ReplicaReads reads = reads("jdbc:postgresql://127.0.0.1:" + refusing.getLocalPort() + "/x");

      long first = nodes(reads);
      int afterFirst = attempts.get();
      clock.advance(ReplicaReads.REST.minusSeconds(1));
      nodes(reads);
      int whileResting = attempts.get();
      clock.advance(Duration.ofSeconds(2));
      nodes(reads);

      assertThat(first).as("answered by the primary").isZero();
      assertThat(afterFirst).as("the replica was tried").isPositive();
      assertThat(whileResting).as("and then left alone").isEqualTo(afterFirst);
      assertThat(attempts.get()).as("and tried again after the rest").isGreaterThan(whileResting);
      assertThat(count("tocsin.database.read.fallbacks")).isEqualTo(3);
      assertThat(count("tocsin.database.read.replica")).isZero();
    }
  }

  private static long nodes(ReplicaReads reads) {
    return reads.read(
        db ->
            db.sql(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'tocsin_none'")
                .query(Long.class)
                .single());
  }

  private ReplicaReads reads(String replicaUrl) {
    replica = new HikariDataSource();
    replica.setJdbcUrl(replicaUrl);
    replica.setUsername(TestDatabase.POSTGRES_USER);
    replica.setPassword(TestDatabase.POSTGRES_PASSWORD);
    replica.setConnectionTimeout(500);
    replica.setInitializationFailTimeout(-1);
    // No background filling of the pool: every connection attempt is one that a read asked for.
    replica.setMinimumIdle(0);
    replica.addDataSourceProperty("ApplicationName", "tocsin-replica-test");
    return new ReplicaReads(replica, schema().dataSource(), clock, meters);
  }

  private long count(String counter) {
    return (long) meters.counter(counter).count();
  }

  private static String postgresHostAndPort() {
    return TestDatabase.POSTGRES_URL.replaceFirst("^jdbc:postgresql://([^/]+)/.*$", "$1");
  }
}
