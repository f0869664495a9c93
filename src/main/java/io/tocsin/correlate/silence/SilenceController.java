package io.tocsin.correlate.silence;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.correlate.MatcherJson;
import io.tocsin.correlate.Silence;
import io.tocsin.correlate.SilenceState;
import io.tocsin.correlate.Silences;
import io.tocsin.correlate.Silences.SilenceInput;
import io.tocsin.directory.SignedInUser;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.platform.EnumText;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Silences in Tocsin's own API; the same silences as Alertmanager's {@code /api/v2/silences}. */
@RestController
class SilenceController {

  private final Silences silences;
  private final Clock clock;

  SilenceController(Silences silences, Clock clock) {
    this.silences = silences;
    this.clock = clock;
  }

  record SilenceView(
      UUID id,
      String state,
      List<MatcherJson> matchers,
      Instant startsAt,
      Instant endsAt,
      String createdBy,
      String comment,
      Instant updatedAt) {}

  record SilenceRequest(
      @Nullable List<MatcherJson> matchers,
      @Nullable Instant startsAt,
      @Nullable Instant endsAt,
      @Nullable String comment) {}

  record Silenced(List<SilenceView> items) {}

  record MaintenanceWindow(
      @Nullable List<UUID> services,
      @Nullable Instant startsAt,
      @Nullable Instant endsAt,
      @Nullable String comment) {}

  @Operation(
      summary = "Silences, active first, then pending, then expired",
      description =
          "filter: label matchers in Alertmanager's syntax (alertname=\"X\", service=~\"api|web\");"
              + " state: pending, active or expired.")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/api/v1/silences")
  Silenced list(
      @RequestParam(required = false) @Nullable List<String> filter,
      @RequestParam(required = false) @Nullable String state) {
    List<LabelMatcher> matchers = new ArrayList<>();
    if (filter != null) {
      filter.forEach(f -> matchers.addAll(LabelMatcher.parseAll(f)));
    }
    SilenceState wanted = state == null ? null : EnumText.parse(SilenceState.class, "state", state);
    return new Silenced(silences.list(matchers, wanted).stream().map(this::view).toList());
  }

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/api/v1/silences/{id}")
  SilenceView get(@PathVariable UUID id) {
    return view(silences.get(id));
  }

  @Operation(
      summary =
          "Silence the alerts that match every matcher, from startsAt (default now) to endsAt")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/api/v1/silences")
  @ResponseStatus(HttpStatus.CREATED)
  SilenceView create(@RequestBody SilenceRequest request) {
    return view(silences.create(input(request)));
  }

  @Operation(
      summary = "Change a silence",
      description =
          "A pending silence, or an active one whose matchers and start stay, changes in place;"
              + " otherwise it expires and the answer is its replacement, with a new id.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PutMapping("/api/v1/silences/{id}")
  SilenceView update(@PathVariable UUID id, @RequestBody SilenceRequest request) {
    return view(silences.update(id, input(request)));
  }

  @Operation(summary = "Expire a silence now")
  @PreAuthorize("hasRole('RESPONDER')")
  @DeleteMapping("/api/v1/silences/{id}")
  SilenceView expire(@PathVariable UUID id) {
    return view(silences.expire(id));
  }

  @Operation(
      summary = "A maintenance window: one silence of every alert of the given services",
      description =
          "Creates a silence matching tocsin_service on the services' names; a service renamed"
              + " during the window is no longer silenced under its new name.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/api/v1/maintenance-windows")
  @ResponseStatus(HttpStatus.CREATED)
  SilenceView maintenanceWindow(@RequestBody MaintenanceWindow window) {
    SignedInUser user = SignedInUser.current();
    return view(
        silences.maintenanceWindow(
            window.services(),
            window.startsAt(),
            window.endsAt(),
            user == null ? null : user.email(),
            window.comment()));
  }

  private static SilenceInput input(SilenceRequest request) {
    List<LabelMatcher> matchers = MatcherJson.parse("matchers", request.matchers());
    SignedInUser user = SignedInUser.current();
    return new SilenceInput(
        matchers,
        request.startsAt(),
        request.endsAt(),
        user == null ? null : user.email(),
        request.comment());
  }

  private SilenceView view(Silence silence) {
    return new SilenceView(
        silence.id(),
        EnumText.canonical(silence.state(clock.instant())),
        MatcherJson.of(silence.matchers()),
        silence.startsAt(),
        silence.endsAt(),
        silence.createdBy(),
        silence.comment(),
        silence.updatedAt());
  }
}
