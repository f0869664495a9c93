package io.tocsin.directory.integration;

import java.time.Instant;
import java.util.UUID;

/** A way into one service for alerts; its key decides the service, and so the routing. */
public record Integration(
    UUID id,
    UUID serviceId,
    String name,
    IntegrationKind kind,
    int activeKeys,
    Instant createdAt,
    Instant updatedAt) {}
