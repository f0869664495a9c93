/**
 * Alerts in: the wire formats senders speak (one sub-package each), turned into one alert model,
 * deduplicated by fingerprint and stored before the sender gets its 2xx.
 *
 * <p>Owns the table {@code ingest_alert}.
 */
@ApplicationModule(
    allowedDependencies = {"platform", "directory::integration", "directory::service"})
@NullMarked
package io.tocsin.ingest;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
