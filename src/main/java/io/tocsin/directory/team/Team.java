package io.tocsin.directory.team;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A group of users that owns services. */
public record Team(
    UUID id, String name, List<Member> members, Instant createdAt, Instant updatedAt) {

  public record Member(UUID userId, TeamRole teamRole) {}
}
