package io.tocsin.correlate.alertmanager;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tocsin.correlate.Silence;
import io.tocsin.correlate.Silences;
import io.tocsin.correlate.Silences.SilenceInput;
import io.tocsin.ingest.AlertmanagerReaders;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.LabelMatcher.Operator;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Alertmanager's silence API v2
 * (https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml), so that {@code amtool
 * silence add|query|expire} work against Tocsin. Reading takes an alertmanager integration key or a
 * person's token; silencing takes a responder's token, since a silence mutes people, not just
 * alerts.
 */
@RestController
@Tag(name = "Alertmanager API v2")
class SilencesApiController {

  private final Silences silences;
  private final Clock clock;

  SilencesApiController(Silences silences, Clock clock) {
    this.silences = silences;
    this.clock = clock;
  }

  record PostableMatcher(
      @Nullable String name,
      @Nullable String value,
      @Nullable Boolean isRegex,
      @Nullable Boolean isEqual) {}

  record PostableSilence(
      @Nullable String id,
      @Nullable List<PostableMatcher> matchers,
      @Nullable Instant startsAt,
      @Nullable Instant endsAt,
      @Nullable String createdBy,
      @Nullable String comment) {}

  @Operation(
      summary = "The silences, as amtool silence query reads them",
      security = {
        @SecurityRequirement(name = "integrationKey"),
        @SecurityRequirement(name = "integrationKeyBasic"),
        @SecurityRequirement(name = "apiToken")
      })
  @GetMapping("/api/v2/silences")
  List<Map<String, Object>> list(
      HttpServletRequest request, @RequestParam(required = false) @Nullable List<String> filter) {
    AlertmanagerReaders.scope(request);
    List<LabelMatcher> matchers = new ArrayList<>();
    if (filter != null) {
      filter.forEach(f -> matchers.addAll(LabelMatcher.parseAll(f)));
    }
    Instant now = clock.instant();
    return silences.list(matchers, null).stream().map(s -> gettable(s, now)).toList();
  }

  @Operation(
      summary = "One silence",
      security = {
        @SecurityRequirement(name = "integrationKey"),
        @SecurityRequirement(name = "integrationKeyBasic"),
        @SecurityRequirement(name = "apiToken")
      })
  @GetMapping("/api/v2/silence/{id}")
  Map<String, Object> get(HttpServletRequest request, @PathVariable UUID id) {
    AlertmanagerReaders.scope(request);
    return gettable(silences.get(id), clock.instant());
  }

  @Operation(
      summary = "Create a silence, or change the one with the given id (amtool silence add|update)",
      description = "Takes a responder's API token: a silence mutes people, not just alerts.",
      security = @SecurityRequirement(name = "apiToken"))
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/api/v2/silences")
  Map<String, String> post(@RequestBody PostableSilence body) {
    Instant startsAt = body.startsAt() == null ? clock.instant() : body.startsAt();
    // Alertmanager's checks and words (api/v2/api.go and silence/silence.go of 0.25), in its
    // order, because amtool prints them as they are; Silences checks the rest in Tocsin's words.
    if (body.endsAt() != null && !startsAt.isBefore(body.endsAt())) {
      throw refused("Failed to create silence: start time must be before end time");
    }
    if (body.endsAt() != null && body.endsAt().isBefore(clock.instant())) {
      throw refused("Failed to create silence: end time can't be in the past");
    }
    List<PostableMatcher> posted = body.matchers() == null ? List.of() : body.matchers();
    if (posted.isEmpty()) {
      throw refused("silence invalid: at least one matcher required");
    }
    List<LabelMatcher> matchers = new ArrayList<>();
    for (int i = 0; i < posted.size(); i++) {
      PostableMatcher m = posted.get(i);
      if (m == null) {
        throw refused("silence invalid: matchers[" + i + "] must be a matcher, not null");
      }
      try {
        matchers.add(
            LabelMatcher.of(
                "matchers[" + i + "]",
                m.name() == null ? "" : m.name(),
                Operator.of(Boolean.TRUE.equals(m.isRegex()), m.isEqual() == null || m.isEqual()),
                m.value() == null ? "" : m.value()));
      } catch (InvalidInputException e) {
        throw refused("silence invalid: invalid label matcher " + i + ": " + e.getMessage());
      }
    }
    if (matchers.stream().allMatch(m -> m.matches(Map.of()))) {
      throw refused("silence invalid: at least one matcher must not match the empty string");
    }
    SilenceInput input =
        new SilenceInput(
            matchers, body.startsAt(), body.endsAt(), body.createdBy(), body.comment());
    Silence stored =
        body.id() == null || body.id().isBlank()
            ? silences.create(input)
            : silences.update(parseId(body.id()), input);
    return Map.of("silenceID", stored.id().toString());
  }

  @Operation(
      summary = "Expire a silence now (amtool silence expire)",
      security = @SecurityRequirement(name = "apiToken"))
  @PreAuthorize("hasRole('RESPONDER')")
  @DeleteMapping("/api/v2/silence/{id}")
  void expire(@PathVariable UUID id) {
    silences.expire(id);
  }

  private static ResponseStatusException refused(String reason) {
    return new ResponseStatusException(HttpStatus.BAD_REQUEST, reason);
  }

  private static UUID parseId(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("id", "is not a silence id");
    }
  }

  static Map<String, Object> gettable(Silence silence, Instant now) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", silence.id().toString());
    out.put("status", Map.of("state", EnumText.canonical(silence.state(now))));
    out.put("updatedAt", silence.updatedAt().toString());
    out.put(
        "matchers",
        silence.matchers().stream()
            .map(
                m ->
                    Map.of(
                        "name", m.name(),
                        "value", m.value(),
                        "isRegex", m.operator().isRegex(),
                        "isEqual", m.operator().isEqual()))
            .toList());
    out.put("startsAt", silence.startsAt().toString());
    out.put("endsAt", silence.endsAt().toString());
    out.put("createdBy", silence.createdBy());
    out.put("comment", silence.comment());
    return out;
  }
}
