package io.tocsin.correlate;

import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.incident.Actor;
import io.tocsin.incident.AlertRole;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentIntake.Attachment;
import io.tocsin.incident.Intake;
import io.tocsin.ingest.AlertChange;
import io.tocsin.ingest.AlertChange.AlertAcknowledged;
import io.tocsin.ingest.AlertChange.AlertFired;
import io.tocsin.ingest.AlertChange.AlertRefreshed;
import io.tocsin.ingest.AlertChange.AlertResolved;
import io.tocsin.ingest.AlertMuting;
import io.tocsin.platform.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The decisions of correlation, apart from where their state is kept: live correlation ({@code
 * AlertCorrelation}) runs them on the database, a replay on memory, so that a replay decides what
 * the live path would.
 *
 * <p>For each new firing alert, in order: a silence mutes it (kept as muted, no incident); an
 * inhibition rule mutes it (attached to the incident of the alert that inhibits it, if there is
 * one); a service it depends on has an incident with a firing alert (attached there as a symptom,
 * unless a person split its service out of that incident); the open incident of its service and
 * group key takes it; an incident inferred on its service takes it and is confirmed; otherwise it
 * opens an incident, which takes over the recent incidents of the services that depend on its
 * service.
 *
 * <p>After a batch that opened an incident on a service with dependencies, the incidents opened in
 * the inference window are looked at together: when enough failing services share a dependency that
 * is silent, an incident is inferred on it and takes theirs over (see {@link CauseInference}).
 */
public final class Correlator {

  private static final Log log = LogFactory.getLog(Correlator.class);

  /** What correlation did with a firing alert. */
  public enum Result {
    OPENED,
    ATTACHED,
    SYMPTOM,
    INHIBITED,
    SILENCED
  }

  /** A firing alert that an inhibition rule takes as its source. */
  public record Source(UUID alertId, AlertMuting.Firing firing) {}

  /** What correlation reads and keeps besides incidents. */
  public interface State {

    /** The silences to look at; each is asked whether it mutes at the batch's instant. */
    List<Silence> silences();

    List<InhibitionRule> inhibitionRules();

    /** The firing alerts that match some rule's source matchers. */
    List<Source> inhibitionSources();

    void addInhibitionSource(Source source);

    void removeInhibitionSources(Collection<UUID> alertIds);

    /** The alerts muting kept out of every incident, to look at again, in the order they came. */
    List<AlertFired> muted();

    Set<UUID> mutedAmong(Collection<UUID> alertIds);

    void addMuted(AlertFired alert);

    void removeMuted(Collection<UUID> alertIds);

    /** Those of these alerts that have resolved already. */
    Set<UUID> resolvedAmong(Collection<UUID> alertIds);

    /** Starts a new occurrence of each of these alerts, which a person's resolve left firing. */
    void renew(Collection<UUID> alertIds);

    /** The service, unless it has been deleted. */
    Optional<CatalogService> service(UUID id);

    DependencyGraph graph();

    /** The grouping of the integration; the service's once the integration has been deleted. */
    Grouping grouping(UUID integrationId);

    /** Whether an incident of the service at this severity would page anybody. */
    boolean reachesSomeone(UUID serviceId, Severity severity);
  }

  /** What a batch did: its firing alerts by result, and the causes it inferred. */
  public record Outcome(Map<Result, Integer> results, int inferredCauses) {}

  private final Intake incidents;
  private final State state;
  private final Duration mergeWindow;
  private final Duration inferenceWindow;
  private final int inferenceMinimum;

  public Correlator(Intake incidents, State state, CorrelationProperties settings) {
    this.incidents = incidents;
    this.state = state;
    this.mergeWindow = settings.mergeWindow();
    this.inferenceWindow = settings.inferenceWindow();
    this.inferenceMinimum = settings.inferenceMinServices();
  }

