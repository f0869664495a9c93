package io.tocsin.replay;

import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.incident.Actor;
import io.tocsin.incident.AlertRole;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentIntake.Attachment;
import io.tocsin.incident.IncidentStatus;
import io.tocsin.incident.Intake;
import io.tocsin.platform.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Incidents as correlation would have made them, kept in memory on the replay's clock: the same
 * rules as {@code IncidentIntake} (counts, severity, probable cause, merges, resolving when no
 * alert fires) without the database, the timeline or events. Nobody acts on them: no person
 * acknowledges, resolves, splits or changes a severity by hand.
 */
final class MemoryIncidents implements Intake {

  /** The group key of an incident inferred on a silent dependency, as live. */
  private static final String INFERRED = "tocsin:inferred";

  /** One incident while the replay runs. */
  static final class Held {
    final UUID id;
    final long number;
    String title;
    final UUID serviceId;
    String groupKey;
    IncidentStatus status = IncidentStatus.OPEN;
    Severity severity;
    UUID probableCause;
    final @Nullable UUID recurrenceOf;
    @Nullable UUID mergedInto;
    int alertCount;
    int firingCount;
    final Instant openedAt;
    @Nullable Instant resolvedAt;
    boolean inferred;
    @Nullable String inference;
    final Map<UUID, Share> services = new LinkedHashMap<>();
    @Nullable UUID trigger;

    Held(
        UUID id,
        long number,
        String title,
        UUID serviceId,
        String groupKey,
        Severity severity,
        @Nullable UUID recurrenceOf,
        Instant openedAt,
        boolean inferred,
        @Nullable String inference) {
      this.id = id;
      this.number = number;
      this.title = title;
      this.serviceId = serviceId;
      this.groupKey = groupKey;
      this.severity = severity;
      this.probableCause = serviceId;
      this.recurrenceOf = recurrenceOf;
      this.openedAt = openedAt;
      this.inferred = inferred;
      this.inference = inference;
    }

    Incident record() {
      return new Incident(
          id,
          number,
          title,
          serviceId,
          groupKey,
          status,
          severity,
          false,
          null,
          probableCause,
          recurrenceOf,
          mergedInto,
          alertCount,
          firingCount,
          openedAt,
          status == IncidentStatus.RESOLVED ? resolvedAt : null,
          resolvedAt,
          resolvedAt == null ? null : Actor.TOCSIN.name(),
          resolvedAt == null ? openedAt : resolvedAt,
          inferred,
          inference,
          null,
          null);
    }

    boolean isOpen() {
      return status != IncidentStatus.RESOLVED;
    }
  }

  /** A service's alerts on an incident: how many, how many fire, and when the first came. */
  static final class Share {
    int alerts;
    int firing;
    Instant first;

    Share(Instant first) {
      this.first = first;
    }
  }

  /** An alert on an incident. */
  private static final class Attached {
    UUID incident;
    final UUID serviceId;
    AlertRole role;
    Severity severity;
    boolean firing = true;

    Attached(UUID incident, UUID serviceId, AlertRole role, Severity severity) {
      this.incident = incident;
      this.serviceId = serviceId;
      this.role = role;
      this.severity = severity;
    }
  }

  private final Supplier<Instant> clock;
  private final Supplier<DependencyGraph> graph;
  private final Function<UUID, Optional<CatalogService>> services;
  private final Map<UUID, Held> incidents = new LinkedHashMap<>();
  private final Map<String, UUID> openKeys = new HashMap<>();
  private final Map<UUID, Attached> alerts = new HashMap<>();
  private final List<Change> changes = new ArrayList<>();
  private long numbers;

  /** What happened to an incident, in order, for the paging that follows from it. */
  sealed interface Change {
    UUID incidentId();

    Instant at();
  }

  record Opened(UUID incidentId, Instant at) implements Change {}

  record Resolved(UUID incidentId, Instant at) implements Change {}

  record SeverityRaised(UUID incidentId, Instant at, Severity to) implements Change {}

  MemoryIncidents(
      Supplier<Instant> clock,
      Supplier<DependencyGraph> graph,
      Function<UUID, Optional<CatalogService>> services) {
    this.clock = clock;
    this.graph = graph;
    this.services = services;
  }

  /** Every incident opened, in the order they opened. */
  Collection<Held> all() {
    return incidents.values();
  }

  /** The incident with this id, which this replay made. */
  Held heldById(UUID id) {
    return held(id);
  }

  /** The incident a firing alert is on, after merges. */
  Optional<UUID> incidentOfAlertId(UUID alertId) {
    Attached attached = alerts.get(alertId);
    return attached == null ? Optional.empty() : Optional.of(attached.incident);
  }

  /** What happened to incidents since the last call. */
  List<Change> drainChanges() {
    List<Change> drained = List.copyOf(changes);
    changes.clear();
    return drained;
  }

