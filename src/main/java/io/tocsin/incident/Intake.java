package io.tocsin.incident;

import io.tocsin.incident.IncidentIntake.Attachment;
import io.tocsin.platform.Severity;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What correlation reads of incidents and does to them. {@link IncidentIntake} keeps them in the
 * database; a replay keeps them in memory, so that the same correlation decisions run on both.
 */
public interface Intake {

  /** The incident each of these alerts is attached to, by alert id. */
  Map<UUID, UUID> incidentsOf(Collection<UUID> alertIds);

  Optional<Incident> incidentOfAlert(UUID alertId);

  /** The incident, if it is still unresolved. */
  Optional<Incident> lockOpen(UUID id);

  /** The unresolved incident of the service and group key. */
  Optional<Incident> openIncident(UUID serviceId, String groupKey);

  /** The unresolved incidents of these services that have a firing alert, oldest first. */
  List<Incident> firingIncidentsOf(Collection<UUID> serviceIds);

  /** The unresolved incidents of these services opened at {@code since} or later, oldest first. */
  List<Incident> openIncidentsSince(Collection<UUID> serviceIds, Instant since);

  /** Every unresolved incident opened at {@code since} or later. */
  List<Incident> openedSince(Instant since);

  boolean hasOpenIncident(UUID serviceId);

  /** The unresolved incident a person split the service out into. */
  Optional<Incident> openSplitOn(UUID serviceId);

  /** The latest incident of the service and key resolved at {@code since} or later, not merged. */
  Optional<Incident> resolvedSince(UUID serviceId, String groupKey, Instant since);

  Incident open(String title, String groupKey, Attachment trigger, @Nullable Incident recurrenceOf);

  Incident openInferred(UUID serviceId, String title, Severity severity, @Nullable String rivals);

  /** Records why an incident was inferred, once the symptoms it explains are merged into it. */
  void inferred(Incident incident);

  Optional<Incident> openInferredOn(UUID serviceId);

  Incident confirmInferred(Incident inferred, String title, String groupKey, Attachment trigger);

  void attach(Map<Incident, List<Attachment>> alertsByIncident);

  Incident merge(Incident target, Incident source, boolean asSymptoms, Actor actor, String why);

  /** Follows the alerts that resolved at {@code at}, resolving incidents left with none firing. */
  void resolved(Collection<UUID> alertIds, Instant at);

  void acknowledged(Collection<UUID> alertIds, Actor actor);

  /**
   * Follows the alerts' new severities; answers those still firing on an incident a person
   * resolved, which start a new occurrence.
   */
  Set<UUID> refreshed(Map<UUID, Severity> severities);
}
