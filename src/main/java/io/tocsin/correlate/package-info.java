/**
 * Which alerts deserve a person: silences, inhibition and grouping decide which alerts open an
 * incident, which attach to one, and which page nobody. This first part holds the silences.
 *
 * <p>Owns the table {@code correlate_silence}.
 */
@ApplicationModule(allowedDependencies = {"platform", "directory", "directory::service", "ingest"})
@NullMarked
package io.tocsin.correlate;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
