package io.tocsin.correlate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.incident.CauseReachability;
import io.tocsin.incident.IncidentIntake;
import io.tocsin.ingest.AlertChange;
import io.tocsin.ingest.AlertChange.AlertFired;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.ingest.AlertLookup;
import io.tocsin.ingest.AlertsChanged;
import io.tocsin.platform.AsynchronousCommit;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.GroupCommit;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Severity;
import java.time.Clock;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
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
 * <p>What it decides is {@link Correlator}'s, on the database's state.
 */
@Component
class AlertCorrelation implements SmartLifecycle {

  private static final Log log = LogFactory.getLog(AlertCorrelation.class);

  /**
   * The most alert changes correlated in one transaction: ten full ingestion batches, a transaction
   * of a second or so that holds the incident lock no longer than a storm's pages can wait.
   */
  static final int GROUP_CHANGES = 10_000;

  private final IncidentIntake incidents;
  private final Correlator correlator;
  private final DatabaseAvailability database;
  private final AsynchronousCommit asynchronous;
  private final TransactionTemplate transactions;
  private final Clock clock;
  private final Map<Correlator.Result, Counter> counters = new EnumMap<>(Correlator.Result.class);
  private final Counter inferred;
  private final GroupCommit<List<AlertChange>, Boolean> groups;

  AlertCorrelation(
      IncidentIntake incidents,
      AlertLookup alerts,
      AlertIngestion ingestion,
      ServiceCatalog services,
      IntegrationService integrations,
      Silences silences,
      InhibitionRules rules,
      InhibitionSources sources,
      MutedAlerts muted,
      DatabaseAvailability database,
      AsynchronousCommit asynchronous,
      PlatformTransactionManager transactionManager,
      Clock clock,
      MeterRegistry registry,
      ObjectProvider<CauseReachability> reachability,
      CorrelationProperties settings) {
    this.incidents = incidents;
    this.correlator =
        new Correlator(
            incidents,
            new DatabaseState(
                alerts,
                ingestion,
                services,
                integrations,
                silences,
                rules,
                sources,
                muted,
                reachability),
            settings);
    this.database = database;
    this.asynchronous = asynchronous;
    this.transactions = new TransactionTemplate(transactionManager);
    this.clock = clock;
    for (Correlator.Result result : Correlator.Result.values()) {
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
    this.groups =
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
    groups.submit(event.changes());
  }

  @Override
  public void start() {
    groups.start();
  }

  @Override
  public void stop() {
    groups.stop();
  }

  @Override
  public boolean isRunning() {
    return groups.isRunning();
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
    countAfterCommit(correlator.recheck(clock.instant()));
  }

  void correlate(List<AlertChange> changes) {
    // Lost in a database crash, a batch is delivered again: its publication is completed after
    // this commits, and the log keeps commits in order.
    asynchronous.forThisTransaction();
    incidents.lock();
    countAfterCommit(correlator.correlate(changes, clock.instant()));
  }

  private void countAfterCommit(Correlator.Outcome outcome) {
    if (outcome.results().isEmpty() && outcome.inferredCauses() == 0) {
      return;
    }
    TransactionSynchronizationManager.registerSynchronization(
        new TransactionSynchronization() {
          @Override
          public void afterCommit() {
            outcome
                .results()
                .forEach((result, n) -> Objects.requireNonNull(counters.get(result)).increment(n));
            inferred.increment(outcome.inferredCauses());
          }
        });
  }

  /** Correlation's state in the database, and the node's copies of services and groupings. */
  private record DatabaseState(
      AlertLookup alerts,
      AlertIngestion ingestion,
      ServiceCatalog services,
      IntegrationService integrations,
      Silences silenceList,
      InhibitionRules rules,
      InhibitionSources sources,
      MutedAlerts mutedAlerts,
      ObjectProvider<CauseReachability> reachability)
      implements Correlator.State {

    @Override
    public List<Silence> silences() {
      return silenceList.active();
    }

    @Override
    public List<InhibitionRule> inhibitionRules() {
      return rules.list();
    }

    @Override
    public List<Correlator.Source> inhibitionSources() {
      return sources.all();
    }

    @Override
    public void addInhibitionSource(Correlator.Source source) {
      sources.add(source);
    }

    @Override
    public void removeInhibitionSources(Collection<UUID> alertIds) {
      sources.removeAll(alertIds);
    }

    @Override
    public List<AlertFired> muted() {
      return mutedAlerts.all();
    }

    @Override
    public Set<UUID> mutedAmong(Collection<UUID> alertIds) {
      return mutedAlerts.among(alertIds);
    }

    @Override
    public void addMuted(AlertFired alert) {
      mutedAlerts.add(alert);
    }

    @Override
    public void removeMuted(Collection<UUID> alertIds) {
      mutedAlerts.removeAll(alertIds);
    }

    @Override
    public Set<UUID> resolvedAmong(Collection<UUID> alertIds) {
      return alerts.resolvedAmong(alertIds);
    }

    @Override
    public void renew(Collection<UUID> alertIds) {
      ingestion.renew(alertIds);
    }

    // The graph, services and groupings are the node's copies (ConfigGenerations), read at one
    // generation for the whole transaction: nothing to keep per batch.
    @Override
    public Optional<CatalogService> service(UUID id) {
      try {
        return Optional.of(services.get(id));
      } catch (NotFoundException e) {
        return Optional.empty();
      }
    }

    @Override
    public DependencyGraph graph() {
      return services.dependencyGraph();
    }

    @Override
    public Grouping grouping(UUID integrationId) {
      try {
        return integrations.grouping(integrationId);
      } catch (NotFoundException e) {
        return new Grouping(Grouping.By.SERVICE, List.of());
      }
    }

    @Override
    public boolean reachesSomeone(UUID serviceId, Severity severity) {
      CauseReachability reach = reachability.getIfAvailable();
      return reach == null || reach.reachesSomeone(serviceId, severity);
    }
  }
}
