package io.tocsin.incident.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.tocsin.directory.UserService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.incident.Actor;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentDetails;
import io.tocsin.incident.IncidentDetails.AffectedService;
import io.tocsin.incident.IncidentDetails.AttachedAlert;
import io.tocsin.incident.IncidentQueries;
import io.tocsin.incident.IncidentStats;
import io.tocsin.incident.IncidentStatus;
import io.tocsin.incident.Incidents;
import io.tocsin.incident.StatusUpdate;
import io.tocsin.incident.TimelineEntry;
import io.tocsin.ingest.ChangeEvent;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Page;
import io.tocsin.platform.Severity;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/incidents}: everybody reads; responders change status, assignee, severity and
 * title, write notes and status updates, and merge. An incident is named by its id or its number.
 */
@RestController
@RequestMapping("/api/v1/incidents")
class IncidentController {

  private static final int DETAIL_ALERTS = 50;
  private static final int DETAIL_TIMELINE = 200;
  private static final int DETAIL_CHANGES = 20;

  private final Incidents incidents;
  private final IncidentDetails details;
  private final IncidentQueries queries;
  private final Clock clock;
  private final ServiceCatalog services;
  private final UserService users;

  IncidentController(
      Incidents incidents,
      IncidentDetails details,
      IncidentQueries queries,
      Clock clock,
      ServiceCatalog services,
      UserService users) {
    this.incidents = incidents;
    this.details = details;
    this.queries = queries;
    this.clock = clock;
    this.services = services;
    this.users = users;
  }

  record Reference(UUID id, long number) {}

  record ServiceName(UUID id, String name) {}

  record IncidentSummary(
      UUID id,
      long number,
      String title,
      ServiceName service,
      String status,
      String severity,
      @Nullable UUID assigneeId,
      ServiceName probableCause,
      int alertCount,
      int firingAlertCount,
      Instant openedAt,
      @Nullable Instant acknowledgedAt,
      @Nullable Instant resolvedAt,
      @Nullable String resolvedBy,
      @Nullable Reference recurrenceOf,
      @Nullable Reference mergedInto,
      @Schema(
              description =
                  "While alerts still fire: that resolving leaves them firing, and that their"
                      + " next send opens a new incident.")
          @Nullable String stillFiring,
      @Schema(
              description =
                  "Opened on a dependency that sent no alert, because services that need it failed"
                      + " together; false once its own alert confirmed it.")
          boolean inferred,
      @Schema(description = "Why the cause was inferred, in words; kept once confirmed.")
          @Nullable String inference,
      @Schema(description = "The incident a person split this one out of.")
          @Nullable Reference splitFrom,
      @Schema(
              description =
                  "While snoozed: when the incident opens again and pages from the first level.")
          @Nullable Instant snoozedUntil) {}

  record IncidentDetail(
      IncidentSummary incident,
      String groupKey,
      boolean severitySetByHand,
      @Nullable Long mttaSeconds,
      @Nullable Long mttrSeconds,
      List<AffectedService> affectedServices,
      List<ChangeEvent> recentChanges,
      Page<AttachedAlert> alerts,
      Page<TimelineEntry> timeline,
      List<TimelineEntry> notes,
      List<StatusUpdate> statusUpdates) {}

  record IncidentMetrics(
      UUID id,
      long number,
      String status,
      Instant openedAt,
      @Nullable Instant acknowledgedAt,
      @Nullable Instant resolvedAt,
      @Nullable Long mttaSeconds,
      @Nullable Long mttrSeconds,
      int alertCount,
      int firingAlertCount,
      int affectedServiceCount) {}

  record IncidentChanges(
      @Nullable String status,
      @Nullable String assigneeId,
      @Nullable String severity,
      @Nullable String title) {}

  record NoteRequest(@Nullable String body) {}

  record StatusUpdateRequest(@Nullable String phase, @Nullable String message) {}

  record MergeRequest(@Nullable List<String> incidents) {}

  record SnoozeRequest(@Nullable String duration) {}

  record Declaration(
      @Nullable String title,
      @Nullable String service,
      @Nullable String severity,
      @Nullable String assignee,
      @Nullable String description) {}