  /**
   * Correlates the changes of one batch at {@code now}: its firing alerts first, in order, then its
   * re-sends, acknowledgements and resolutions.
   */
  public Outcome correlate(List<AlertChange> changes, Instant now) {
    Batch batch = new Batch(now, true);
    List<AlertFired> fired = new ArrayList<>();
    Map<UUID, Severity> severities = new HashMap<>();
    List<UUID> acknowledged = new ArrayList<>();
    Map<UUID, Instant> resolved = new LinkedHashMap<>();
    for (AlertChange change : changes) {
      if (change instanceof AlertFired f) {
        fired.add(f);
      } else if (change instanceof AlertRefreshed r) {
        severities.put(r.alertId(), r.severity());
      } else if (change instanceof AlertAcknowledged a) {
        acknowledged.add(a.alertId());
      } else if (change instanceof AlertResolved r) {
        resolved.put(r.alertId(), r.endsAt());
      }
    }
    if (!fired.isEmpty()) {
      List<UUID> ids = fired.stream().map(AlertFired::alertId).toList();
      // A batch delivered again finds its alerts attached, or waiting as muted: the recheck owns
      // those now.
      Set<UUID> done = new HashSet<>(incidents.incidentsOf(ids).keySet());
      done.addAll(state.resolvedAmong(ids));
      done.addAll(state.mutedAmong(ids));
      for (AlertFired alert : fired) {
        if (!done.contains(alert.alertId()) && batch.correlate(alert)) {
          state.addMuted(alert);
        }
      }
      batch.flush();
      batch.inferCauses();
    }
    if (!severities.isEmpty()) {
      // Sent again after a person resolved its incident: a new occurrence, correlated in a batch
      // of its own, opens or joins an incident and pages, so no firing alert is left unheard.
      state.renew(incidents.refreshed(severities));
    }
    if (!acknowledged.isEmpty()) {
      incidents.acknowledged(
          acknowledged, new Actor(Actor.Kind.INTEGRATION, null, "the alert's sender"));
    }
    if (!resolved.isEmpty()) {
      state.removeInhibitionSources(resolved.keySet());
      state.removeMuted(resolved.keySet());
      resolved.entrySet().stream()
          .collect(Collectors.groupingBy(Map.Entry::getValue, Collectors.toList()))
          .forEach(
              (at, entries) ->
                  incidents.resolved(entries.stream().map(Map.Entry::getKey).toList(), at));
    }
    return batch.outcome();
  }

  /**
   * Correlates again, at {@code now}, the alerts that muting kept out of every incident and that
   * still fire: when their silence has ended or what inhibited them has resolved, they open or join
   * an incident.
   */
  public Outcome recheck(Instant now) {
    List<AlertFired> waiting = state.muted();
    if (waiting.isEmpty()) {
      return new Outcome(Map.of(), 0);
    }
    List<UUID> ids = waiting.stream().map(AlertFired::alertId).toList();
    Set<UUID> done = new HashSet<>(state.resolvedAmong(ids));
    done.addAll(incidents.incidentsOf(ids).keySet());
    Batch batch = new Batch(now, false);
    List<UUID> released = new ArrayList<>(done);
    for (AlertFired alert : waiting) {
      if (!done.contains(alert.alertId()) && !batch.correlate(alert)) {
        released.add(alert.alertId());
      }
    }
    batch.flush();
    batch.inferCauses();
    state.removeMuted(released);
    return batch.outcome();
  }

  /** The key that decides which open incident of the service takes the alert. */
  static String groupKey(CatalogService service, Grouping grouping, AlertFired alert) {
    return grouping.keyOf(service.groupBy(), alert.labels(), alert.dedupKey(), alert.fingerprint());
  }

  /**
   * The alert's labels as rules and silences see them, with its service's name, which replaces any
   * {@code tocsin_service} a sender put there: a silence of one service must not mute another's.
   */
  static Map<String, String> withService(Map<String, String> labels, String serviceName) {
    Map<String, String> all = new HashMap<>(labels);
    all.put(AlertMuting.SERVICE_LABEL, serviceName);
    return all;
  }

