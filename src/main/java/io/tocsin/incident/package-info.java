/**
 * Incidents: what a person is asked to handle. Each has a number, a status that moves {@code open →
 * acknowledged → in_progress → resolved}, the alerts attached to it (by correlation), the services
 * it affects and its probable cause, an append-only timeline, notes, status updates and a
 * postmortem. MTTA and MTTR follow from the recorded times.
 *
 * <p>Owns the tables {@code incident}, {@code incident_service}, {@code incident_alert}, {@code
 * incident_timeline}, {@code incident_status_update}, {@code incident_postmortem} and {@code
 * incident_lock}.
 */
@ApplicationModule(allowedDependencies = {"platform", "directory", "directory::service", "ingest"})
@NullMarked
package io.tocsin.incident;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
