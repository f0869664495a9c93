/**
 * Alerts in: the wire formats senders speak (one sub-package each), turned into one alert model,
 * deduplicated by fingerprint and stored before the sender gets its 2xx.
 *
 * <p>Owns the tables {@code ingest_alert}, {@code ingest_alert_open} (the keys of firing alerts,
 * where PostgreSQL partitions the alerts by month), {@code ingest_alert_volume} (alert counts over
 * time), {@code ingest_idempotency}, {@code ingest_change_event}, {@code ingest_heartbeat}, {@code
 * ingest_routing} and {@code ingest_route_count}.
 */
@ApplicationModule(
    allowedDependencies = {"platform", "directory", "directory::integration", "directory::service"})
@NullMarked
package io.tocsin.ingest;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
