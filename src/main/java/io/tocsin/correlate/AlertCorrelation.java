package io.tocsin.correlate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.incident.Actor;
import io.tocsin.incident.AlertRole;
import io.tocsin.incident.CauseReachability;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentIntake;
import io.tocsin.incident.IncidentIntake.Attachment;
import io.tocsin.ingest.AlertChange;
import io.tocsin.ingest.AlertChange.AlertAcknowledged;
import io.tocsin.ingest.AlertChange.AlertFired;
import io.tocsin.ingest.AlertChange.AlertRefreshed;
import io.tocsin.ingest.AlertChange.AlertResolved;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.ingest.AlertLookup;
import io.tocsin.ingest.AlertMuting;
import io.tocsin.ingest.AlertsChanged;
import io.tocsin.platform.AsynchronousCommit;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.GroupCommit;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Severity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns alert changes into incident changes. The batches published while correlation was busy are
 * correlated together in one transaction under the incident lock ({@link GroupCommit}): the
 * silences, rules, graph and incidents are read once for all of them, so correlation keeps up with
 * a storm of single-alert requests as it does with batches. The decisions of a transaction are all
 * or nothing, a group that fails is correlated again batch by batch, and a batch delivered twice
 * (listeners run at least once) finds its alerts attached and changes nothing.
 *
 * <p>For each new firing alert, in order: a silence mutes it (stored, no incident); an inhibition
 * rule mutes it (attached to the incident of the alert that inhibits it, if there is one); a
 * service it depends on has an incident with a firing alert (attached there as a symptom, unless a
 * person split its service out of that incident); the open incident of its service and group key
 * takes it; an incident inferred on its service takes it and is confirmed; otherwise it opens an
 * incident, which takes over the recent incidents of the services that depend on its service.
 *
 * <p>After a batch that opened an incident on a service with dependencies, the incidents opened in
 * the inference window are looked at together: when enough failing services share a dependency that
 * is silent, an incident is inferred on it and takes theirs over (see {@link CauseInference}).
 */
@Component
class AlertCorrelation implements SmartLifecycle {

  private static final Log log = LogFactory.getLog(AlertCorrelation.class);

  /**
   * The most alert changes correlated in one transaction: ten full ingestion batches, a transaction
   * of a second or so that holds the incident lock no longer than a storm's pages can wait.
   */
  static final int GROUP_CHANGES = 10_000;

  /** The outcomes counted by {@code tocsin_alerts_correlated_total}. */
  enum Result {
    OPENED,
    ATTACHED,
    SYMPTOM,
    INHIBITED,
    SILENCED
  }

  private final IncidentIntake incidents;
  private final AlertLookup alerts;
  private final AlertIngestion ingestion;
  private final ServiceCatalog services;
  private final IntegrationService integrations;
  private final Silences silences;
  private final InhibitionRules rules;
  private final InhibitionSources sources;
  private final RuleMuting muting;
  private final MutedAlerts muted;
  private final DatabaseAvailability database;
  private final AsynchronousCommit asynchronous;
  private final TransactionTemplate transactions;
  private final Clock clock;
  private final Duration mergeWindow;
  private final Duration inferenceWindow;
  private final int inferenceMinimum;
  private final ObjectProvider<CauseReachability> reachability;
  private final Map<Result, Counter> counters = new EnumMap<>(Result.class);
  private final Counter inferred;
  private final GroupCommit<List<AlertChange>, Boolean> correlator;

  AlertCorrelation(
      IncidentIntake incidents,
      AlertLookup alerts,
      AlertIngestion ingestion,
      ServiceCatalog services,
      IntegrationService integrations,
      Silences silences,
      InhibitionRules rules,
      InhibitionSources sources,
      RuleMuting muting,
      MutedAlerts muted,
      DatabaseAvailability database,
      AsynchronousCommit asynchronous,
      PlatformTransactionManager transactionManager,
      Clock clock,
      MeterRegistry registry,
      ObjectProvider<CauseReachability> reachability,
      CorrelationProperties settings) {
    this.incidents = incidents;
    this.alerts = alerts;
    this.ingestion = ingestion;
    this.services = services;
    this.integrations = integrations;
    this.silences = silences;
    this.rules = rules;
    this.sources = sources;
    this.muting = muting;
    this.muted = muted;
    this.database = database;
    this.asynchronous = asynchronous;
    this.transactions = new TransactionTemplate(transactionManager);
    this.clock = clock;
    this.mergeWindow = settings.mergeWindow();
    this.inferenceWindow = settings.inferenceWindow();
    this.inferenceMinimum = settings.inferenceMinServices();
    this.reachability = reachability;
    for (Result result : Result.values()) {
      counters.put(
          result,
          Counter.builder("tocsin.alerts.correlated")
              .description("Firing alerts by what correlation did with them")
              .tag("result", EnumText.canonical(result))
              .register(registry));
    }
    this.inferred =
        Counter.builder("tocsin.causes.inferred")
            .description("Incidents opened on a silent dependency of several failing services")
            .register(registry);
    this.correlator =
        new GroupCommit<>(
            "tocsin-correlate",
            transactions,
            group -> {
              correlate(group.stream().flatMap(List::stream).toList());
              return Collections.nCopies(group.size(), Boolean.TRUE);
            },
            List::size,
            GROUP_CHANGES,
            1,
            IllegalStateException::new);
  }

