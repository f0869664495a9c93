package io.tocsin.platform.events;

import io.tocsin.platform.DatabaseAvailability;
import java.time.Duration;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.modulith.events.FailedEventPublications;
import org.springframework.modulith.events.ResubmissionOptions;
import org.springframework.modulith.events.core.EventPublicationRegistry;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Delivers again what a listener failed or never finished: a publication still unfinished after
 * {@code tocsin.events.stale-after} (its node died, or the listener hangs) counts as failed, and
 * failed ones are handed to their listener again. Every node runs this; claiming a publication is
 * an atomic update, so one node redelivers it. Listeners therefore run at least once, and are
 * written to be idempotent.
 */
@Component
class EventRedelivery {

  private static final Log log = LogFactory.getLog(EventRedelivery.class);

  private final EventPublicationRegistry registry;
  private final FailedEventPublications failed;
  private final DatabaseAvailability database;
  private final Duration staleAfter;

  EventRedelivery(
      EventPublicationRegistry registry,
      FailedEventPublications failed,
      DatabaseAvailability database,
      @Value("${tocsin.events.stale-after:1m}") Duration staleAfter) {
    this.registry = registry;
    this.failed = failed;
    this.database = database;
    this.staleAfter = staleAfter;
  }

  @Scheduled(
      initialDelayString = "${tocsin.events.redelivery-interval:15s}",
      fixedDelayString = "${tocsin.events.redelivery-interval:15s}")
  void redeliver() {
    if (!database.isReady()) {
      return;
    }
    try {
      registry.markStalePublicationsFailed(status -> staleAfter);
      failed.resubmit(ResubmissionOptions.defaults().withMinAge(Duration.ZERO));
    } catch (RuntimeException e) {
      // The database may have gone between the check and the queries; the next pass retries.
      log.warn("Redelivering event publications failed: " + e.getMessage());
    }
  }
}
