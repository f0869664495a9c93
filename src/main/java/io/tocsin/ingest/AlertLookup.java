package io.tocsin.ingest;

import io.tocsin.platform.InLists;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** What other modules may ask about stored alerts. */
@Service
public class AlertLookup {

  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
  private static final TypeReference<List<IncomingAlert.Link>> LINKS = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;

  AlertLookup(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** A firing alert with its labels. */
  public record FiringAlert(
      UUID alertId, UUID serviceId, String fingerprint, Map<String, String> labels) {}

  /** What a responder looks at in an alert beyond its summary. */
  public record AlertDetails(
      UUID alertId,
      Map<String, String> labels,
      Map<String, String> annotations,
      List<IncomingAlert.Link> links,
      @Nullable String generatorUrl,
      Instant startsAt,
      Instant lastSeenAt,
      int timesSeen) {}

  /** The details of these alerts, by id; ids of unknown alerts are left out. */
  public Map<UUID, AlertDetails> details(Collection<UUID> alertIds) {
    Map<UUID, AlertDetails> details = new HashMap<>();
    for (List<UUID> chunk : InLists.of(alertIds)) {
      jdbc.sql(
              """
              SELECT id, labels, annotations, links, generator_url, starts_at, last_seen_at,
                     times_seen
              FROM ingest_alert WHERE id IN (:ids)
              """)
          .param("ids", chunk)
          .query(
              rs -> {
                String links = rs.getString("links");
                UUID id = rs.getObject("id", UUID.class);
                details.put(
                    id,
                    new AlertDetails(
                        id,
                        json.readValue(rs.getString("labels"), LABELS),
                        json.readValue(rs.getString("annotations"), LABELS),
                        links == null ? List.of() : json.readValue(links, LINKS),
                        rs.getString("generator_url"),
                        rs.getObject("starts_at", OffsetDateTime.class).toInstant(),
                        rs.getObject("last_seen_at", OffsetDateTime.class).toInstant(),
                        rs.getInt("times_seen")));
              });
    }
    return details;
  }

  /** Which of these alerts have resolved by now. */
  public Set<UUID> resolvedAmong(Collection<UUID> alertIds) {
    Set<UUID> resolved = new HashSet<>();
    for (List<UUID> chunk : InLists.of(alertIds)) {
      resolved.addAll(
          jdbc.sql("SELECT id FROM ingest_alert WHERE id IN (:ids) AND status = 'resolved'")
              .param("ids", chunk)
              .query(UUID.class)
              .list());
    }
    return resolved;
  }

  /** Every firing alert. */
  public List<FiringAlert> firing() {
    List<FiringAlert> firing = new ArrayList<>();
    jdbc.sql("SELECT id, service_id, fingerprint, labels FROM ingest_alert WHERE status = 'firing'")
        .query(
            rs -> {
              firing.add(
                  new FiringAlert(
                      rs.getObject("id", UUID.class),
                      rs.getObject("service_id", UUID.class),
                      rs.getString("fingerprint"),
                      json.readValue(rs.getString("labels"), LABELS)));
            });
    return firing;
  }
}
