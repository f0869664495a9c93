package io.tocsin.directory.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A service in the catalog: something that can break, receives alerts through its integrations, and
 * depends on other services (what it needs to work).
 */
public record CatalogService(
    UUID id,
    String name,
    String description,
    @Nullable UUID ownerTeamId,
    List<String> runbookUrls,
    Map<String, String> labels,
    List<UUID> dependencies,
    Instant createdAt,
    Instant updatedAt) {}
