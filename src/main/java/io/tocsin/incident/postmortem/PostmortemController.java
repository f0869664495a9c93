package io.tocsin.incident.postmortem;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.incident.Actor;
import io.tocsin.incident.Incident;
import io.tocsin.incident.Incidents;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/incidents/{ref}/postmortem}: the write-up of a resolved incident. */
@RestController
class PostmortemController {

  private static final String PATH = "/api/v1/incidents/{ref}/postmortem";
  private static final MediaType MARKDOWN = MediaType.parseMediaType("text/markdown;charset=UTF-8");

  private final Incidents incidents;
  private final Postmortems postmortems;
  private final PostmortemMarkdown markdown;

  PostmortemController(Incidents incidents, Postmortems postmortems, PostmortemMarkdown markdown) {
    this.incidents = incidents;
    this.postmortems = postmortems;
    this.markdown = markdown;
  }

  @Operation(
      summary = "Start the postmortem of a resolved incident",
      description =
          "Its timeline starts as a copy of the incident's; every field of the body is optional."
              + " checklist keys: timeline_documented, root_cause_identified, impact_assessed,"
              + " fix_verified, monitoring_enhanced, runbooks_updated, lessons_shared.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping(PATH)
  @ResponseStatus(HttpStatus.CREATED)
  Postmortem create(
      @PathVariable String ref, @RequestBody(required = false) Postmortems.Changes changes) {
    return postmortems.create(
        incidents.find(ref),
        changes == null
            ? new Postmortems.Changes(null, null, null, null, null, null, null, null)
            : changes,
        Actor.current());
  }

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping(path = PATH, produces = MediaType.APPLICATION_JSON_VALUE)
  Postmortem get(@PathVariable String ref) {
    return postmortems.get(incidents.find(ref));
  }

  @Operation(summary = "The postmortem as Markdown (also at its path with Accept: text/markdown)")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping(
      path = {PATH + ".md", PATH},
      produces = "text/markdown")
  ResponseEntity<String> export(@PathVariable String ref) {
    Incident incident = incidents.find(ref);
    return ResponseEntity.ok()
        .contentType(MARKDOWN)
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            "inline; filename=\"postmortem-" + incident.number() + ".md\"")
        .body(markdown.render(incident, postmortems.get(incident)));
  }

  @Operation(summary = "Change the postmortem; absent fields stay as they are")
  @PreAuthorize("hasRole('RESPONDER')")
  @PatchMapping(PATH)
  Postmortem update(@PathVariable String ref, @RequestBody Postmortems.Changes changes) {
    return postmortems.update(incidents.find(ref), changes, Actor.current());
  }
}
