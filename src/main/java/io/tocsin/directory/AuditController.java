package io.tocsin.directory;

import io.tocsin.platform.Page;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/audit}: the audit trail, newest first, for admins. Read-only by design. */
@RestController
@RequestMapping("/api/v1/audit")
class AuditController {

  private final AuditLog audit;

  AuditController(AuditLog audit) {
    this.audit = audit;
  }

  @GetMapping
  @PreAuthorize("hasRole('ADMIN')")
  Page<AuditEvent> list(
      @RequestParam(required = false) @Nullable String actor,
      @RequestParam(required = false) @Nullable String kind,
      @RequestParam(required = false) @Nullable Instant from,
      @RequestParam(required = false) @Nullable Instant to,
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable Integer limit) {
    return audit.list(actor, kind, from, to, Page.after(cursor), Page.limit(limit));
  }
}
