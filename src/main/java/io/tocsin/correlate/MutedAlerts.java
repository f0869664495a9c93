package io.tocsin.correlate;

import io.tocsin.ingest.AlertChange;
import io.tocsin.ingest.AlertChange.AlertFired;
import io.tocsin.platform.InLists;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** The firing alerts that muting kept out of every incident, to be checked again. */
@Component
class MutedAlerts {

  private final JdbcClient jdbc;
  private final JsonMapper json;

  MutedAlerts(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  List<AlertFired> all() {
    return jdbc
        .sql("SELECT alert FROM correlate_muted_alert ORDER BY alert_id")
        .query(String.class)
        .list()
        .stream()
        .map(text -> (AlertFired) json.readValue(text, AlertChange.class))
        .toList();
  }

  /** Which of these alerts are waiting as muted. */
  Set<UUID> among(Collection<UUID> alertIds) {
    Set<UUID> found = new HashSet<>();
    for (List<UUID> chunk : InLists.of(alertIds)) {
      found.addAll(
          jdbc.sql("SELECT alert_id FROM correlate_muted_alert WHERE alert_id IN (:ids)")
              .param("ids", chunk)
              .query(UUID.class)
              .list());
    }
    return found;
  }

  void add(AlertFired alert) {
    boolean known =
        jdbc.sql("SELECT COUNT(*) FROM correlate_muted_alert WHERE alert_id = :id")
                .param("id", alert.alertId())
                .query(Long.class)
                .single()
            > 0;
    if (!known) {
      jdbc.sql("INSERT INTO correlate_muted_alert (alert_id, alert) VALUES (:id, :alert)")
          .param("id", alert.alertId())
          .param("alert", json.writeValueAsString((AlertChange) alert))
          .update();
    }
  }

  void removeAll(Collection<UUID> alertIds) {
    for (List<UUID> chunk : InLists.of(alertIds)) {
      jdbc.sql("DELETE FROM correlate_muted_alert WHERE alert_id IN (:ids)")
          .param("ids", chunk)
          .update();
    }
  }
}
