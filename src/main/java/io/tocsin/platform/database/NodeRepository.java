package io.tocsin.platform.database;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The row that says this node is alive. Writing it on every probe proves the database accepts
 * writes, not only reads: a PostgreSQL that failed over to a read-only replica answers {@code
 * SELECT 1} and still cannot take a single alert.
 */
final class NodeRepository {

  private static final String TOUCH =
      """
      UPDATE platform_node SET last_seen_at = :now WHERE id = :id
      """;

  private static final String INSERT =
      """
      INSERT INTO platform_node (id, host_name, version, started_at, last_seen_at)
      VALUES (:id, :hostName, :version, :now, :now)
      """;

  private static final String DELETE_STALE =
      """
      DELETE FROM platform_node WHERE last_seen_at < :before
      """;

  private static final String DELETE =
      """
      DELETE FROM platform_node WHERE id = :id
      """;

  private final JdbcClient jdbc;
  private final UUID id = UUID.randomUUID();
  private final String hostName = hostName();
  private final String version;

  NodeRepository(DataSource dataSource, String version) {
    this.jdbc = JdbcClient.create(dataSource);
    this.version = version;
  }

  UUID id() {
    return id;
  }

  /** Records that this node is alive at {@code now}, creating its row on the first call. */
  void heartbeat(Instant now) {
    OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
    // Only this node writes its own row, so update-then-insert cannot race with another writer.
    int updated = jdbc.sql(TOUCH).param("now", at).param("id", id).update();
    if (updated == 0) {
      jdbc.sql(INSERT)
          .param("id", id)
          .param("hostName", hostName)
          .param("version", version)
          .param("now", at)
          .update();
    }
  }

  /** Forgets nodes that stopped without saying so. */
  int forgetNodesNotSeenSince(Instant before) {
    return jdbc.sql(DELETE_STALE).param("before", before.atOffset(ZoneOffset.UTC)).update();
  }

  void leave() {
    jdbc.sql(DELETE).param("id", id).update();
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
