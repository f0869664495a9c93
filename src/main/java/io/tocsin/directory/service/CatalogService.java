package io.tocsin.directory.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A service in the catalog: something that can break, receives alerts through its integrations, and
 * depends on other services (what it needs to work). Its alerts group into incidents by the values
 * of its {@code groupBy} labels; {@code autoResolve} lets an incident resolve itself once every
 * alert attached to it has resolved. {@code groupDelaySeconds} is how long a new incident of a
 * service with dependencies waits before its first page, in case its cause shows itself; null
 * follows the installation's default. {@code aliases} are the other names a sender may call it by
 * (its Kubernetes namespace, its Prometheus job), which routing rules match as they match its name.
 */
public record CatalogService(
    UUID id,
    String name,
    String description,
    @Nullable UUID ownerTeamId,
    List<String> runbookUrls,
    Map<String, String> labels,
    List<UUID> dependencies,
    List<String> groupBy,
    int flapWindowMinutes,
    @Nullable Integer groupDelaySeconds,
    List<String> aliases,
    boolean autoResolve,
    Instant createdAt,
    Instant updatedAt) {

  /** How long after its incident resolved an alert that fires again counts as a recurrence. */
  public Duration flapWindow() {
    return Duration.ofMinutes(flapWindowMinutes);
  }
}
