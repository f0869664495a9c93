package io.tocsin.replay;

import io.tocsin.correlate.Correlator;
import io.tocsin.correlate.InhibitionRule;
import io.tocsin.correlate.Silence;
import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.ingest.AlertChange.AlertFired;
import io.tocsin.platform.Severity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What correlation keeps besides incidents, in memory for one replay: the configuration it runs
 * under, the alerts that resolved by the replay's clock, the inhibition sources and the muted
 * alerts.
 */
final class MemoryState implements Correlator.State {

  private final ReplayConfiguration configuration;
  private final List<Correlator.Source> sources = new ArrayList<>();
  private final Map<UUID, AlertFired> muted = new LinkedHashMap<>();

  MemoryState(ReplayConfiguration configuration) {
    this.configuration = configuration;
  }

  @Override
  public List<Silence> silences() {
    return configuration.silences();
  }

  @Override
  public List<InhibitionRule> inhibitionRules() {
    return configuration.inhibitionRules();
  }

  @Override
  public List<Correlator.Source> inhibitionSources() {
    return List.copyOf(sources);
  }

  @Override
  public void addInhibitionSource(Correlator.Source source) {
    if (sources.stream().noneMatch(s -> s.alertId().equals(source.alertId()))) {
      sources.add(source);
    }
  }

  @Override
  public void removeInhibitionSources(Collection<UUID> alertIds) {
    sources.removeIf(source -> alertIds.contains(source.alertId()));
  }

  @Override
  public List<AlertFired> muted() {
    return List.copyOf(muted.values());
  }

  @Override
  public Set<UUID> mutedAmong(Collection<UUID> alertIds) {
    Set<UUID> among = new HashSet<>(alertIds);
    among.retainAll(muted.keySet());
    return among;
  }

  @Override
  public void addMuted(AlertFired alert) {
    muted.putIfAbsent(alert.alertId(), alert);
  }

  @Override
  public void removeMuted(Collection<UUID> alertIds) {
    alertIds.forEach(muted::remove);
  }

  @Override
  public Set<UUID> resolvedAmong(Collection<UUID> alertIds) {
    // The replay leaves out the alerts that resolved before correlation could see them fire, and
    // a resolve takes an alert out of the muted ones: none it asks about has resolved.
    return Set.of();
  }

  @Override
  public void renew(Collection<UUID> alertIds) {
    // Only a person's resolve leaves an alert firing on a resolved incident; nobody acts here.
  }

  @Override
  public Optional<CatalogService> service(UUID id) {
    return Optional.ofNullable(configuration.services().get(id));
  }

  @Override
  public DependencyGraph graph() {
    return configuration.graph();
  }

  @Override
  public Grouping grouping(UUID integrationId) {
    return configuration.grouping().apply(integrationId);
  }

  @Override
  public boolean reachesSomeone(UUID serviceId, Severity severity) {
    return configuration.reachesSomeone().test(serviceId, severity);
  }
}
