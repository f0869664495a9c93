/**
 * Which alerts deserve a person: silences, inhibition rules, service dependencies and grouping
 * decide which alerts open an incident, which attach to one, and which page nobody.
 *
 * <p>Owns the tables {@code correlate_silence}, {@code correlate_inhibition_rule}, {@code
 * correlate_inhibition_source} and {@code correlate_muted_alert}.
 */
@ApplicationModule(
    allowedDependencies = {
      "platform",
      "directory",
      "directory::integration",
      "directory::service",
      "ingest",
      "incident"
    })
@NullMarked
package io.tocsin.correlate;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