  private static String title(CatalogService service, AlertFired alert) {
    if (!alert.summary().isBlank()) {
      return alert.summary();
    }
    String name = alert.labels().get("alertname");
    return name == null ? "Alert on " + service.name() : name + " on " + service.name();
  }

  /** The state of one batch: what it has looked up, and the attachments not yet written. */
  private final class Batch {

    private final Instant now;
    private final boolean countMuted;
    private final List<Silence> silences;
    private final List<InhibitionRule> allRules;
    private final List<Source> inhibitors;
    private AlertMuting.@Nullable Now mutedNow;
    private final Map<String, Optional<Incident>> byGroup = new HashMap<>();
    private final Map<UUID, List<Incident>> firingByService = new HashMap<>();
    private final Map<UUID, Optional<Incident>> splits = new HashMap<>();
    private boolean openedDependent;
    private int inferredCauses;
    private final Map<UUID, Incident> pendingIncidents = new LinkedHashMap<>();
    private final Map<UUID, List<Attachment>> pending = new LinkedHashMap<>();
    private final Map<UUID, UUID> pendingByAlert = new HashMap<>();
    private final Map<List<UUID>, Optional<Incident>> inhibitorIncidents = new HashMap<>();
    private final Map<Result, Integer> results = new EnumMap<>(Result.class);

    Batch(Instant now, boolean countMuted) {
      this.now = now;
      this.countMuted = countMuted;
      this.silences = state.silences();
      this.allRules = state.inhibitionRules();
      this.inhibitors =
          allRules.isEmpty() ? new ArrayList<>() : new ArrayList<>(state.inhibitionSources());
    }

    /** Correlates one alert; true when muting kept it out of every incident. */
    boolean correlate(AlertFired alert) {
      Optional<CatalogService> service = state.service(alert.serviceId());
      if (service.isEmpty()) {
        // Deleted since the alert fired: there is nobody to tell.
        return false;
      }
      Map<String, String> labels = withService(alert.labels(), service.get().name());
      AlertMuting.Firing firing = new AlertMuting.Firing(alert.fingerprint(), labels);
      if (allRules.stream()
          .anyMatch(r -> r.sourceMatchers().stream().allMatch(m -> m.matches(labels)))) {
        Source source = new Source(alert.alertId(), firing);
        state.addInhibitionSource(source);
        inhibitors.add(source);
        mutedNow = null;
      }
      if (silences.stream().anyMatch(s -> s.mutes(labels, now))) {
        countMuted(Result.SILENCED);
        return true;
      }
      List<String> inhibitedBy = mutedNow().inhibitedBy(firing);
      if (!inhibitedBy.isEmpty()) {
        Optional<Incident> source = inhibitorIncident(inhibitedBy);
        source.ifPresent(incident -> attach(incident, alert, AlertRole.INHIBITED));
        countMuted(Result.INHIBITED);
        return source.isEmpty();
      }
      Optional<Incident> cause = dependencyIncident(alert.serviceId());
      if (cause.isPresent()) {
        Optional<Incident> split =
            splits.computeIfAbsent(alert.serviceId(), incidents::openSplitOn);
        if (split.isPresent()) {
          attach(split.get(), alert, AlertRole.GROUPED);
          count(Result.ATTACHED);
          return false;
        }
        attach(cause.get(), alert, AlertRole.SYMPTOM);
        count(Result.SYMPTOM);
        return false;
      }
      Grouping grouping =
          alert.grouping() != null ? alert.grouping() : state.grouping(alert.integrationId());
      String groupKey = groupKey(service.get(), grouping, alert);
      UUID serviceId = alert.serviceId();
      Optional<Incident> open =
          byGroup.computeIfAbsent(
              serviceId + " " + groupKey, k -> incidents.openIncident(serviceId, groupKey));
      if (open.isPresent()) {
        attach(open.get(), alert, AlertRole.GROUPED);
        count(Result.ATTACHED);
        return false;
      }
      open(service.get(), groupKey, alert);
      count(Result.OPENED);
      return false;
    }

