package io.tocsin.directory.integration;

import java.time.Instant;
import java.util.UUID;

/**
 * A way into one service for alerts; its key decides the service, and so the routing, and its
 * grouping how its alerts become incidents.
 */
public record Integration(
    UUID id,
    UUID serviceId,
    String name,
    IntegrationKind kind,
    Grouping grouping,
    int activeKeys,
    Instant createdAt,
    Instant updatedAt) {}
