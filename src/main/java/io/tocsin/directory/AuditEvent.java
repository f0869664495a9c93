package io.tocsin.directory;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One entry of the audit trail. {@code kind} is a dotted name such as {@code user.created} or
 * {@code login.failed}; {@code summary} says what changed, never a secret.
 */
public record AuditEvent(
    UUID id,
    Instant occurredAt,
    @Nullable UUID actorId,
    String actorName,
    @Nullable String clientAddress,
    String kind,
    @Nullable String target,
    String summary) {}