    private void open(CatalogService service, String groupKey, AlertFired alert) {
      flush();
      Optional<Incident> inferred = incidents.openInferredOn(service.id());
      if (inferred.isPresent()) {
        mergeDependents(
            incidents.confirmInferred(
                inferred.get(),
                title(service, alert),
                groupKey,
                attachment(alert, AlertRole.TRIGGER)),
            service);
        return;
      }
      if (!service.dependencies().isEmpty()) {
        openedDependent = true;
      }
      Incident recurrence =
          recurrenceOf(alert)
              .or(
                  () ->
                      service.flapWindowMinutes() == 0
                          ? Optional.empty()
                          : incidents.resolvedSince(
                              service.id(), groupKey, now.minus(service.flapWindow())))
              .orElse(null);
      mergeDependents(
          incidents.open(
              title(service, alert), groupKey, attachment(alert, AlertRole.TRIGGER), recurrence),
          service);
    }

    /**
     * Merges into a cause's incident the recent incidents of the services that depend on it, but
     * not one a person split out: they said it is not a symptom.
     */
    private void mergeDependents(Incident cause, CatalogService service) {
      Incident merged = cause;
      List<UUID> dependents = state.graph().dependents(service.id());
      for (Incident dependent : incidents.openIncidentsSince(dependents, now.minus(mergeWindow))) {
        if (dependent.splitFrom() != null) {
          continue;
        }
        merged =
            incidents.merge(
                merged,
                dependent,
                true,
                Actor.TOCSIN,
                "its service "
                    + state.service(dependent.serviceId()).map(CatalogService::name).orElse("")
                    + " depends on "
                    + service.name());
      }
      byGroup.clear();
      firingByService.clear();
      inhibitorIncidents.clear();
    }

    /**
     * Infers the silent causes of the incidents opened in the inference window, when this batch
     * opened one that a cause could explain. Each cause must reach somebody: otherwise its symptoms
     * page as they would have, rather than be taken over by an incident that pages nobody.
     */
    void inferCauses() {
      if (!openedDependent) {
        return;
      }
      openedDependent = false;
      Map<UUID, Instant> failing = new LinkedHashMap<>();
      Map<UUID, Severity> worst = new HashMap<>();
      for (Incident incident : incidents.openedSince(now.minus(inferenceWindow))) {
        if (incident.splitFrom() != null) {
          continue;
        }
        failing.merge(incident.serviceId(), incident.openedAt(), (a, b) -> a.isBefore(b) ? a : b);
        worst.merge(incident.serviceId(), incident.severity(), Severity::higher);
      }
      if (failing.size() < inferenceMinimum) {
        return;
      }
      List<CauseInference.Cause> causes =
          CauseInference.infer(
              state.graph(),
              failing,
              inferenceMinimum,
              candidate ->
                  state.service(candidate).isPresent() && !incidents.hasOpenIncident(candidate));
      for (CauseInference.Cause cause : causes) {
        CatalogService service = state.service(cause.service()).orElseThrow();
        Severity severity =
            cause.explains().stream()
                .map(worst::get)
                .reduce(Severity::higher)
                .orElse(Severity.WARNING);
        if (!state.reachesSomeone(service.id(), severity)) {
          log.info(
              "Not inferring "
                  + service.name()
                  + " as the cause of "
                  + cause.explains().size()
                  + " failing services: its escalation policy reaches nobody now, so they page"
                  + " for themselves.");
          continue;
        }
        Incident incident =
            incidents.openInferred(
                service.id(),
                service.name() + " is probably down: services that need it are failing",
                severity,
                rivals(service, cause));
        mergeDependents(incident, service);
        incidents.inferred(incident);
        inferredCauses++;
      }
    }

