package io.tocsin.platform.database;

import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.DatabaseStatus;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Reports the monitor's last answer for readiness. It never opens a connection itself: a probe that
 * blocks on a dead database would make the health endpoint as slow as the outage.
 */
@Component("database")
final class DatabaseHealthIndicator implements HealthIndicator {

  private final DatabaseAvailability database;

  DatabaseHealthIndicator(DatabaseAvailability database) {
    this.database = database;
  }

  @Override
  public Health health() {
    DatabaseStatus status = database.status();
    Health.Builder health = status instanceof DatabaseStatus.Ready ? Health.up() : Health.down();
    health.withDetail("since", status.since().toString());
    if (status instanceof DatabaseStatus.Ready ready) {
      health.withDetail("schemaVersion", ready.schemaVersion());
    } else if (status instanceof DatabaseStatus.Unavailable unavailable) {
      health
          .withDetail("reason", unavailable.reason())
          .withDetail("failedAttempts", unavailable.failedAttempts())
          .withDetail("nextAttemptAt", unavailable.nextAttemptAt().toString());
    } else if (status instanceof DatabaseStatus.SchemaTooNew tooNew) {
      health
          .withDetail("reason", tooNew.reason())
          .withDetail("databaseSchemaVersion", tooNew.databaseVersion())
          .withDetail("buildSchemaVersion", tooNew.buildVersion());
    }
    return health.build();
  }
}