  @Override
  public Map<UUID, UUID> incidentsOf(Collection<UUID> alertIds) {
    Map<UUID, UUID> found = new HashMap<>();
    for (UUID id : alertIds) {
      Attached attached = alerts.get(id);
      if (attached != null) {
        found.put(id, attached.incident);
      }
    }
    return found;
  }

  @Override
  public Optional<Incident> incidentOfAlert(UUID alertId) {
    return incidentOfAlertId(alertId).map(id -> held(id).record());
  }

  @Override
  public Optional<Incident> lockOpen(UUID id) {
    Held held = held(id);
    return held != null && held.isOpen() ? Optional.of(held.record()) : Optional.empty();
  }

  @Override
  public Optional<Incident> openIncident(UUID serviceId, String groupKey) {
    UUID id = openKeys.get(openKey(serviceId, groupKey));
    return id == null ? Optional.empty() : lockOpen(id);
  }

  @Override
  public List<Incident> firingIncidentsOf(Collection<UUID> serviceIds) {
    return open(held -> serviceIds.contains(held.serviceId) && held.firingCount > 0);
  }

  @Override
  public List<Incident> openIncidentsSince(Collection<UUID> serviceIds, Instant since) {
    return open(held -> serviceIds.contains(held.serviceId) && !held.openedAt.isBefore(since));
  }

  @Override
  public List<Incident> openedSince(Instant since) {
    return open(held -> !held.openedAt.isBefore(since));
  }

  @Override
  public boolean hasOpenIncident(UUID serviceId) {
    return incidents.values().stream().anyMatch(h -> h.isOpen() && h.serviceId.equals(serviceId));
  }

  @Override
  public Optional<Incident> openSplitOn(UUID serviceId) {
    return Optional.empty();
  }

  @Override
  public Optional<Incident> resolvedSince(UUID serviceId, String groupKey, Instant since) {
    return incidents.values().stream()
        .filter(
            h ->
                h.serviceId.equals(serviceId)
                    && h.groupKey.equals(groupKey)
                    && h.mergedInto == null
                    && h.resolvedAt != null
                    && !h.resolvedAt.isBefore(since))
        .max(Comparator.comparing((Held h) -> h.resolvedAt))
        .map(Held::record);
  }

  @Override
  public Incident open(
      String title, String groupKey, Attachment trigger, @Nullable Incident recurrenceOf) {
    Held held =
        add(
            title,
            trigger.serviceId(),
            groupKey,
            trigger.severity(),
            recurrenceOf == null ? null : recurrenceOf.id(),
            false,
            null);
    held.trigger = trigger.alertId();
    attach(held, List.of(trigger));
    return held.record();
  }

  @Override
  public Incident openInferred(
      UUID serviceId, String title, Severity severity, @Nullable String rivals) {
    return add(title, serviceId, INFERRED, severity, null, true, rivals).record();
  }

  @Override
  public void inferred(Incident incident) {
    // Live writes the evidence to the timeline; a replay has none.
  }

  @Override
  public Optional<Incident> openInferredOn(UUID serviceId) {
    return openIncident(serviceId, INFERRED);
  }

  @Override
  public Incident confirmInferred(
      Incident inferred, String title, String groupKey, Attachment trigger) {
    Held held = held(inferred.id());
    openKeys.remove(openKey(held.serviceId, held.groupKey));
    held.inferred = false;
    held.title = title;
    held.groupKey = groupKey;
    openKeys.put(openKey(held.serviceId, groupKey), held.id);
    held.trigger = trigger.alertId();
    attach(held, List.of(trigger));
    return held.record();
  }

  @Override
  public void attach(Map<Incident, List<Attachment>> alertsByIncident) {
    alertsByIncident.forEach((incident, attachments) -> attach(held(incident.id()), attachments));
  }

  @Override
  public Incident merge(
      Incident target, Incident source, boolean asSymptoms, Actor actor, String why) {
    Held into = held(target.id());
    Held from = held(source.id());
    for (Attached attached : alerts.values()) {
      if (attached.incident.equals(from.id)) {
        attached.incident = into.id;
        if (asSymptoms
            && (attached.role == AlertRole.TRIGGER || attached.role == AlertRole.GROUPED)) {
          attached.role = AlertRole.SYMPTOM;
        }
      }
    }
    from.services.forEach(
        (service, share) -> {
          Share kept = into.services.computeIfAbsent(service, s -> new Share(share.first));
          kept.alerts += share.alerts;
          kept.firing += share.firing;
          if (share.first.isBefore(kept.first)) {
            kept.first = share.first;
          }
        });
    into.alertCount += from.alertCount;
    into.firingCount += from.firingCount;
    raise(into, from.severity);
    from.mergedInto = into.id;
    from.firingCount = 0;
    resolve(from);
    updateProbableCause(into);
    return into.record();
  }

