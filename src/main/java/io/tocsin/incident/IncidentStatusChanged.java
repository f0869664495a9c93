package io.tocsin.incident;

import java.util.UUID;

/** An incident moved on (acknowledged, in progress, resolved): paging stops or continues. */
public record IncidentStatusChanged(
    UUID incidentId, IncidentStatus from, IncidentStatus to, Actor actor) {}
