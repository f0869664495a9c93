package io.tocsin.platform.events;

import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.PlatformProperties;
import java.time.Clock;
import java.time.Duration;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.modulith.events.FailedEventPublications;
import org.springframework.modulith.events.ResubmissionOptions;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Delivers again what a listener failed or never finished: a publication still unfinished after
 * {@code tocsin.events.stale-after} (its node died, or the listener hangs) counts as failed, and
 * failed ones are handed to their listener again once their wait is over; dead ones never are.
 * Every node runs this; claiming a publication is an atomic update, so one node redelivers it.
 * Listeners therefore run at least once, and are written to be idempotent.
 */
@Component
class EventRedelivery {

  private static final Log log = LogFactory.getLog(EventRedelivery.class);

  private final EventPublicationStore store;
  private final FailedEventPublications failed;
  private final DeadPublications dead;
  private final DatabaseAvailability database;
  private final Clock clock;
  private final Duration staleAfter;

  EventRedelivery(
      EventPublicationStore store,
      FailedEventPublications failed,
      DeadPublications dead,
      DatabaseAvailability database,
      Clock clock,
      PlatformProperties settings) {
    this.store = store;
    this.failed = failed;
    this.dead = dead;
    this.database = database;
    this.clock = clock;
    this.staleAfter = settings.events().staleAfter();
  }

  @Scheduled(
      initialDelayString = "${tocsin.events.redelivery-interval}",
      fixedDelayString = "${tocsin.events.redelivery-interval}")
  void redeliver() {
    if (!database.isReady()) {
      return;
    }
    try {
      int stale = store.markStale(clock.instant().minus(staleAfter));
      if (stale > 0) {
        log.info(stale + " event publications unfinished after " + staleAfter + " are redelivered");
      }
      // Failed ones whose wait is over; dead ones are not among them.
      failed.resubmit(ResubmissionOptions.defaults().withMinAge(Duration.ZERO));
      dead.refresh();
    } catch (RuntimeException e) {
      // The database may have gone between the check and the queries; the next pass retries.
      log.warn("Redelivering event publications failed: " + e.getMessage());
    }
  }
}
