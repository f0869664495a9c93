package io.tocsin.oncall.api;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.oncall.Schedules;
import io.tocsin.oncall.Schedules.Schedule;
import io.tocsin.oncall.Schedules.ScheduleInput;
import io.tocsin.oncall.Schedules.ScheduleOverride;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Page;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/schedules}: admins shape schedules, responders add overrides, everybody reads who
 * is on call.
 */
@RestController
@RequestMapping("/api/v1/schedules")
class ScheduleController {

  /** The longest span one shifts query covers. */
  private static final Duration MAX_SPAN = Duration.ofDays(366);

  private final Schedules schedules;
  private final UserService users;
  private final Clock clock;

  ScheduleController(Schedules schedules, UserService users, Clock clock) {
    this.schedules = schedules;
    this.users = users;
    this.clock = clock;
  }

  record Person(UUID id, String name, String email) {}

  record OnCall(
      UUID scheduleId,
      Instant at,
      @Nullable Person user,
      @Nullable Instant since,
      @Nullable Instant until,
      @Nullable String source) {}

  record ShiftView(Person user, Instant start, Instant end, String source) {}

  record Shifts(UUID scheduleId, Instant from, Instant to, List<ShiftView> items) {}

  record OverrideRequest(@Nullable UUID userId, @Nullable Instant start, @Nullable Instant end) {}

  record Overrides(List<ScheduleOverride> items) {}

  @Operation(
      summary = "Create a schedule",
      description =
          "timeZone: IANA zone. layers, lowest first: name, members (user ids, in turn order),"
              + " rotation {count, unit: hours|days|weeks}, start (local date and handoff time,"
              + " 2026-06-01T09:00), restrictions [{days: [monday,...], from: 09:00, to: 17:00}]."
              + " Higher layers win where they have someone; overrides win over all.")
  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping
  ResponseEntity<Schedule> create(@RequestBody ScheduleInput input) {
    Schedule schedule = schedules.create(input);
    return ResponseEntity.created(URI.create("/api/v1/schedules/" + schedule.id())).body(schedule);
  }

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping
  Page<Schedule> list(
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable Integer limit) {
    return schedules.list(Page.after(cursor), Page.limit(limit));
  }

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/{id}")
  Schedule get(@PathVariable UUID id) {
    return schedules.get(id);
  }

  @Operation(summary = "Replace a schedule's name, zone and layers")
  @PreAuthorize("hasRole('ADMIN')")
  @PutMapping("/{id}")
  Schedule replace(@PathVariable UUID id, @RequestBody ScheduleInput input) {
    return schedules.replace(id, input);
  }

  @PreAuthorize("hasRole('ADMIN')")
  @DeleteMapping("/{id}")
  ResponseEntity<Void> delete(@PathVariable UUID id) {
    schedules.delete(id);
    return ResponseEntity.noContent().build();
  }

  @Operation(summary = "Who is on call at a moment (default now), since when and until when")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/{id}/oncall")
  OnCall onCall(@PathVariable UUID id, @RequestParam(required = false) @Nullable Instant at) {
    Instant when = at == null ? clock.instant() : at;
    return schedules
        .onCall(id, when)
        .map(
            s ->
                new OnCall(
                    id, when, person(s.user(), new HashMap<>()), s.start(), s.end(), s.source()))
        .orElse(new OnCall(id, when, null, null, null, null));
  }

  @Operation(
      summary = "The final shifts in [from, to), with the layer or override behind each",
      description = "from defaults to now, to to 7 days after from; at most 366 days.")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/{id}/shifts")
  Shifts shifts(
      @PathVariable UUID id,
      @RequestParam(required = false) @Nullable Instant from,
      @RequestParam(required = false) @Nullable Instant to) {
    Instant start = from == null ? clock.instant() : from;
    Instant end = to == null ? start.plus(Duration.ofDays(7)) : to;
    if (Duration.between(start, end).compareTo(MAX_SPAN) > 0) {
      throw new InvalidInputException("to", "may be at most 366 days after from");
    }
    Map<UUID, Person> people = new HashMap<>();
    List<ShiftView> items =
        schedules.shifts(id, start, end).stream()
            .map(s -> new ShiftView(person(s.user(), people), s.start(), s.end(), s.source()))
            .toList();
    return new Shifts(id, start, end, items);
  }

  @Operation(summary = "Put someone on call instead of whoever the layers have, for [start, end)")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/{id}/overrides")
  ResponseEntity<ScheduleOverride> addOverride(
      @PathVariable UUID id, @RequestBody OverrideRequest request) {
    SignedInUser by = SignedInUser.current();
    ScheduleOverride created =
        schedules.addOverride(
            id,
            request.userId(),
            request.start(),
            request.end(),
            by == null ? "Tocsin" : by.email());
    return ResponseEntity.created(
            URI.create("/api/v1/schedules/" + id + "/overrides/" + created.id()))
        .body(created);
  }

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/{id}/overrides")
  Overrides overrides(
      @PathVariable UUID id,
      @RequestParam(required = false) @Nullable Instant from,
      @RequestParam(required = false) @Nullable Instant to) {
    schedules.get(id);
    Instant start = from == null ? clock.instant() : from;
    return new Overrides(
        schedules.overrides(id, start, to == null ? start.plus(Duration.ofDays(90)) : to));
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @DeleteMapping("/{id}/overrides/{overrideId}")
  ResponseEntity<Void> deleteOverride(@PathVariable UUID id, @PathVariable UUID overrideId) {
    schedules.deleteOverride(id, overrideId);
    return ResponseEntity.noContent().build();
  }

  private Person person(UUID id, Map<UUID, Person> known) {
    return known.computeIfAbsent(
        id,
        key ->
            users
                .find(key)
                .map((User u) -> new Person(u.id(), u.name(), u.email()))
                .orElse(new Person(key, "deleted user", "")));
  }
}
