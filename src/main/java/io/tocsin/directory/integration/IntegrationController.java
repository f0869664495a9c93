package io.tocsin.directory.integration;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Integrations of a service, their keys and their grouping. The answers to creating an integration
 * and rotating its key are the only ones that ever contain a key.
 */
@RestController
class IntegrationController {

  private final IntegrationService integrations;

  IntegrationController(IntegrationService integrations) {
    this.integrations = integrations;
  }

  /** A grouping as the API takes it: {@code {"by": "labels", "labels": ["source"]}}. */
  record GroupingBody(Grouping.@Nullable By by, @Nullable List<String> labels) {

    Grouping checked() {
      return Grouping.of("grouping", by, labels);
    }
  }

  /**
   * An email integration's subject rules as the API takes them: {@code {"dedupPattern": "on
   * (\\S+)$", "resolvePattern": "(?i)^(RESOLVED|OK|UP)\\b"}}. Both RE2; blank or left out is none.
   */
  record EmailBody(@Nullable String dedupPattern, @Nullable String resolvePattern) {

    EmailRules checked() {
      return EmailRules.of("email", dedupPattern, resolvePattern);
    }
  }

  record CreateIntegration(
      @NotNull String name,
      @NotNull IntegrationKind kind,
      @Nullable GroupingBody grouping,
      @Nullable EmailBody email) {}

  record CreatedIntegration(
      UUID id,
      UUID serviceId,
      String name,
      IntegrationKind kind,
      Grouping grouping,
      String key,
      Instant createdAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integration.@Nullable Email email) {}

  record RotateKey(@Nullable Instant graceUntil) {}

  record ChangeIntegration(
      @Nullable String name, @Nullable GroupingBody grouping, @Nullable EmailBody email) {}

  record RotatedKey(String key, @Nullable Instant previousKeysValidUntil) {}

  @PostMapping("/api/v1/services/{serviceId}/integrations")
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<CreatedIntegration> create(
      @PathVariable UUID serviceId, @Valid @RequestBody CreateIntegration request) {
    IntegrationService.WithKey created =
        integrations.create(
            serviceId,
            request.name(),
            request.kind(),
            request.grouping() == null ? null : request.grouping().checked(),
            request.email() == null ? null : request.email().checked());
    Integration integration = created.integration();
    return ResponseEntity.created(URI.create("/api/v1/integrations/" + integration.id()))
        .body(
            new CreatedIntegration(
                integration.id(),
                integration.serviceId(),
                integration.name(),
                integration.kind(),
                integration.grouping(),
                created.key(),
                integration.createdAt(),
                integration.email()));
  }

  @GetMapping("/api/v1/services/{serviceId}/integrations")
  @PreAuthorize("hasRole('VIEWER')")
  List<Integration> list(@PathVariable UUID serviceId) {
    return integrations.listForService(serviceId);
  }

  @GetMapping("/api/v1/integrations/{id}")
  @PreAuthorize("hasRole('VIEWER')")
  Integration get(@PathVariable UUID id) {
    return integrations.get(id);
  }

  @PatchMapping("/api/v1/integrations/{id}")
  @PreAuthorize("hasRole('ADMIN')")
  Integration update(@PathVariable UUID id, @RequestBody ChangeIntegration request) {
    return integrations.update(
        id,
        request.name(),
        request.grouping() == null ? null : request.grouping().checked(),
        request.email() == null ? null : request.email().checked());
  }

  @PostMapping("/api/v1/integrations/{id}/rotate-key")
  @PreAuthorize("hasRole('ADMIN')")
  RotatedKey rotate(
      @PathVariable UUID id, @RequestBody(required = false) @Nullable RotateKey request) {
    Instant graceUntil = request == null ? null : request.graceUntil();
    return new RotatedKey(integrations.rotateKey(id, graceUntil), graceUntil);
  }

  @DeleteMapping("/api/v1/integrations/{id}")
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<Void> delete(@PathVariable UUID id) {
    integrations.delete(id);
    return ResponseEntity.noContent().build();
  }
}