  @Operation(
      summary = "Declare an incident by hand",
      description =
          "For the outage no alert caught. title and service (its id or name) are required;"
              + " severity (any case) defaults to critical; assignee is a user's id or email."
              + " It pages the service's escalation policy at once, like any incident, and its"
              + " timeline says who declared it.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping
  ResponseEntity<IncidentSummary> declare(@RequestBody Declaration request) {
    String title = text("title", request.title());
    UUID service = serviceOf(text("service", request.service()));
    Severity severity =
        request.severity() == null || request.severity().isBlank()
            ? Severity.CRITICAL
            : EnumText.parse(Severity.class, "severity", request.severity());
    UUID assignee = null;
    if (request.assignee() != null && !request.assignee().isBlank()) {
      assignee = userOf(request.assignee().trim());
    }
    Incident declared =
        incidents.declare(
            new Incidents.Declaration(title, service, severity, assignee, request.description()),
            Actor.current());
    return ResponseEntity.status(HttpStatus.CREATED)
        .location(URI.create("/api/v1/incidents/" + declared.id()))
        .body(summary(declared));
  }

  @Operation(
      summary = "Snooze: acknowledged for a while, then open and paging again",
      description =
          "duration: ISO-8601, PT1M to P7D (PT15M, PT1H, PT4H). An open incident is acknowledged"
              + " (and assigned to you if nobody has it); when the time is up it is open again and"
              + " pages from its policy's first level. Snoozing again moves the end.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/{ref}/snooze")
  IncidentSummary snooze(@PathVariable String ref, @RequestBody SnoozeRequest request) {
    Duration duration;
    try {
      duration = Duration.parse(text("duration", request.duration()).trim());
    } catch (java.time.format.DateTimeParseException e) {
      throw new InvalidInputException(
          "duration", "is not an ISO-8601 duration such as PT15M, PT1H or PT4H");
    }
    return summary(incidents.snooze(incidents.find(ref).id(), duration, Actor.current()));
  }

  private UUID serviceOf(String service) {
    try {
      UUID id = UUID.fromString(service.trim());
      if (services.exists(id)) {
        return id;
      }
    } catch (IllegalArgumentException e) {
      UUID named = services.byAnyName().get(service.trim().toLowerCase(java.util.Locale.ROOT));
      if (named != null) {
        return named;
      }
    }
    throw new InvalidInputException("service", "there is no service '" + service + "'");
  }

  private UUID userOf(String assignee) {
    try {
      return UUID.fromString(assignee);
    } catch (IllegalArgumentException e) {
      return users
          .findByEmail(assignee)
          .orElseThrow(
              () -> new InvalidInputException("assignee", "there is no user '" + assignee + "'"))
          .id();
    }
  }

  /** The orders the list offers. */
  enum Order {
    /** Newest first; the cursor is the last incident's id. */
    NEWEST,
    /**
     * What is on fire first: open, acknowledged, in progress, resolved; then the most severe; then
     * the newest. The cursor carries the ranks as well as the id.
     */
    URGENCY
  }

  @Operation(
      summary = "Incidents, newest first or most urgent first",
      description =
          "status, severity: comma-separated lists (any case); service, assignee: ids; since,"
              + " until: bounds on when incidents opened (ISO-8601); q: text in the title, an"
              + " alert's summary or label value, or the name of a service the incident touches;"
              + " order: newest (the default) or urgency (open before acknowledged before in"
              + " progress before resolved, then severity, then newest). A cursor continues the"
              + " order it came from.")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping
  Page<IncidentSummary> list(
      @RequestParam(required = false) @Nullable List<String> status,
      @RequestParam(required = false) @Nullable UUID service,
      @RequestParam(required = false) @Nullable List<String> severity,
      @RequestParam(required = false) @Nullable UUID assignee,
      @RequestParam(required = false) @Nullable Instant since,
      @RequestParam(required = false) @Nullable Instant until,
      @RequestParam(required = false) @Nullable String q,
      @RequestParam(required = false) @Nullable String order,
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable Integer limit) {
    Order ordered =
        order == null || order.isBlank()
            ? Order.NEWEST
            : EnumText.parse(Order.class, "order", order);
    IncidentQueries.Filter filter =
        new IncidentQueries.Filter(
            parseAll(IncidentStatus.class, "status", status),
            service,
            parseAll(Severity.class, "severity", severity),
            assignee,
            since,
            until);
    Map<UUID, String> names = new HashMap<>();
    Page<Incident> page =
        ordered == Order.URGENCY
            ? queries.mostUrgentFirst(filter, q, cursor, Page.limit(limit))
            : queries.list(filter, q, Page.after(cursor), Page.limit(limit));
    return page.map(incident -> summary(incident, names));
  }

  @Operation(
      summary = "MTTA, MTTR (mean, p50, p90) and counts by service and severity",
      description =
          "Over the incidents opened in [since, until): until defaults to now, since to 30 days"
              + " before until; service narrows to one service.")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/stats")
  IncidentStats stats(
      @RequestParam(required = false) @Nullable Instant since,
      @RequestParam(required = false) @Nullable Instant until,
      @RequestParam(required = false) @Nullable UUID service) {
    Instant end = until == null ? clock.instant() : until;
    return queries.stats(since == null ? end.minus(Duration.ofDays(30)) : since, end, service);
  }

  @Operation(summary = "One incident with its services, changes, alerts, timeline and updates")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/{ref}")
  IncidentDetail get(@PathVariable String ref) {
    Incident incident = incidents.find(ref);
    return new IncidentDetail(
        summary(incident),
        incident.groupKey(),
        incident.severityByHand(),
        seconds(incident.timeToAcknowledge()),
        seconds(incident.timeToResolve()),
        details.affectedServices(incident),
        details.recentChanges(incident, DETAIL_CHANGES),
        details.alerts(incident.id(), null, null, DETAIL_ALERTS),
        details.timeline(incident.id(), null, DETAIL_TIMELINE),
        details.notes(incident.id()),
        details.statusUpdates(incident.id()));
  }

  @Operation(
      summary = "Change status, assignee, severity or title",
      description =
          "status moves open → acknowledged → in_progress → resolved (open may go straight to"
              + " in_progress or resolved; resolved is final); any other move answers 409 with"
              + " the current status and the allowed ones. A severity set here no longer follows"
              + " the alerts. assigneeId \"\" unassigns. All changes apply, or none.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PatchMapping("/{ref}")
  IncidentSummary update(@PathVariable String ref, @RequestBody IncidentChanges changes) {
    Incident incident = incidents.find(ref);
    IncidentStatus status =
        changes.status() == null
            ? null
            : EnumText.parse(IncidentStatus.class, "status", changes.status());
    Severity severity =
        changes.severity() == null
            ? null
            : EnumText.parse(Severity.class, "severity", changes.severity());
    boolean unassign = changes.assigneeId() != null && changes.assigneeId().isBlank();
    UUID assignee = null;
    if (changes.assigneeId() != null && !unassign) {
      try {
        assignee = UUID.fromString(changes.assigneeId().trim());
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("assigneeId", "is not a user id");
      }
    }
    return summary(
        incidents.update(
            incident.id(),
            new Incidents.Changes(status, assignee, unassign, severity, changes.title()),
            Actor.current()));
  }

  @Operation(summary = "The incident's alerts, in the order they arrived")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/{ref}/alerts")
  Page<AttachedAlert> alerts(
      @PathVariable String ref,
      @RequestParam(required = false) @Nullable String status,
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable Integer limit) {
    String wanted = status == null ? null : status.trim().toLowerCase(java.util.Locale.ROOT);
    if (wanted != null && !wanted.equals("firing") && !wanted.equals("resolved")) {
      throw new io.tocsin.platform.UnknownValueException(
          "status", Objects.requireNonNull(status), List.of("firing", "resolved"));
    }
    return details.alerts(incidents.find(ref).id(), wanted, Page.after(cursor), Page.limit(limit));
  }

  @Operation(summary = "The incident's timeline, oldest first")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/{ref}/timeline")
  Page<TimelineEntry> timeline(
      @PathVariable String ref,
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable Integer limit) {
    return details.timeline(incidents.find(ref).id(), Page.after(cursor), Page.limit(limit));
  }

  @Operation(summary = "MTTA, MTTR and counts of one incident")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/{ref}/metrics")
  IncidentMetrics metrics(@PathVariable String ref) {
    Incident incident = incidents.find(ref);
    return new IncidentMetrics(
        incident.id(),
        incident.number(),
        incident.status().text(),
        incident.openedAt(),
        incident.acknowledgedAt(),
        incident.resolvedAt(),
        seconds(incident.timeToAcknowledge()),
        seconds(incident.timeToResolve()),
        incident.alertCount(),
        incident.firingCount(),
        details.affectedServices(incident).size());
  }

  @Operation(summary = "Add a note to the timeline")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/{ref}/notes")
  @ResponseStatus(HttpStatus.CREATED)
  TimelineEntry note(@PathVariable String ref, @RequestBody NoteRequest request) {
    return incidents.addNote(
        incidents.find(ref).id(), text("body", request.body()), Actor.current());
  }

  @Operation(
      summary = "Post a status update for stakeholders",
      description = "phase: investigating, identified, monitoring or resolved.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/{ref}/status-updates")
  @ResponseStatus(HttpStatus.CREATED)
  StatusUpdate statusUpdate(@PathVariable String ref, @RequestBody StatusUpdateRequest request) {
    StatusUpdate.Phase phase =
        EnumText.parse(StatusUpdate.Phase.class, "phase", text("phase", request.phase()));
    return incidents.addStatusUpdate(
        incidents.find(ref).id(), phase, text("message", request.message()), Actor.current());
  }

  record SplitRequest(@Nullable UUID serviceId) {}

  @Operation(
      summary = "Split a service's alerts out into an incident of their own",
      description =
          "serviceId: one of the incident's affected services other than its own. Its alerts"
              + " move to a new incident, which pages its policy at once; its next alerts join"
              + " that incident instead of this one while it is open.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/{ref}/split")
  ResponseEntity<IncidentSummary> split(
      @PathVariable String ref, @RequestBody SplitRequest request) {
    if (request.serviceId() == null) {
      throw new InvalidInputException("serviceId", "is required");
    }
    Incident split =
        incidents.split(incidents.find(ref).id(), request.serviceId(), Actor.current());
    return ResponseEntity.status(HttpStatus.CREATED)
        .location(URI.create("/api/v1/incidents/" + split.id()))
        .body(summary(split));
  }

  @Operation(
      summary = "Merge other incidents into this one",
      description =
          "incidents: ids or numbers of open incidents. Their alerts move here; they resolve,"
              + " naming this incident.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/{ref}/merge")
  IncidentSummary merge(@PathVariable String ref, @RequestBody MergeRequest request) {
    Incident target = incidents.find(ref);
    List<UUID> sources = new ArrayList<>();
    for (String each : request.incidents() == null ? List.<String>of() : request.incidents()) {
      if (each == null || each.isBlank()) {
        throw new InvalidInputException("incidents", "must hold incident ids or numbers");
      }
      try {
        sources.add(incidents.find(each).id());
      } catch (io.tocsin.platform.NotFoundException e) {
        throw new InvalidInputException("incidents", "there is no incident '" + each + "'");
      }
    }
    return summary(incidents.merge(target.id(), sources, Actor.current()));
  }

  private IncidentSummary summary(Incident incident) {
    return summary(incident, new HashMap<>());
  }

  /** {@code names} remembers service names across the rows of one answer. */
  private IncidentSummary summary(Incident incident, Map<UUID, String> names) {
    return new IncidentSummary(
        incident.id(),
        incident.number(),
        incident.title(),
        service(incident.serviceId(), names),
        incident.status().text(),
        EnumText.canonical(incident.severity()),
        incident.assigneeId(),
        service(incident.probableCauseServiceId(), names),
        incident.alertCount(),
        incident.firingCount(),
        incident.openedAt(),
        incident.acknowledgedAt(),
        incident.resolvedAt(),
        incident.resolvedBy(),
        reference(incident.recurrenceOf()),
        reference(incident.mergedInto()),
        incident.stillFiringNotice(),
        incident.inferred(),
        incident.inference(),
        reference(incident.splitFrom()),
        incident.snoozedUntil());
  }

  private ServiceName service(UUID id, Map<UUID, String> names) {
    return new ServiceName(id, names.computeIfAbsent(id, details::serviceName));
  }

  private @Nullable Reference reference(@Nullable UUID id) {
    return id == null ? null : new Reference(id, incidents.get(id).number());
  }

  private static @Nullable Long seconds(@Nullable Duration duration) {
    return duration == null ? null : duration.toSeconds();
  }

  private static String text(String field, @Nullable String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException(field, "is required");
    }
    return value;
  }

  private static <E extends Enum<E>> @Nullable Set<E> parseAll(
      Class<E> type, String field, @Nullable List<String> values) {
    if (values == null) {
      return null;
    }
    Set<E> parsed = new LinkedHashSet<>();
    for (String value : values) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          parsed.add(EnumText.parse(type, field, part));
        }
      }
    }
    return parsed.isEmpty() ? null : parsed;
  }
}
