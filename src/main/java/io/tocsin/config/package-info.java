/**
 * Configuration as code: the whole setup of a Tocsin (teams, services with their dependencies and
 * integrations, schedules, escalation policies, inhibition rules, silences and message templates)
 * as one YAML document, exported and imported through the other modules' public services. Names are
 * the identifiers, so a document moves between installations; people are named by email and must
 * exist where it is imported.
 */
@ApplicationModule(
    allowedDependencies = {
      "platform",
      "directory",
      "directory::service",
      "directory::team",
      "directory::integration",
      "ingest",
      "ingest::heartbeat",
      "incident",
      "correlate",
      "oncall",
      "notify"
    })
@NullMarked
package io.tocsin.config;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
