package io.tocsin.platform.events;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Reports the dead event publications among the readiness details. Always UP: a dead publication is
 * for an operator to look at, and a node taken out of the load balancer for it would stop taking
 * alerts too. It reads the count the redelivery pass keeps, never the database, so the probe stays
 * fast during an outage.
 */
@Component("eventPublications")
final class EventPublicationsHealth implements HealthIndicator {

  private final DeadPublications dead;

  EventPublicationsHealth(DeadPublications dead) {
    this.dead = dead;
  }

  @Override
  public Health health() {
    long count = dead.count();
    Health.Builder health = Health.up().withDetail("dead", count);
    if (count > 0) {
      health.withDetail(
          "action",
          "Listeners failed on "
              + count
              + " event publications too often: GET /api/v1/admin/event-dead-letters, then retry"
              + " or discard each");
    }
    return health.build();
  }
}