  @Override
  public void resolved(Collection<UUID> alertIds, Instant at) {
    Set<Held> touched = new LinkedHashSet<>();
    for (UUID id : alertIds) {
      Attached attached = alerts.get(id);
      if (attached == null || !attached.firing) {
        continue;
      }
      attached.firing = false;
      // Nothing asks about a resolved alert again: the replay's memory follows the firing ones.
      alerts.remove(id);
      Held held = held(attached.incident);
      held.firingCount--;
      Objects.requireNonNull(held.services.get(attached.serviceId)).firing--;
      touched.add(held);
    }
    for (Held held : touched) {
      if (held.firingCount == 0 && held.isOpen()) {
        if (services.apply(held.serviceId).map(CatalogService::autoResolve).orElse(true)) {
          resolve(held);
        }
      } else if (held.isOpen()) {
        updateProbableCause(held);
      }
    }
  }

  @Override
  public void acknowledged(Collection<UUID> alertIds, Actor actor) {
    for (UUID id : alertIds) {
      Attached attached = alerts.get(id);
      if (attached != null) {
        Held held = held(attached.incident);
        if (held.status == IncidentStatus.OPEN) {
          held.status = IncidentStatus.ACKNOWLEDGED;
        }
      }
    }
  }

  @Override
  public Set<UUID> refreshed(Map<UUID, Severity> severities) {
    Set<UUID> renewed = new HashSet<>();
    severities.forEach(
        (id, severity) -> {
          Attached attached = alerts.get(id);
          if (attached != null) {
            attached.severity = severity;
          }
        });
    return renewed;
  }

  private Held add(
      String title,
      UUID serviceId,
      String groupKey,
      Severity severity,
      @Nullable UUID recurrenceOf,
      boolean inferred,
      @Nullable String inference) {
    Instant now = clock.get();
    Held held =
        new Held(
            UUID.randomUUID(),
            ++numbers,
            title,
            serviceId,
            groupKey,
            severity,
            recurrenceOf,
            now,
            inferred,
            inference);
    incidents.put(held.id, held);
    openKeys.put(openKey(serviceId, groupKey), held.id);
    changes.add(new Opened(held.id, now));
    return held;
  }

  private void attach(Held held, List<Attachment> attachments) {
    Severity before = held.severity;
    Set<UUID> touched = new HashSet<>();
    for (Attachment attachment : attachments) {
      alerts.put(
          attachment.alertId(),
          new Attached(held.id, attachment.serviceId(), attachment.role(), attachment.severity()));
      Share share =
          held.services.computeIfAbsent(attachment.serviceId(), s -> new Share(attachment.at()));
      share.alerts++;
      share.firing++;
      if (attachment.at().isBefore(share.first)) {
        share.first = attachment.at();
      }
      held.alertCount++;
      held.firingCount++;
      held.severity = Severity.higher(held.severity, attachment.severity());
      touched.add(attachment.serviceId());
    }
    if (held.severity != before) {
      changes.add(new SeverityRaised(held.id, clock.get(), held.severity));
    }
    if (touched.size() > 1 || !touched.contains(held.serviceId)) {
      updateProbableCause(held);
    }
  }

  private void raise(Held held, Severity to) {
    held.severity = Severity.higher(held.severity, to);
  }

  private void resolve(Held held) {
    Instant now = clock.get();
    held.status = IncidentStatus.RESOLVED;
    held.resolvedAt = now;
    openKeys.remove(openKey(held.serviceId, held.groupKey), held.id);
    changes.add(new Resolved(held.id, now));
  }

  /**
   * The firing service that most of the incident's other firing services depend on; the incident's
   * own service on a tie, then the one whose alerts came first. An inferred incident keeps its
   * service.
   */
  private void updateProbableCause(Held held) {
    if (held.inferred) {
      return;
    }
    DependencyGraph dependencies = graph.get();
    List<UUID> firing =
        held.services.entrySet().stream()
            .filter(e -> e.getValue().firing > 0)
            .map(Map.Entry::getKey)
            .toList();
    if (firing.isEmpty()) {
      return;
    }
    Map<UUID, Integer> neededBy = new HashMap<>();
    for (UUID service : firing) {
      for (UUID need : dependencies.closure(service)) {
        neededBy.merge(need, 1, Integer::sum);
      }
    }
    held.probableCause =
        firing.stream()
            .min(
                Comparator.comparing((UUID s) -> -neededBy.getOrDefault(s, 0))
                    .thenComparing(s -> !s.equals(held.serviceId))
                    .thenComparing(s -> Objects.requireNonNull(held.services.get(s)).first))
            .orElse(held.serviceId);
  }

  private List<Incident> open(Predicate<Held> which) {
    return incidents.values().stream()
        .filter(h -> h.isOpen() && which.test(h))
        .sorted(Comparator.comparing((Held h) -> h.openedAt).thenComparing(h -> h.id.toString()))
        .map(Held::record)
        .toList();
  }

  private Held held(UUID id) {
    return Objects.requireNonNull(incidents.get(id), "an incident of this replay");
  }

  private static String openKey(UUID serviceId, String groupKey) {
    return serviceId + " " + groupKey;
  }
}