  /**
   * Waits on a correlation executor thread until the batch is correlated and committed, so that its
   * publication is completed only then: a batch lost in a crash is delivered again.
   */
  @Async(CorrelationConfiguration.EXECUTOR)
  @TransactionalEventListener
  public void on(AlertsChanged event) {
    correlator.submit(event.changes());
  }

  @Override
  public void start() {
    correlator.start();
  }

  @Override
  public void stop() {
    correlator.stop();
  }

  @Override
  public boolean isRunning() {
    return correlator.isRunning();
  }

  /** Started before and stopped after ingestion, so that the batches it stored get correlated. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 8192;
  }

  /**
   * Correlates again the alerts that muting kept out of every incident and that still fire: when
   * their silence has ended or what inhibited them has resolved, they open or join an incident.
   */
  @Scheduled(
      initialDelayString = "${tocsin.correlation.recheck-interval}",
      fixedDelayString = "${tocsin.correlation.recheck-interval}")
  void recheckMuted() {
    if (!database.isReady()) {
      return;
    }
    try {
      transactions.executeWithoutResult(status -> recheck());
    } catch (RuntimeException e) {
      // The database may have gone since the check; the next pass tries again.
      log.warn("Checking muted alerts again failed: " + e.getMessage());
    }
  }

  private void recheck() {
    asynchronous.forThisTransaction();
    incidents.lock();
    List<AlertFired> waiting = muted.all();
    if (waiting.isEmpty()) {
      return;
    }
    List<UUID> ids = waiting.stream().map(AlertFired::alertId).toList();
    Set<UUID> done = new HashSet<>(alerts.resolvedAmong(ids));
    done.addAll(incidents.incidentsOf(ids).keySet());
    Batch batch = new Batch(clock.instant(), false);
    List<UUID> released = new ArrayList<>(done);
    for (AlertFired alert : waiting) {
      if (!done.contains(alert.alertId()) && !batch.correlate(alert)) {
        released.add(alert.alertId());
      }
    }
    batch.flush();
    batch.inferCauses();
    muted.removeAll(released);
    batch.countAfterCommit();
  }

