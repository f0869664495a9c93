package io.tocsin.oncall;

import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.platform.NotFoundException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * How long a new incident's first page waits for its cause to show itself (Alertmanager's {@code
 * group_wait} idea). Only an incident that something could take over is held: one on a service with
 * dependencies, whose cause's incident (real, or inferred from several failing dependents) would
 * merge it. A service with no dependencies is the end of every chain, so its incident, critical or
 * not, pages at once.
 */
@Component
public class PagingHold {

  private final ServiceCatalog services;
  private final Duration defaultDelay;

  PagingHold(ServiceCatalog services, EscalationProperties settings) {
    this.services = services;
    this.defaultDelay = settings.groupDelay();
  }

  /** The group delay of services that do not set their own. */
  public Duration defaultDelay() {
    return defaultDelay;
  }

  /** The service's own group delay, or the default. */
  public Duration delayOf(CatalogService service) {
    return service.groupDelaySeconds() == null
        ? defaultDelay
        : Duration.ofSeconds(service.groupDelaySeconds());
  }

  /** How long a new incident of this service is held; empty when it pages at once. */
  public Optional<Duration> holdFor(CatalogService service) {
    Duration delay = delayOf(service);
    if (delay.isZero() || delay.isNegative() || service.dependencies().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(delay);
  }

  /** {@link #holdFor(CatalogService)} of the service with this id. */
  Optional<Duration> holdFor(UUID serviceId) {
    try {
      return holdFor(services.get(serviceId));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }
}
