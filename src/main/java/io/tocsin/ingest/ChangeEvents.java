package io.tocsin.ingest;

import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.platform.InvalidInputException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.util.IdGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Stores change events per service and lists them, newest first. */
@Service
public class ChangeEvents {

  /** The most change events one listing returns. */
  public static final int MAX_LIMIT = 500;

  private static final TypeReference<List<IncomingAlert.Link>> LINKS = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final Clock clock;
  private final IdGenerator ids;

  ChangeEvents(JdbcClient jdbc, JsonMapper json, Clock clock, IdGenerator ids) {
    this.jdbc = jdbc;
    this.json = json;
    this.clock = clock;
    this.ids = ids;
  }

  /** Records a change; {@code happenedAt} defaults to now, and so does the zero time. */
  public ChangeEvent record(
      KeyOwner owner,
      String summary,
      @Nullable String source,
      @Nullable Instant happenedAt,
      @Nullable Object details,
      List<IncomingAlert.Link> links) {
    if (summary.isBlank() || summary.length() > AlertIngestion.SUMMARY_LIMIT) {
      throw new InvalidInputException(
          "summary", "must have 1 to " + AlertIngestion.SUMMARY_LIMIT + " characters");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Instant given = IncomingAlert.given(happenedAt);
    ChangeEvent event =
        new ChangeEvent(
            ids.generateId(),
            owner.serviceId(),
            owner.integrationId(),
            summary,
            source,
            given == null ? now : given.truncatedTo(ChronoUnit.MICROS),
            now,
            details,
            links);
    jdbc.sql(
            """
            INSERT INTO ingest_change_event
              (id, integration_id, service_id, summary, source, happened_at, received_at, details,
               links)
            VALUES (:id, :integration, :service, :summary, :source, :happened, :received,
                    :details, :links)
            """)
        .param("id", event.id())
        .param("integration", event.integrationId())
        .param("service", event.serviceId())
        .param("summary", event.summary())
        .param("source", event.source())
        .param("happened", utc(event.happenedAt()))
        .param("received", utc(event.receivedAt()))
        .param("details", details == null ? null : json.writeValueAsString(details))
        .param("links", links.isEmpty() ? null : json.writeValueAsString(links))
        .update();
    return event;
  }

  /** The service's changes that happened in [{@code since}, {@code until}), newest first. */
  public List<ChangeEvent> forService(UUID serviceId, Instant since, Instant until, int limit) {
    return jdbc.sql(
            """
            SELECT id, service_id, integration_id, summary, source, happened_at, received_at,
                   details, links
            FROM ingest_change_event
            WHERE service_id = :service AND happened_at >= :since AND happened_at < :until
            ORDER BY happened_at DESC, id DESC
            FETCH FIRST :limit ROWS ONLY
            """)
        .param("service", serviceId)
        .param("since", utc(since))
        .param("until", utc(until))
        .param("limit", Math.min(Math.max(limit, 1), MAX_LIMIT))
        .query(
            (rs, n) -> {
              String details = rs.getString("details");
              String links = rs.getString("links");
              return new ChangeEvent(
                  rs.getObject("id", UUID.class),
                  rs.getObject("service_id", UUID.class),
                  rs.getObject("integration_id", UUID.class),
                  rs.getString("summary"),
                  rs.getString("source"),
                  rs.getObject("happened_at", OffsetDateTime.class).toInstant(),
                  rs.getObject("received_at", OffsetDateTime.class).toInstant(),
                  details == null ? null : json.readValue(details, Object.class),
                  links == null ? List.of() : json.readValue(links, LINKS));
            })
        .list();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
