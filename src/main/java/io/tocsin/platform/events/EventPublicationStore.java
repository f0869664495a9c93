package io.tocsin.platform.events;

import io.tocsin.platform.AsynchronousCommit;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.EventPublication.Status;
import org.springframework.modulith.events.core.EventPublicationRepository;
import org.springframework.modulith.events.core.PublicationTargetIdentifier;
import org.springframework.modulith.events.core.TargetEventPublication;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Modulith's event publications in {@code platform_event_publication}. Spring Modulith's own
 * JDBC store asks the database for its product name while the application starts, which fails the
 * start when the database is down; this one touches the database only when an event is published or
 * delivered, through the same pool and transaction as the code that publishes it.
 *
 * <p>A completed publication is deleted: the table holds only work still to do, so it stays small
 * during an alert storm and a look at it tells an operator what is stuck.
 */
final class EventPublicationStore implements EventPublicationRepository {

  private static final String COLUMNS =
      "id, listener_id, event_type, serialized_event, publication_date, status,"
          + " completion_attempts, last_resubmission_date";

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final TransactionTemplate transactions;
  private final AsynchronousCommit asynchronous;

  EventPublicationStore(
      JdbcClient jdbc,
      JsonMapper json,
      TransactionTemplate transactions,
      AsynchronousCommit asynchronous) {
    this.jdbc = jdbc;
    this.json = json;
    this.transactions = transactions;
    this.asynchronous = asynchronous;
  }

  @Override
  public TargetEventPublication create(TargetEventPublication publication) {
    String serialized = json.writeValueAsString(publication.getEvent());
    jdbc.sql(
            "INSERT INTO platform_event_publication ("
                + COLUMNS
                + ", event_hash)"
                + " VALUES (:id, :listener, :type, :event, :published, :status, 0, NULL, :hash)")
        .param("id", publication.getIdentifier())
        .param("listener", publication.getTargetIdentifier().getValue())
        .param("type", publication.getEvent().getClass().getName())
        .param("event", serialized)
        .param("published", utc(publication.getPublicationDate()))
        .param("status", text(publication.getStatus()))
        .param("hash", sha256(serialized))
        .update();
    return publication;
  }

  @Override
  public void markProcessing(UUID identifier) {
    bookkeeping(() -> setStatus(identifier, Status.PROCESSING));
  }

  @Override
  public void markCompleted(Object event, PublicationTargetIdentifier identifier, Instant date) {
    String serialized = json.writeValueAsString(event);
    // One row, not all that match: the same event published twice is two deliveries owed.
    bookkeeping(
        () ->
            jdbc.sql(
                    """
            DELETE FROM platform_event_publication WHERE id IN (
              SELECT id FROM platform_event_publication
              WHERE listener_id = :listener AND event_hash = :hash AND serialized_event = :event
              ORDER BY publication_date FETCH FIRST 1 ROWS ONLY)
            """)
                .param("listener", identifier.getValue())
                .param("hash", sha256(serialized))
                .param("event", serialized)
                .update());
  }

  @Override
  public void markCompleted(UUID identifier, Instant date) {
    bookkeeping(
        () ->
            jdbc.sql("DELETE FROM platform_event_publication WHERE id = :id")
                .param("id", identifier)
                .update());
  }

  @Override
  public void markFailed(UUID identifier) {
    bookkeeping(() -> setStatus(identifier, Status.FAILED));
  }

  /**
   * Runs a delivery's bookkeeping (processing, completed, failed) without waiting for the log flush
   * when it has a transaction of its own. Losing it in a database crash only delivers the event
   * again, and listeners are idempotent; waiting for it put two flushes on the path of every
   * delivery, and a listener that runs one delivery at a time then managed a few hundred a second.
   */
  private void bookkeeping(Runnable statement) {
    if (TransactionSynchronizationManager.isActualTransactionActive()) {
      statement.run();
      return;
    }
    transactions.executeWithoutResult(
        status -> {
          asynchronous.forThisTransaction();
          statement.run();
        });
  }

