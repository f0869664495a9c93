package io.tocsin.directory;

import java.time.Instant;
import java.time.ZoneId;
import java.util.UUID;

/** A person who can sign in, be on call and be paged. */
public record User(
    UUID id,
    String name,
    String email,
    ZoneId timeZone,
    Role role,
    Instant createdAt,
    Instant updatedAt) {}
