/**
 * Dead-man's switches: heartbeat integrations, their settings and the check that fires when beats
 * stop. Configuration as code reads and sets their intervals.
 */
@NamedInterface("heartbeat")
@NullMarked
package io.tocsin.ingest.heartbeat;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