  /**
   * Claims a failed or stale publication for one more attempt. Only one node's update matches, so a
   * publication is handed to one listener invocation at a time across the cluster.
   */
  @Override
  public boolean markResubmitted(UUID identifier, Instant date) {
    return jdbc.sql(
                """
                UPDATE platform_event_publication
                SET status = 'resubmitted', last_resubmission_date = :date,
                    completion_attempts = completion_attempts + 1
                WHERE id = :id AND status IN ('failed', 'published', 'processing')
                """)
            .param("date", utc(date))
            .param("id", identifier)
            .update()
        == 1;
  }

  @Override
  public List<TargetEventPublication> findIncompletePublications() {
    return jdbc.sql(
            "SELECT " + COLUMNS + " FROM platform_event_publication ORDER BY publication_date")
        .query(this::publication)
        .list();
  }

  @Override
  public List<TargetEventPublication> findIncompletePublicationsPublishedBefore(Instant instant) {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM platform_event_publication WHERE publication_date < :before"
                + " ORDER BY publication_date")
        .param("before", utc(instant))
        .query(this::publication)
        .list();
  }

  @Override
  public Optional<TargetEventPublication> findIncompletePublicationsByEventAndTargetIdentifier(
      Object event, PublicationTargetIdentifier identifier) {
    String serialized = json.writeValueAsString(event);
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM platform_event_publication WHERE listener_id = :listener"
                + " AND event_hash = :hash AND serialized_event = :event"
                + " ORDER BY publication_date FETCH FIRST 1 ROWS ONLY")
        .param("listener", identifier.getValue())
        .param("hash", sha256(serialized))
        .param("event", serialized)
        .query(this::publication)
        .optional();
  }

  @Override
  public List<TargetEventPublication> findFailedPublications(FailedCriteria criteria) {
    Instant before = criteria.getPublicationDateReference();
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM platform_event_publication WHERE status = 'failed'"
                + " AND publication_date < :before ORDER BY publication_date"
                + " FETCH FIRST :limit ROWS ONLY")
        .param("before", utc(before == null ? Instant.now() : before))
        .param("limit", criteria.getMaxItemsToRead() < 0 ? 1000 : criteria.getMaxItemsToRead())
        .query(this::publication)
        .list();
  }

  @Override
  public List<TargetEventPublication> findByStatus(Status status) {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM platform_event_publication WHERE status = :status"
                + " ORDER BY publication_date")
        .param("status", text(status))
        .query(this::publication)
        .list();
  }

  @Override
  public int countByStatus(Status status) {
    return jdbc.sql("SELECT COUNT(*) FROM platform_event_publication WHERE status = :status")
        .param("status", text(status))
        .query(Integer.class)
        .single();
  }

  @Override
  public void deletePublications(List<UUID> identifiers) {
    for (UUID id : identifiers) {
      markCompleted(id, Instant.EPOCH);
    }
  }

  /** Completed publications are deleted as they complete; none are left to clean up. */
  @Override
  public void deleteCompletedPublications() {}

  /** Completed publications are deleted as they complete; none are left to clean up. */
  @Override
  public void deleteCompletedPublicationsBefore(Instant instant) {}

  private void setStatus(UUID identifier, Status status) {
    jdbc.sql("UPDATE platform_event_publication SET status = :status WHERE id = :id")
        .param("status", text(status))
        .param("id", identifier)
        .update();
  }

  private TargetEventPublication publication(ResultSet rs, int row) throws SQLException {
    String type = rs.getString("event_type");
    String serialized = rs.getString("serialized_event");
    Instant resubmitted = instant(rs, "last_resubmission_date");
    return new StoredPublication(
        rs.getObject("id", UUID.class),
        instant(rs, "publication_date"),
        rs.getString("listener_id"),
        () -> json.readValue(serialized, eventType(type)),
        Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
        resubmitted,
        rs.getInt("completion_attempts"));
  }

  private static Class<?> eventType(String name) {
    try {
      return ClassUtils.forName(name, EventPublicationStore.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "A stored event publication names the class " + name + ", which this build lacks", e);
    }
  }

  private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static String text(Status status) {
    return status.name().toLowerCase(Locale.ROOT);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
