package io.tocsin.ingest;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Something that changed on a service: a deploy, a configuration change, a feature flag. Pages
 * nobody; shown next to incidents, because a change minutes before an outage is the first suspect.
 */
public record ChangeEvent(
    UUID id,
    UUID serviceId,
    UUID integrationId,
    String summary,
    @Nullable String source,
    Instant happenedAt,
    Instant receivedAt,
    @Nullable Object details,
    List<IncomingAlert.Link> links) {}
