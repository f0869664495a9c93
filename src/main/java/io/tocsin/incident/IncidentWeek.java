package io.tocsin.incident;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The incidents opened in one week (Monday 00:00 UTC onwards): how many of each severity, and the
 * 50th and 90th percentile of their time to acknowledge and to resolve, in seconds. A percentile is
 * a value that occurred (nearest rank, as in {@link IncidentStats}); it is {@code null} when no
 * incident of the week has the duration yet. Merged incidents stay out, as in {@link
 * IncidentStats}.
 */
public record IncidentWeek(
    Instant start,
    int opened,
    int critical,
    int error,
    int warning,
    int info,
    @Nullable Long mttaP50Seconds,
    @Nullable Long mttaP90Seconds,
    @Nullable Long mttrP50Seconds,
    @Nullable Long mttrP90Seconds) {}
