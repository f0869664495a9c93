package io.tocsin.incident;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One event in an incident's history. A burst of attached or resolved alerts is one entry whose
 * {@code alertCount} and {@code lastAt} grow while the burst lasts.
 */
public record TimelineEntry(
    UUID id,
    UUID incidentId,
    Instant at,
    TimelineKind kind,
    Actor actor,
    String message,
    @Nullable Integer alertCount,
    @Nullable Instant lastAt) {}
