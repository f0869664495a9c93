/**
 * Replay: what a configuration would have done with the alerts Tocsin took in a window. The stored
 * alerts run through the same correlation decisions as live ({@code correlate.Correlator}), then
 * through escalation policies, schedules and each person's notification rules, on a virtual clock
 * and with incidents kept in memory: nothing is written to another module's tables, and nothing is
 * sent.
 *
 * <p>It also looks every night at the incidents of the last 30 days for services whose incidents
 * follow another's time after time with no dependency between them, and suggests the dependency,
 * with what a replay says it would have saved. Owns the table {@code replay_dependency_suggestion}.
 */
@ApplicationModule(
    allowedDependencies = {
      "platform",
      "directory",
      "directory::service",
      "directory::integration",
      "directory::team",
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
