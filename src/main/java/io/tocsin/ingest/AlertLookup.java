package io.tocsin.ingest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** What other modules may ask about stored alerts. */
@Service
public class AlertLookup {

  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
  private static final int CHUNK = 500;

  private final JdbcClient jdbc;
  private final JsonMapper json;

  AlertLookup(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** A firing alert with its labels. */
  public record FiringAlert(
      UUID alertId, UUID serviceId, String fingerprint, Map<String, String> labels) {}

  /** Which of these alerts have resolved by now. */
  public Set<UUID> resolvedAmong(Collection<UUID> alertIds) {
    List<UUID> all = List.copyOf(alertIds);
    Set<UUID> resolved = new HashSet<>();
    for (int i = 0; i < all.size(); i += CHUNK) {
      resolved.addAll(
          jdbc.sql("SELECT id FROM ingest_alert WHERE id IN (:ids) AND status = 'resolved'")
              .param("ids", all.subList(i, Math.min(all.size(), i + CHUNK)))
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
