package io.tocsin.correlate;

import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.AlertLookup;
import io.tocsin.ingest.AlertMuting;
import io.tocsin.platform.InLists;
import io.tocsin.platform.NotFoundException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The firing alerts that could inhibit others: recorded when correlation sees them fire, forgotten
 * when they resolve, and filled from the stored firing alerts when a rule is created.
 */
@Component
class InhibitionSources {

  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final AlertLookup alerts;
  private final ServiceCatalog services;

  InhibitionSources(JdbcClient jdbc, JsonMapper json, AlertLookup alerts, ServiceCatalog services) {
    this.jdbc = jdbc;
    this.json = json;
    this.alerts = alerts;
    this.services = services;
  }

  /** A possible source: the alert and its labels with {@link AlertMuting#SERVICE_LABEL}. */
  List<Correlator.Source> all() {
    return jdbc.sql("SELECT alert_id, fingerprint, labels FROM correlate_inhibition_source")
        .query(
            (rs, n) ->
                new Correlator.Source(
                    rs.getObject("alert_id", UUID.class),
                    new AlertMuting.Firing(
                        rs.getString("fingerprint"),
                        json.readValue(rs.getString("labels"), LABELS))))
        .list();
  }

  /** Records a firing alert that matches a rule's source side, once. */
  void add(Correlator.Source source) {
    boolean known =
        jdbc.sql("SELECT COUNT(*) FROM correlate_inhibition_source WHERE alert_id = :id")
                .param("id", source.alertId())
                .query(Long.class)
                .single()
            > 0;
    if (!known) {
      jdbc.sql(
              "INSERT INTO correlate_inhibition_source (alert_id, fingerprint, labels)"
                  + " VALUES (:id, :fingerprint, :labels)")
          .param("id", source.alertId())
          .param("fingerprint", source.firing().fingerprint())
          .param("labels", json.writeValueAsString(source.firing().labels()))
          .update();
    }
  }

  void removeAll(Collection<UUID> alertIds) {
    for (List<UUID> chunk : InLists.of(alertIds)) {
      jdbc.sql("DELETE FROM correlate_inhibition_source WHERE alert_id IN (:ids)")
          .param("ids", chunk)
          .update();
    }
  }

  /** Records the firing alerts that match a new rule's source side. */
  void seed(InhibitionRule rule) {
    Map<UUID, String> names = new HashMap<>();
    List<Correlator.Source> matching = new ArrayList<>();
    for (AlertLookup.FiringAlert alert : alerts.firing()) {
      Map<String, String> labels =
          Correlator.withService(
              alert.labels(), names.computeIfAbsent(alert.serviceId(), this::serviceName));
      if (rule.sourceMatchers().stream().allMatch(m -> m.matches(labels))) {
        matching.add(
            new Correlator.Source(
                alert.alertId(), new AlertMuting.Firing(alert.fingerprint(), labels)));
      }
    }
    matching.forEach(this::add);
  }

  /** The alert's labels as rules and silences see them ({@link Correlator#withService}). */
  Map<String, String> withService(
      Map<String, String> labels, UUID serviceId, Map<UUID, String> names) {
    return Correlator.withService(labels, names.computeIfAbsent(serviceId, this::serviceName));
  }

  private String serviceName(UUID id) {
    try {
      return services.get(id).name();
    } catch (NotFoundException e) {
      return id.toString();
    }
  }
}
