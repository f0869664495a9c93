package io.tocsin.config;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/config}: the whole setup as one YAML document, out and back in. */
@RestController
@RequestMapping("/api/v1/config")
class ConfigController {

  static final MediaType YAML = MediaType.parseMediaType("application/yaml");

  private final ConfigExport export;
  private final ConfigImport importer;

  ConfigController(ConfigExport export, ConfigImport importer) {
    this.export = export;
    this.importer = importer;
  }

  @Operation(
      summary = "Export the setup as YAML",
      description =
          "Teams, services with dependencies and integrations (never their keys), schedules,"
              + " escalation policies, inhibition rules, silences in force or to come, and changed"
              + " message templates. Names stand for ids; people are named by email.")
  @GetMapping("/export")
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<String> export() {
    return ResponseEntity.ok().contentType(YAML).body(export.yaml());
  }

  @Operation(
      summary = "Import a YAML (or JSON) setup document",
      description =
          "Makes the setup what the document says: creates, updates and deletes objects by name,"
              + " in one transaction or not at all. dryRun=true (the default) answers the exact"
              + " changes without keeping them; dryRun=false applies them and answers the keys of"
              + " the integrations it created, shown this once. With replay=P7D (any ISO duration"
              + " up to 31 days; dry runs only) the answer is {dryRun, notReplayed, replay}: this"
              + " dry run, the changes a replay does not try, and the job of a replay of that"
              + " window before now under the document as the import would make it, as POST"
              + " /api/v1/replay answers.")
  @PostMapping("/import")
  @PreAuthorize("hasRole('ADMIN')")
  ConfigImport.Result importDocument(
      @RequestParam(defaultValue = "true") boolean dryRun, @RequestBody String body) {
    return importer.apply(ConfigDocument.parse(body), dryRun);
  }
}