  void correlate(List<AlertChange> changes) {
    // Lost in a database crash, a batch is delivered again: its publication is completed after
    // this commits, and the log keeps commits in order.
    asynchronous.forThisTransaction();
    incidents.lock();
    Batch batch = new Batch(clock.instant(), true);
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
      done.addAll(alerts.resolvedAmong(ids));
      done.addAll(muted.among(ids));
      for (AlertFired alert : fired) {
        if (!done.contains(alert.alertId()) && batch.correlate(alert)) {
          muted.add(alert);
        }
      }
      batch.flush();
      batch.inferCauses();
    }
    if (!severities.isEmpty()) {
      // Sent again after a person resolved its incident: a new occurrence, correlated in a batch
      // of its own, opens or joins an incident and pages, so no firing alert is left unheard.
      ingestion.renew(incidents.refreshed(severities));
    }
    if (!acknowledged.isEmpty()) {
      incidents.acknowledged(
          acknowledged, new Actor(Actor.Kind.INTEGRATION, null, "the alert's sender"));
    }
    if (!resolved.isEmpty()) {
      sources.removeAll(resolved.keySet());
      muted.removeAll(resolved.keySet());
      resolved.entrySet().stream()
          .collect(Collectors.groupingBy(Map.Entry::getValue, Collectors.toList()))
          .forEach(
              (at, entries) ->
                  incidents.resolved(entries.stream().map(Map.Entry::getKey).toList(), at));
    }
    batch.countAfterCommit();
  }

  /** The state of one batch: what it has looked up, and the attachments not yet written. */
  private final class Batch {

    private final Instant now;
    private final boolean countMuted;
    private final Map<UUID, String> names = new HashMap<>();
    private final List<Silence> activeSilences;
    private final List<InhibitionRule> allRules;
    private final List<InhibitionSources.Source> inhibitors;
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
      this.activeSilences = silences.active();
      this.allRules = rules.list();
      this.inhibitors = allRules.isEmpty() ? new ArrayList<>() : new ArrayList<>(sources.all());
    }

    /** Correlates one alert; true when muting kept it out of every incident. */
    boolean correlate(AlertFired alert) {
      Optional<CatalogService> service = service(alert.serviceId());
      if (service.isEmpty()) {
        // Deleted since the alert fired: there is nobody to tell.
        return false;
      }
      Map<String, String> labels = sources.withService(alert.labels(), alert.serviceId(), names);
      AlertMuting.Firing firing = new AlertMuting.Firing(alert.fingerprint(), labels);
      if (allRules.stream()
          .anyMatch(r -> r.sourceMatchers().stream().allMatch(m -> m.matches(labels)))) {
        InhibitionSources.Source source = new InhibitionSources.Source(alert.alertId(), firing);
        sources.add(source);
        inhibitors.add(source);
        mutedNow = null;
      }
      if (activeSilences.stream().anyMatch(s -> s.mutes(labels, now))) {
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
          alert.grouping() != null ? alert.grouping() : grouping(alert.integrationId());
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
      List<UUID> dependents = graph().dependents(service.id());
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
                    + service(dependent.serviceId()).map(CatalogService::name).orElse("")
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
      CauseReachability reach = reachability.getIfAvailable(() -> (service, severity) -> true);
      List<CauseInference.Cause> causes =
          CauseInference.infer(
              graph(),
              failing,
              inferenceMinimum,
              candidate -> service(candidate).isPresent() && !incidents.hasOpenIncident(candidate));
      for (CauseInference.Cause cause : causes) {
        CatalogService service = service(cause.service()).orElseThrow();
        Severity severity =
            cause.explains().stream()
                .map(worst::get)
                .reduce(Severity::higher)
                .orElse(Severity.WARNING);
        if (!reach.reachesSomeone(service.id(), severity)) {
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
                      service(r.service()).map(CatalogService::name).orElse(r.service().toString())
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
              .map(InhibitionSources.Source::alertId)
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
      List<UUID> needs = graph().closure(serviceId);
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
            muting.now(
                inhibitors.stream().map(InhibitionSources.Source::firing).toList(),
                activeSilences,
                allRules);
      }
      return mutedNow;
    }

    // The graph, services and groupings are the node's copies (ConfigGenerations), read at one
    // generation for the whole transaction: nothing to keep per batch.
    private DependencyGraph graph() {
      return services.dependencyGraph();
    }

    private Optional<CatalogService> service(UUID id) {
      try {
        return Optional.of(services.get(id));
      } catch (NotFoundException e) {
        return Optional.empty();
      }
    }

    /** The integration's grouping; the service's, once the integration has been deleted. */
    private Grouping grouping(UUID integrationId) {
      try {
        return integrations.grouping(integrationId);
      } catch (NotFoundException e) {
        return new Grouping(Grouping.By.SERVICE, List.of());
      }
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

    void countAfterCommit() {
      if (results.isEmpty() && inferredCauses == 0) {
        return;
      }
      Map<Result, Integer> counted = Map.copyOf(results);
      int causes = inferredCauses;
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              counted.forEach(
                  (result, n) -> Objects.requireNonNull(counters.get(result)).increment(n));
              inferred.increment(causes);
            }
          });
    }
  }

  /** The key that decides which open incident of the service takes the alert. */
  static String groupKey(CatalogService service, Grouping grouping, AlertFired alert) {
    return grouping.keyOf(service.groupBy(), alert.labels(), alert.dedupKey(), alert.fingerprint());
  }

  private static String title(CatalogService service, AlertFired alert) {
    if (!alert.summary().isBlank()) {
      return alert.summary();
    }
    String name = alert.labels().get("alertname");
    return name == null ? "Alert on " + service.name() : name + " on " + service.name();
  }
}
