package io.tocsin.incident;

import io.tocsin.platform.Severity;
import java.util.UUID;

/**
 * An incident became more severe: by an alert that joined or changed, or by hand. The only thing,
 * besides escalation, that pages the people already paged again.
 */
public record IncidentSeverityRaised(UUID incidentId, Severity from, Severity to) {}
