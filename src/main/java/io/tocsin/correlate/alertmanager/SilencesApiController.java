package io.tocsin.correlate.alertmanager;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tocsin.correlate.Silence;
import io.tocsin.correlate.Silences;
import io.tocsin.correlate.Silences.SilenceInput;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.AlertMuting;
import io.tocsin.ingest.AlertmanagerReaders;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.LabelMatcher.Operator;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * silence add|query|expire} work against Tocsin. Reading takes an alertmanager integration key,
 * which sees the silences that can mute its own service and no one's email, or a person's token;
 * silencing takes a responder's token, since a silence mutes people, not just alerts.
 */
@RestController
@Tag(name = "Alertmanager API v2")
class SilencesApiController {

  private static final Pattern EMAIL = Pattern.compile("([^\\s@<>\"]+)@[^\\s@<>\"]+");

  private final Silences silences;
  private final ServiceCatalog services;
  private final UserService users;
  private final Clock clock;

  SilencesApiController(
      Silences silences, ServiceCatalog services, UserService users, Clock clock) {
    this.silences = silences;
    this.services = services;
    this.users = users;
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
    UUID scope = AlertmanagerReaders.scope(request);
    List<LabelMatcher> matchers = new ArrayList<>();
    if (filter != null) {
      filter.forEach(f -> matchers.addAll(LabelMatcher.parseAll(f)));
    }
    Instant now = clock.instant();
    if (scope == null) {
      return silences.list(matchers, null).stream().map(s -> gettable(s, now)).toList();
    }
    String service = services.get(scope).name();
    return silences.list(matchers, null).stream()
        .filter(s -> appliesTo(s, service))
        .map(s -> forKey(s, now))
        .toList();
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
    UUID scope = AlertmanagerReaders.scope(request);
    Silence silence = silences.get(id);
    if (scope == null) {
      return gettable(silence, clock.instant());
    }
    if (!appliesTo(silence, services.get(scope).name())) {
      // The same answer as for no silence at all: a key does not learn what other services mute.
      throw new NotFoundException("There is no silence " + id + ".");
    }
    return forKey(silence, clock.instant());
  }

  /**
   * Whether a silence can mute alerts of the named service: its matchers on the service label, if
   * it has any, all match that service. A key's holder sees these only, so that one service's
   * sender reads neither the silences nor the comments of the others; a silence that names no
   * service mutes alerts of every service, the key's included, and stays visible.
   */
  private static boolean appliesTo(Silence silence, String service) {
    Map<String, String> labels = Map.of(AlertMuting.SERVICE_LABEL, service);
    return silence.matchers().stream()
        .filter(m -> m.name().equals(AlertMuting.SERVICE_LABEL))
        .allMatch(m -> m.matches(labels));
  }

  /**
   * A silence as a key's holder sees it: people's email addresses stay with people, so an author
   * that is a user's email is shown by that user's name (and any other email by its local part).
   */
  private Map<String, Object> forKey(Silence silence, Instant now) {
    Map<String, Object> out = gettable(silence, now);
    String author = silence.createdBy();
    String shown =
        users
            .findByEmail(author)
            .map(User::name)
            .orElseGet(
                () -> EMAIL.matcher(author).replaceAll(m -> Matcher.quoteReplacement(m.group(1))));
    out.put("createdBy", shown);
    return out;
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
