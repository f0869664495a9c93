package io.tocsin.incident;

import io.tocsin.ingest.Severity;
import java.util.UUID;

/** A new incident needs a person: paging starts from this event. */
public record IncidentOpened(
    UUID incidentId, long number, UUID serviceId, Severity severity, String title) {}
