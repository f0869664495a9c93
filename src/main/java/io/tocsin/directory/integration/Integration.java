package io.tocsin.directory.integration;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A way into one service for alerts; its key decides the service, and so the routing, and its
 * grouping how its alerts become incidents.
 *
 * @param email the address and subject rules of an email integration; {@code null} for any other
 *     kind
 */
public record Integration(
    UUID id,
    UUID serviceId,
    String name,
    IntegrationKind kind,
    Grouping grouping,
    int activeKeys,
    Instant createdAt,
    Instant updatedAt,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Email email) {

  /** Where an email integration takes mail, and how it reads the subject. */
  public record Email(
      String address, @Nullable String dedupPattern, @Nullable String resolvePattern) {

    public EmailRules rules() {
      return new EmailRules(dedupPattern, resolvePattern);
    }
  }
}