    /** What else the failing services share, when the choice was not plain. */
    private @Nullable String rivals(CatalogService service, CauseInference.Cause cause) {
      if (cause.rivals().isEmpty()) {
        return null;
      }
      return "Ambiguous: they also share "
          + cause.rivals().stream()
              .map(
                  r ->
                      state
                              .service(r.service())
                              .map(CatalogService::name)
                              .orElse(r.service().toString())
                          + " ("
                          + r.explains()
                          + " of them)")
              .collect(Collectors.joining(", "))
          + "; "
          + service.name()
          + " explains the most.";
    }

    /** The resolved incident of the occurrence this alert continues, if it continues one. */
    private Optional<Incident> recurrenceOf(AlertFired alert) {
      return alert.previousOccurrence() == null
          ? Optional.empty()
          : incidents.incidentOfAlert(alert.previousOccurrence()).filter(i -> !i.isOpen());
    }

    /** The incident of an alert that inhibits this one, if any has one. */
    private Optional<Incident> inhibitorIncident(List<String> fingerprints) {
      List<UUID> ids =
          inhibitors.stream()
              .filter(s -> fingerprints.contains(s.firing().fingerprint()))
              .map(Source::alertId)
              .toList();
      for (UUID id : ids) {
        UUID pendingIncident = pendingByAlert.get(id);
        if (pendingIncident != null) {
          return Optional.of(Objects.requireNonNull(pendingIncidents.get(pendingIncident)));
        }
      }
      return inhibitorIncidents.computeIfAbsent(
          ids,
          sourceIds -> {
            for (UUID incident : Set.copyOf(incidents.incidentsOf(sourceIds).values())) {
              Optional<Incident> open = incidents.lockOpen(incident);
              if (open.isPresent()) {
                return open;
              }
            }
            return Optional.empty();
          });
    }

    /**
     * The incident of the deepest service this one depends on (transitively) that has a firing
     * alert: the one closest to the cause.
     */
    private Optional<Incident> dependencyIncident(UUID serviceId) {
      List<UUID> needs = state.graph().closure(serviceId);
      for (int i = needs.size() - 1; i >= 0; i--) {
        UUID need = needs.get(i);
        List<Incident> open =
            firingByService.computeIfAbsent(need, s -> incidents.firingIncidentsOf(List.of(s)));
        if (!open.isEmpty()) {
          return Optional.of(open.get(0));
        }
      }
      return Optional.empty();
    }

    private void attach(Incident incident, AlertFired alert, AlertRole role) {
      pendingIncidents.putIfAbsent(incident.id(), incident);
      pending.computeIfAbsent(incident.id(), k -> new ArrayList<>()).add(attachment(alert, role));
      pendingByAlert.put(alert.alertId(), incident.id());
    }

    private Attachment attachment(AlertFired alert, AlertRole role) {
      return new Attachment(
          alert.alertId(),
          alert.serviceId(),
          alert.fingerprint(),
          alert.summary(),
          alert.severity(),
          role,
          now);
    }

    void flush() {
      Map<Incident, List<Attachment>> attachments = new LinkedHashMap<>();
      pending.forEach(
          (id, alerts) ->
              attachments.put(Objects.requireNonNull(pendingIncidents.get(id)), alerts));
      incidents.attach(attachments);
      pending.clear();
      pendingIncidents.clear();
      pendingByAlert.clear();
    }

    private AlertMuting.Now mutedNow() {
      if (mutedNow == null) {
        mutedNow =
            RuleMuting.at(
                now, inhibitors.stream().map(Source::firing).toList(), silences, allRules);
      }
      return mutedNow;
    }

    private void count(Result result) {
      results.merge(result, 1, Integer::sum);
    }

    /** Counts a muted alert once, when it fires, not on every check that finds it muted still. */
    private void countMuted(Result result) {
      if (countMuted) {
        count(result);
      }
    }

    Outcome outcome() {
      return new Outcome(Map.copyOf(results), inferredCauses);
    }
  }
}
