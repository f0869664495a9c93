package io.tocsin.replay;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.platform.EnumText;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/dependency-suggestions}: dependencies the incidents' history suggests. */
@RestController
class DependencySuggestionController {

  static final String PATH = "/api/v1/dependency-suggestions";

  private final DependencySuggestions suggestions;
  private final Clock clock;

  DependencySuggestionController(DependencySuggestions suggestions, Clock clock) {
    this.suggestions = suggestions;
    this.clock = clock;
  }

  @Operation(
      summary = "Dependencies the last 30 days of incidents suggest",
      description =
          "Every night one node looks at the incidents of the last 30 days. Where service B's"
              + " incidents opened within 2 minutes after service A's in at least 80 % of A's"
              + " incidents, at least 5 times, and no dependency links the two, it suggests that B"
              + " depends on A, with the evidence (the latest pairs of incidents) and what a replay"
              + " of those 30 days says the dependency would have saved. `status` is suggested"
              + " (the default), accepted or dismissed.")
  @GetMapping(PATH)
  @PreAuthorize("hasRole('VIEWER')")
  List<DependencySuggestions.DependencySuggestion> suggestions(
      @RequestParam(defaultValue = "suggested") String status) {
    return suggestions.list(EnumText.parse(DependencySuggestions.Status.class, "status", status));
  }

  @Operation(summary = "A dependency suggestion")
  @GetMapping(PATH + "/{id}")
  @PreAuthorize("hasRole('VIEWER')")
  DependencySuggestions.DependencySuggestion suggestion(@PathVariable UUID id) {
    return suggestions.get(id);
  }

  @Operation(
      summary = "Accept a suggestion: the service depends on the other from now on",
      description =
          "Adds the dependency to the service, keeping its others (audited as a change of the"
              + " service). A suggestion already accepted is answered as it is.")
  @PostMapping(PATH + "/{id}/accept")
  @PreAuthorize("hasRole('ADMIN')")
  DependencySuggestions.DependencySuggestion accept(@PathVariable UUID id) {
    return suggestions.accept(id);
  }

  @Operation(
      summary = "Dismiss a suggestion: it is not suggested again",
      description = "409 for a suggestion already accepted: remove the dependency instead.")
  @PostMapping(PATH + "/{id}/dismiss")
  @PreAuthorize("hasRole('ADMIN')")
  DependencySuggestions.DependencySuggestion dismiss(@PathVariable UUID id) {
    return suggestions.dismiss(id);
  }

  @Operation(
      summary = "Look at the last 30 days of incidents now, instead of waiting for the night",
      description = "Answers the open suggestions once the look, with its replays, is done.")
  @PostMapping(PATH + "/look")
  @PreAuthorize("hasRole('ADMIN')")
  List<DependencySuggestions.DependencySuggestion> look() {
    return suggestions.look(clock.instant());
  }
}
