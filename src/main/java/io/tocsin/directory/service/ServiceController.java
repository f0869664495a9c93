package io.tocsin.directory.service;

import io.tocsin.platform.Page;
import jakarta.validation.Valid;
import java.net.URI;
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
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/services}: admins manage the catalog; everybody reads it. */
@RestController
@RequestMapping("/api/v1/services")
class ServiceController {

  private final ServiceCatalog services;

  ServiceController(ServiceCatalog services) {
    this.services = services;
  }

  @PostMapping
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<CatalogService> create(@Valid @RequestBody ServiceCatalog.ServiceInput request) {
    CatalogService service = services.create(request);
    return ResponseEntity.created(URI.create("/api/v1/services/" + service.id())).body(service);
  }

  @GetMapping
  @PreAuthorize("hasRole('VIEWER')")
  Page<CatalogService> list(
      @RequestParam(required = false) @Nullable String name,
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable Integer limit) {
    return services.list(name, Page.after(cursor), Page.limit(limit));
  }

  @GetMapping("/{id}")
  @PreAuthorize("hasRole('VIEWER')")
  CatalogService get(@PathVariable UUID id) {
    return services.lookUp(id);
  }

  @GetMapping("/{id}/dependencies")
  @PreAuthorize("hasRole('VIEWER')")
  List<CatalogService> dependencies(
      @PathVariable UUID id, @RequestParam(defaultValue = "false") boolean transitive) {
    services.lookUp(id);
    return services.dependencies(id, transitive);
  }

  @PatchMapping("/{id}")
  @PreAuthorize("hasRole('ADMIN')")
  CatalogService update(
      @PathVariable UUID id, @Valid @RequestBody ServiceCatalog.ServiceInput request) {
    return services.update(id, request);
  }

  @DeleteMapping("/{id}")
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<Void> delete(@PathVariable UUID id) {
    services.delete(id);
    return ResponseEntity.noContent().build();
  }
}
