/**
 * Replay: what a configuration would have done with the alerts Tocsin took in a window. The stored
 * alerts run through the same correlation decisions as live ({@code correlate.Correlator}), then
 * through escalation policies, schedules and each person's notification rules, on a virtual clock
 * and with incidents kept in memory: nothing is written to another module's tables, and nothing is
 * sent. Owns no table.
 */
@ApplicationModule(
    allowedDependencies = {
      "platform",
      "directory",
      "directory::service",
      "directory::integration",
      "ingest",
      "incident",
      "correlate",
      "oncall",
      "notify",
      "config"
    })
@NullMarked
package io.tocsin.replay;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
