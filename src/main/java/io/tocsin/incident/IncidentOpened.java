package io.tocsin.incident;

import io.tocsin.platform.Severity;
import java.util.UUID;

/**
 * A new incident needs a person: paging starts from this event. {@code mayHold} is false for an
 * incident a person made (split out of another), which pages at once whatever its service's group
 * delay.
 */
public record IncidentOpened(
    UUID incidentId,
    long number,
    UUID serviceId,
    Severity severity,
    String title,
    boolean mayHold) {}
