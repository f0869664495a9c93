package io.tocsin.web;

import io.tocsin.directory.Role;
import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.TeamScope;
import io.tocsin.directory.UserService;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.directory.sso.SsoProviders;
import io.tocsin.directory.team.TeamService;
import io.tocsin.incident.Actor;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentDetails;
import io.tocsin.incident.IncidentQueries;
import io.tocsin.incident.IncidentStatus;
import io.tocsin.incident.Incidents;
import io.tocsin.ingest.AlertVolume;
import io.tocsin.notify.DeadLetters;
import io.tocsin.notify.DeliveryBreakers;
import io.tocsin.notify.Outbox;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.Escalations;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.ForbiddenException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import io.tocsin.platform.Severity;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.lang.Contract;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.json.JsonMapper;

/**
 * The console's pages: the dashboard, the incident list and the incident page with its actions.
 * Actions are plain forms that POST and come back to the page, so they work without JavaScript.
 */
@Controller
class ConsolePages {

  private static final Set<IncidentStatus> OPEN =
      EnumSet.of(IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED, IncidentStatus.IN_PROGRESS);

  /** Deploys and other changes shown before the incident's opening. */
  private static final int RECENT_CHANGES = 10;

  private static final int LATEST = 3;

  /** Open incidents offered as merge candidates; others are typed by number. */
  private static final int MERGE_CHOICES = 50;

  private final Incidents incidents;
  private final IncidentDetails details;
  private final IncidentQueries queries;
  private final ServiceCatalog services;
  private final UserService users;
  private final EscalationPolicies policies;
  private final io.tocsin.oncall.Schedules schedules;
  private final Escalations escalations;
  private final Outbox outbox;
  private final DeadLetters deadLetters;
  private final AlertVolume alertVolume;
  private final TeamService teams;
  private final DeliveryBreakers breakers;
  private final JsonMapper json;
  private final Clock clock;
  private final SsoProviders sso;

  private final TeamScope scope;

  ConsolePages(
      Incidents incidents,
      IncidentDetails details,
      IncidentQueries queries,
      ServiceCatalog services,
      UserService users,
      EscalationPolicies policies,
      io.tocsin.oncall.Schedules schedules,
      Escalations escalations,
      Outbox outbox,
      DeadLetters deadLetters,
      AlertVolume alertVolume,
      TeamService teams,
      DeliveryBreakers breakers,
      JsonMapper json,
      Clock clock,
      SsoProviders sso,
      TeamScope scope) {
    this.scope = scope;
    this.incidents = incidents;
    this.details = details;
    this.queries = queries;
    this.services = services;
    this.users = users;
    this.policies = policies;
    this.schedules = schedules;
    this.escalations = escalations;
    this.outbox = outbox;
    this.deadLetters = deadLetters;
    this.alertVolume = alertVolume;
    this.teams = teams;
    this.breakers = breakers;
    this.json = json;
    this.clock = clock;
    this.sso = sso;
  }

  /** An incident as a row of a list shows it. */
  record Row(
      long number,
      String title,
      String severity,
      String status,
      String service,
      @Nullable String assignee,
      boolean mine,
      String age,
      boolean inferred,
      boolean pagesNobody) {}

  /**
   * A service of a storm as the incident page's table lists it: the cause or a symptom, when its
   * first alert came ({@code null} for an inferred cause, which sent none) and whether a person may
   * split it out (any service on an open incident but the incident's own).
   */
  record StormRow(
      UUID serviceId,
      String name,
      String href,
      String role,
      boolean cause,
      @Nullable Instant since,
      @Nullable String sinceText,
      int firing,
      int alerts,
      boolean splittable) {}

  /** Who a service's first level would page now. */
  record OnCall(String service, boolean hasPolicy, List<String> people, @Nullable String problem) {}

  /**
   * Whether the signed-in person is on call now, and until when (in their zone, 24-hour clock);
   * {@code until} is null when they are not.
   */
  record YouOnCall(@Nullable String until, boolean atLeast) {}

  /** How far ahead the dashboard looks for the end of the signed-in person's shifts. */
  private static final Duration SHIFT_LOOKAHEAD = Duration.ofDays(28);

  private static final java.time.format.DateTimeFormatter DAY_MINUTE =
      java.time.format.DateTimeFormatter.ofPattern("EEE d MMM HH:mm", java.util.Locale.ENGLISH);

  /** Who the first levels of a team's services would page now. */
  record TeamOnCall(String team, List<String> people) {}

  /** Alerts received in one ten-minute bucket of the dashboard's volume chart. */
  record VolumeRow(String from, long alerts) {}

  /** How much of the past the dashboard's alert volume covers, in buckets. */
  private static final int VOLUME_BUCKETS = 36;

  private static final java.time.format.DateTimeFormatter HOUR_MINUTE =
      java.time.format.DateTimeFormatter.ofPattern("HH:mm");

  /** A storm's services began seconds apart: the drawing and its table show the seconds. */
  private static final java.time.format.DateTimeFormatter SECONDS =
      java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss z", java.util.Locale.ROOT);

  @GetMapping("/login")
  String login(
      @RequestParam(required = false) @Nullable String next,
      @RequestParam(required = false) @Nullable String signedOut,
      HttpServletRequest request,
      Model model) {
    if (!users.anyAdmin()) {
      return "redirect:/setup";
    }
    model.addAttribute("me", null);
    model.addAttribute("signedOut", signedOut != null);
    model.addAttribute("providers", sso.choices());
    model.addAttribute("localPasswords", sso.localPasswords());
    model.addAttribute("failure", sso.takeFailure(request));
    model.addAttribute(
        "next", next != null && next.startsWith("/") && !next.startsWith("//") ? next : "/");
    return "web/login";
  }

  /**
   * First run: no admin exists yet, and the log holds a one-time setup token. The form posts to
   * {@code /api/v1/setup}, which checks the token.
   */
  @GetMapping("/setup")
  String setup(Model model) {
    if (users.anyAdmin()) {
      return "redirect:/login";
    }
    model.addAttribute("me", null);
    model.addAttribute("zones", java.time.ZoneId.getAvailableZoneIds().stream().sorted().toList());
    return "web/setup";
  }

  @GetMapping("/")
  String dashboard(@ModelAttribute("zone") java.time.ZoneId zone, Model model) {
    SignedInUser me = ConsoleModel.signedIn();
    List<CatalogService> catalog = services.list(null, null, Page.MAX_LIMIT).items();
    addOpenIncidents(model, me, catalog);
    List<OnCall> onCall = new ArrayList<>();
    Map<UUID, List<String>> teamPeople = new HashMap<>();
    // One resolver for the page: a schedule that several services page is looked up once.
    Function<EscalationPolicies.Target, EscalationPolicies.ResolvedTarget> resolver =
        policies.resolverAt(clock.instant());
    // Every service's policy in two queries, not three per service.
    Map<UUID, EscalationPolicies.Policy> policyOf =
        policies.ofServices(catalog.stream().map(CatalogService::id).toList());
    for (CatalogService service : catalog) {
      OnCall now =
          onCall(service, java.util.Optional.ofNullable(policyOf.get(service.id())), resolver);
      onCall.add(now);
      if (service.ownerTeamId() != null) {
        teamPeople
            .computeIfAbsent(service.ownerTeamId(), k -> new ArrayList<>())
            .addAll(now.people());
      }
    }
    List<TeamOnCall> teamOnCall =
        teams.list(null, null, Page.MAX_LIMIT).items().stream()
            .map(
                team ->
                    new TeamOnCall(
                        team.name(),
                        teamPeople.getOrDefault(team.id(), List.of()).stream().distinct().toList()))
            .toList();
    addAlertVolume(model, zone);
    Page<Outbox.Delivery> dead = deadLetters.list(null, Page.MAX_LIMIT);
    model.addAttribute("me", me);
    model.addAttribute("youOnCall", youOnCall(me, zone));
    model.addAttribute("onCall", onCall);
    model.addAttribute("teamOnCall", teamOnCall);
    model.addAttribute("openBreakers", breakers.open());
    model.addAttribute("withoutPolicy", onCall.stream().filter(now -> !now.hasPolicy()).count());
    model.addAttribute("deadLetters", dead.items().size() + (dead.nextCursor() == null ? "" : "+"));
    return "web/dashboard";
  }

  /**
   * Until when the signed-in person's shifts last without a break, from now: shifts that follow
   * each other (a weekday shift, then the weekend's) count as one stretch on call.
   */
  private YouOnCall youOnCall(SignedInUser me, java.time.ZoneId zone) {
    Instant now = clock.instant();
    Instant horizon = now.plus(SHIFT_LOOKAHEAD);
    List<io.tocsin.oncall.Schedules.UserShift> shifts =
        new ArrayList<>(schedules.shiftsOf(me.id(), now, horizon));
    shifts.sort(Comparator.comparing(s -> s.shift().start()));
    Instant end = null;
    for (io.tocsin.oncall.Schedules.UserShift shift : shifts) {
      Instant start = shift.shift().start();
      if (end == null ? !start.isAfter(now) : !start.isAfter(end)) {
        Instant until = shift.shift().end();
        end = end == null || until.isAfter(end) ? until : end;
      }
    }
    if (end == null || !end.isAfter(now)) {
      return new YouOnCall(null, false);
    }
    return new YouOnCall(DAY_MINUTE.format(end.atZone(zone)), !end.isBefore(horizon));
  }

  /**
   * The alerts received per ten minutes over the last six hours, as a chart for charts.js and as
   * rows for the table that screen readers and browsers without JavaScript get.
   */
  private void addAlertVolume(Model model, java.time.ZoneId zone) {
    Instant now = clock.instant();
    Instant first =
        AlertVolume.bucketOf(now).minus(AlertVolume.BUCKET.multipliedBy(VOLUME_BUCKETS - 1));
    Map<Instant, Long> counts = new HashMap<>();
    alertVolume
        .perBucket(first, AlertVolume.bucketOf(now).plus(AlertVolume.BUCKET), null)
        .forEach(bucket -> counts.put(bucket.at(), bucket.alerts()));
    List<VolumeRow> rows = new ArrayList<>();
    List<Number> x = new ArrayList<>();
    List<@Nullable Number> values = new ArrayList<>();
    long total = 0;
    @Nullable VolumeRow busiest = null;
    for (int i = 0; i < VOLUME_BUCKETS; i++) {
      Instant at = first.plus(AlertVolume.BUCKET.multipliedBy(i));
      long alerts = counts.getOrDefault(at, 0L);
      VolumeRow row = new VolumeRow(HOUR_MINUTE.format(at.atZone(zone)), alerts);
      rows.add(row);
      x.add(at.getEpochSecond());
      values.add(alerts);
      total += alerts;
      if (alerts > 0 && (busiest == null || alerts > busiest.alerts())) {
        busiest = row;
      }
    }
    model.addAttribute("volume", rows);
    model.addAttribute("volumeTotal", total);
    model.addAttribute("volumeBusiest", busiest);
    model.addAttribute(
        "volumeChart",
        json.writeValueAsString(
            new ReportPages.Chart(
                    "time",
                    AlertVolume.BUCKET.toSeconds(),
                    x,
                    null,
                    List.of(new ReportPages.Series("alerts", "--warning", values)),
                    "")
                .in(zone)));
  }

  /** The open incidents of the dashboard, for the live update. */
  @GetMapping("/web/fragments/open-incidents")
  String openIncidentsFragment(Model model) {
    SignedInUser me = ConsoleModel.signedIn();
    addOpenIncidents(model, me, services.list(null, null, Page.MAX_LIMIT).items());
    return "web/dashboard :: open-incidents";
  }

  /**
   * The counts per severity (every open incident, counted in the database) and the list (the first
   * {@link Page#MAX_LIMIT}, in the dashboard's order), which the live update refreshes together.
   */
  private void addOpenIncidents(Model model, SignedInUser me, List<CatalogService> catalog) {
    Map<String, Long> counts = new LinkedHashMap<>();
    queries
        .openBySeverity()
        .forEach((severity, count) -> counts.put(EnumText.canonical(severity), count));
    List<Incident> open = openIncidents();
    model.addAttribute("counts", counts);
    model.addAttribute("openCount", counts.values().stream().mapToLong(Long::longValue).sum());
    model.addAttribute("shownCount", open.size());
    model.addAttribute("rows", rows(open, me, catalog));
  }

  /** The statuses the incident list shows when none is asked for: every one but resolved. */
  private static final List<String> NOT_RESOLVED =
      OPEN.stream().sorted().map(IncidentStatus::text).toList();

  @GetMapping("/incidents")
  String list(
      @RequestParam(name = "status", required = false) @Nullable List<String> status,
      @RequestParam(required = false) @Nullable String q,
      @RequestParam(required = false) @Nullable String severity,
      @RequestParam(required = false) @Nullable UUID service,
      @RequestParam(required = false) @Nullable String assignee,
      @RequestParam(required = false) @Nullable String from,
      @RequestParam(required = false) @Nullable String to,
      @RequestParam(required = false) @Nullable String cursor,
      @ModelAttribute("zone") java.time.ZoneId zone,
      Model model) {
    SignedInUser me = ConsoleModel.signedIn();
    // No status asked for (a first visit, or every box unticked): what still needs someone.
    List<String> chosen =
        status == null || status.stream().allMatch(ConsolePages::blank)
            ? NOT_RESOLVED
            : status.stream().filter(one -> !blank(one)).toList();
    List<Incident> found = List.of();
    String next = null;
    try {
      Set<IncidentStatus> statuses = EnumSet.noneOf(IncidentStatus.class);
      for (String one : chosen) {
        statuses.add(EnumText.parse(IncidentStatus.class, "status", one));
      }
      Set<Severity> severities =
          blank(severity) ? null : Set.of(EnumText.parse(Severity.class, "severity", severity));
      UUID assigneeId =
          blank(assignee) ? null : "me".equals(assignee) ? me.id() : uuid("assignee", assignee);
      Instant since = blank(from) ? null : day("from", from).atStartOfDay(zone).toInstant();
      Instant before = blank(to) ? null : day("to", to).plusDays(1).atStartOfDay(zone).toInstant();
      Page<Incident> page =
          queries.mostUrgentFirst(
              new IncidentQueries.Filter(statuses, service, severities, assigneeId, since, before),
              q,
              cursor,
              Page.DEFAULT_LIMIT);
      found = page.items();
      next = page.nextCursor();
    } catch (io.tocsin.platform.UnknownValueException e) {
      model.addAttribute("problem", e.getMessage());
      model.addAttribute("problemField", e.field());
    } catch (io.tocsin.platform.InvalidInputException e) {
      model.addAttribute("problem", e.getMessage());
      model.addAttribute("problemField", e.field());
    }
    model.addAttribute("me", me);
    List<CatalogService> catalog = services.list(null, null, Page.MAX_LIMIT).items();
    model.addAttribute("rows", rows(found, me, catalog));
    model.addAttribute(
        "status",
        chosen.stream().map(one -> one.trim().toLowerCase(java.util.Locale.ROOT)).toList());
    model.addAttribute("q", q == null ? "" : q);
    model.addAttribute("severity", severity == null ? "" : severity);
    model.addAttribute("service", service);
    model.addAttribute("assignee", assignee == null ? "" : assignee);
    model.addAttribute("from", from == null ? "" : from);
    model.addAttribute("to", to == null ? "" : to);
    model.addAttribute("services", catalog);
    model.addAttribute("people", users.list(null, null, Page.MAX_LIMIT).items());
    model.addAttribute("statuses", EnumText.allowed(IncidentStatus.class));
    model.addAttribute("severities", EnumText.allowed(Severity.class));
    model.addAttribute("next", next);
    return "web/incidents";
  }

  @Contract("null -> true")
  private static boolean blank(@Nullable String text) {
    return text == null || text.isBlank();
  }

  private static UUID uuid(String field, String text) {
    try {
      return UUID.fromString(text.trim());
    } catch (IllegalArgumentException e) {
      throw new io.tocsin.platform.InvalidInputException(field, "is not a person");
    }
  }

  private static java.time.LocalDate day(String field, String text) {
    try {
      return java.time.LocalDate.parse(text.trim());
    } catch (java.time.format.DateTimeParseException e) {
      throw new io.tocsin.platform.InvalidInputException(field, "must be a date like 2026-11-30");
    }
  }

  @GetMapping("/incidents/{number}")
  String incident(
      @PathVariable long number,
      @RequestParam(required = false) @Nullable String entries,
      @ModelAttribute("zone") java.time.ZoneId zone,
      Model model) {
    SignedInUser me = ConsoleModel.signedIn();
    Incident incident = incidents.byNumber(number);
    model.addAttribute("me", me);
    model.addAttribute("incident", incident);
    // Another team's incident offers a responder no actions: each would be refused.
    if (me.role().compareTo(Role.RESPONDER) >= 0) {
      scope
          .whyNot(me.id(), incident.serviceId())
          .ifPresent(
              why -> {
                model.addAttribute("canAct", false);
                model.addAttribute("outsideTeam", why);
              });
    }
    model.addAttribute(
        "liveStamp", details.timelineStamps(List.of(incident.id())).get(incident.id()));
    model.addAttribute("severity", EnumText.canonical(incident.severity()));
    model.addAttribute("service", Names.service(services, incident.serviceId()));
    model.addAttribute(
        "cause",
        incident.probableCauseServiceId().equals(incident.serviceId())
            ? null
            : Names.service(services, incident.probableCauseServiceId()));
    List<IncidentDetails.AffectedService> affected = details.affectedServices(incident);
    model.addAttribute("affected", affected);
    storm(incident, affected, zone, model);
    model.addAttribute(
        "splitFrom", incident.splitFrom() == null ? null : incidents.get(incident.splitFrom()));
    model.addAttribute("assignee", name(incident.assigneeId()));
    Map<String, List<IncidentDetails.AttachedAlert>> alertsByService = new LinkedHashMap<>();
    details
        .alerts(incident.id(), null, null, Page.MAX_LIMIT)
        .items()
        .forEach(
            alert ->
                alertsByService
                    .computeIfAbsent(alert.serviceName(), name -> new ArrayList<>())
                    .add(alert));
    model.addAttribute("alertsByService", alertsByService);
    model.addAttribute("changes", details.recentChanges(incident, RECENT_CHANGES));
    model.addAttribute("runbooks", runbooks(incident.serviceId()));
    model.addAttribute(
        "mergeable",
        queries
            .list(
                new IncidentQueries.Filter(OPEN, null, null, null, null, null),
                null,
                MERGE_CHOICES + 1)
            .items()
            .stream()
            .filter(other -> !other.id().equals(incident.id()))
            .limit(MERGE_CHOICES)
            .toList());
    // A long timeline reads in pages, oldest first, each page leading to the next.
    Page<io.tocsin.incident.TimelineEntry> timeline =
        details.timeline(incident.id(), Page.after(entries), Page.MAX_LIMIT);
    model.addAttribute("timeline", timeline.items());
    model.addAttribute("laterEntries", timeline.nextCursor());
    model.addAttribute("earlierEntries", entries != null);
    // On a phone the latest entries sit above the fold, newest first, beside the actions; read on
    // their own, since the timeline above is its first page, the oldest entries of a long one.
    model.addAttribute("latest", details.latest(incident.id(), LATEST));
    model.addAttribute(
        "canSnooze",
        incident.status() == IncidentStatus.OPEN
            || incident.status() == IncidentStatus.ACKNOWLEDGED);
    model.addAttribute("escalation", escalation(incident));
    model.addAttribute("notifications", outbox.ofIncident(incident.id()));
    model.addAttribute("names", names());
    model.addAttribute("canAcknowledge", incident.status() == IncidentStatus.OPEN);
    model.addAttribute("canResolve", incident.isOpen());
    model.addAttribute("mtta", duration(incident.timeToAcknowledge()));
    model.addAttribute("people", users.list(null, null, Page.MAX_LIMIT).items());
    model.addAttribute("phases", EnumText.allowed(io.tocsin.incident.StatusUpdate.Phase.class));
    model.addAttribute("mttr", duration(incident.timeToResolve()));
    return "web/incident";
  }

  /**
   * The incident's storm, when it has one (alerts of more than one service, or a cause inferred or
   * confirmed): its services as a drawing and as a table, the cause first, then the symptoms in the
   * order they began.
   */
  private void storm(
      Incident incident,
      List<IncidentDetails.AffectedService> affected,
      java.time.ZoneId zone,
      Model model) {
    boolean storm = affected.size() > 1 || incident.inferred() || incident.inference() != null;
    model.addAttribute("storm", storm);
    if (!storm) {
      return;
    }
    UUID causeId = incident.probableCauseServiceId();
    DependencyGraph graph = services.dependencyGraph();
    IncidentDetails.AffectedService own =
        affected.stream().filter(a -> a.serviceId().equals(causeId)).findFirst().orElse(null);
    List<StormRow> rows = new ArrayList<>();
    rows.add(
        new StormRow(
            causeId,
            own == null ? Names.service(services, causeId) : own.name(),
            "/services/" + causeId,
            incident.inferred() ? "inferred cause" : "cause",
            true,
            own == null ? null : own.firstAlertAt(),
            own == null ? null : SECONDS.format(own.firstAlertAt().atZone(zone)),
            own == null ? 0 : own.firingCount(),
            own == null ? 0 : own.alertCount(),
            false));
    affected.stream()
        .filter(a -> !a.serviceId().equals(causeId))
        .sorted(
            Comparator.comparing(IncidentDetails.AffectedService::firstAlertAt)
                .thenComparing(IncidentDetails.AffectedService::name))
        .forEach(
            a ->
                rows.add(
                    new StormRow(
                        a.serviceId(),
                        a.name(),
                        "/services/" + a.serviceId(),
                        graph.closure(a.serviceId()).contains(causeId)
                            ? "symptom"
                            : "not a dependent of the cause",
                        false,
                        a.firstAlertAt(),
                        SECONDS.format(a.firstAlertAt().atZone(zone)),
                        a.firingCount(),
                        a.alertCount(),
                        incident.isOpen() && !a.serviceId().equals(incident.serviceId()))));
    StormRow cause = rows.get(0);
    model.addAttribute("stormRows", rows);
    model.addAttribute(
        "stormDrawing",
        StormDrawing.of(
            new StormDrawing.Service(
                cause.serviceId(),
                cause.name(),
                cause.role() + (cause.since() == null ? " · no alert" : " · " + since(cause)),
                cause.href()),
            rows.subList(1, rows.size()).stream()
                .map(
                    row ->
                        new StormDrawing.Service(
                            row.serviceId(), row.name(), since(row), row.href()))
                .toList(),
            graph::closure));
  }

  /** "since 03:12:04", without the zone: the table below names it. */
  private static String since(StormRow row) {
    String text = row.sinceText() == null ? "" : row.sinceText();
    int zone = text.lastIndexOf(' ');
    return "since " + (zone < 0 ? text : text.substring(0, zone));
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/{number}/acknowledge")
  String acknowledge(@PathVariable long number, RedirectAttributes redirect) {
    return act(
        number,
        redirect,
        id -> {
          Incident acknowledged =
              incidents.changeStatus(id, IncidentStatus.ACKNOWLEDGED, Actor.current());
          SignedInUser me = SignedInUser.current();
          boolean mine = me != null && me.id().equals(acknowledged.assigneeId());
          return acknowledged.reference()
              + " acknowledged"
              + (mine ? "; it is yours now." : ".")
              + " Paging stopped.";
        });
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/{number}/resolve")
  String resolve(
      @PathVariable long number,
      @RequestParam(required = false) @Nullable String confirm,
      Model model,
      RedirectAttributes redirect) {
    Incident incident = incidents.byNumber(number);
    if (incident.isOpen() && incident.firingCount() > 0 && !"yes".equals(confirm)) {
      // Alerts still fire: ask first, on a page of its own so that it works without JavaScript.
      model.addAttribute("incident", incident);
      return "web/incident-resolve";
    }
    return act(
        number,
        redirect,
        id -> {
          Incident resolved = incidents.changeStatus(id, IncidentStatus.RESOLVED, Actor.current());
          String stillFiring = resolved.stillFiringNotice();
          return resolved.reference()
              + " resolved."
              + (stillFiring == null ? "" : " " + stillFiring);
        });
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/{number}/escalate")
  String escalate(@PathVariable long number, RedirectAttributes redirect) {
    return act(
        number,
        redirect,
        id -> {
          Escalations.Escalation escalated = escalations.escalate(id, null, Actor.current());
          List<Escalations.Step> steps = escalated.steps();
          return "#"
              + number
              + " escalated"
              + (steps.isEmpty()
                  ? "."
                  : ": level " + steps.get(steps.size() - 1).level() + " is paged.");
        });
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/{number}/status-updates")
  String statusUpdate(
      @PathVariable long number,
      @RequestParam String phase,
      @RequestParam String message,
      RedirectAttributes redirect) {
    return act(
        number,
        redirect,
        id -> {
          incidents.addStatusUpdate(
              id,
              EnumText.parse(io.tocsin.incident.StatusUpdate.Phase.class, "phase", phase),
              message,
              Actor.current());
          return "Status update posted (" + phase.trim().toLowerCase(java.util.Locale.ROOT) + ").";
        });
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/{number}/reassign")
  String reassign(
      @PathVariable long number,
      @RequestParam(required = false) @Nullable String userId,
      RedirectAttributes redirect) {
    return act(
        number,
        redirect,
        id -> {
          if (userId == null || userId.isBlank()) {
            throw new io.tocsin.platform.InvalidInputException(
                "userId", "choose whom to hand the incident to");
          }
          UUID user;
          try {
            user = UUID.fromString(userId.trim());
          } catch (IllegalArgumentException e) {
            throw new io.tocsin.platform.InvalidInputException("userId", "is not a person");
          }
          escalations.reassignToUser(id, user, Actor.current());
          return "#" + number + " handed to " + name(user) + ", who is paged now.";
        });
  }

  /** Acknowledges or resolves the incidents ticked on the list; says which could not be. */
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/bulk")
  String bulk(
      @RequestParam String action,
      @RequestParam(name = "number", required = false) @Nullable List<Long> numbers,
      RedirectAttributes redirect) {
    IncidentStatus to =
        "resolve".equals(action) ? IncidentStatus.RESOLVED : IncidentStatus.ACKNOWLEDGED;
    List<String> refused = new ArrayList<>();
    int done = 0;
    for (long number : numbers == null ? List.<Long>of() : numbers) {
      try {
        incidents.changeStatus(incidents.byNumber(number).id(), to, Actor.current());
        done++;
      } catch (ConflictException | NotFoundException e) {
        refused.add("#" + number);
      } catch (ForbiddenException e) {
        refused.add("#" + number + " (" + e.getMessage() + ")");
      }
    }
    redirect.addFlashAttribute(
        "notice",
        done
            + " incident"
            + (done == 1 ? "" : "s")
            + " "
            + to.text()
            + (refused.isEmpty() ? "." : "; not " + String.join(", ", refused) + "."));
    return "redirect:/incidents";
  }

  /**
   * Merges the incidents named in {@code numbers} ("12, 15" or "#12 #15") into this one: their
   * alerts move here and they resolve.
   */
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/{number}/merge")
  String merge(
      @PathVariable long number, @RequestParam String numbers, RedirectAttributes redirect) {
    Incident target = incidents.byNumber(number);
    return Forms.run(
        redirect,
        "/incidents/" + number,
        "Merged " + numbers.trim() + " into " + target.reference() + ".",
        () -> {
          List<UUID> sources = new ArrayList<>();
          for (String part : numbers.split("[\\s,#]+")) {
            if (part.isEmpty()) {
              continue;
            }
            try {
              sources.add(incidents.byNumber(Long.parseLong(part)).id());
            } catch (NumberFormatException | NotFoundException e) {
              throw new io.tocsin.platform.InvalidInputException(
                  "incidents", "'" + part + "' is not the number of an incident");
            }
          }
          incidents.merge(target.id(), sources, Actor.current());
        });
  }

  /**
   * Splits a symptom service out of this incident into one of its own, which pages at once, and
   * goes to it; a refusal comes back to this incident.
   */
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/{number}/split")
  String split(
      @PathVariable long number, @RequestParam UUID serviceId, RedirectAttributes redirect) {
    Incident source = incidents.byNumber(number);
    java.util.concurrent.atomic.AtomicReference<Incident> split =
        new java.util.concurrent.atomic.AtomicReference<>();
    String back =
        Forms.run(
            redirect,
            "/incidents/" + number,
            null,
            () -> split.set(incidents.split(source.id(), serviceId, Actor.current())));
    Incident created = split.get();
    if (created == null) {
      return back;
    }
    redirect.addFlashAttribute(
        "notice",
        "Split "
            + details.serviceName(serviceId)
            + " out as "
            + created.reference()
            + "; it pages now.");
    return "redirect:/incidents/" + created.number();
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/incidents/{number}/notes")
  String note(@PathVariable long number, @RequestParam String body, RedirectAttributes redirect) {
    return act(
        number,
        redirect,
        id -> {
          incidents.addNote(id, body, Actor.current());
          return "Note added to the timeline.";
        });
  }

  /**
   * Does an action, and comes back to the incident saying what it did (the notice, announced with
   * {@code role=status}) or what went wrong.
   */
  private String act(long number, RedirectAttributes redirect, Function<UUID, String> action) {
    Incident incident = incidents.byNumber(number);
    try {
      redirect.addFlashAttribute("notice", action.apply(incident.id()));
    } catch (io.tocsin.platform.InvalidInputException e) {
      Forms.refuse(redirect, e.field(), Objects.requireNonNull(e.getMessage()));
    } catch (ConflictException | ForbiddenException | io.tocsin.platform.UnknownValueException e) {
      redirect.addFlashAttribute("problem", e.getMessage());
    }
    return "redirect:/incidents/" + number;
  }

  private List<String> runbooks(UUID serviceId) {
    try {
      return services.get(serviceId).runbookUrls();
    } catch (NotFoundException e) {
      return List.of();
    }
  }

  private List<Incident> openIncidents() {
    return queries
        .mostUrgentFirst(
            new IncidentQueries.Filter(OPEN, null, null, null, null, null),
            null,
            null,
            Page.MAX_LIMIT)
        .items();
  }

  /** The incidents as rows, in the order given (the query's: what is on fire first). */
  private List<Row> rows(List<Incident> list, SignedInUser me, List<CatalogService> catalog) {
    // Names are read once per page, not once per row: the dashboard shows up to 200 incidents.
    // A service beyond the listed page is looked up on its own.
    Map<UUID, String> serviceNames = new HashMap<>();
    catalog.forEach(service -> serviceNames.put(service.id(), service.name()));
    Map<UUID, String> assignees = new HashMap<>();
    Instant now = clock.instant();
    // Only an incident still open can page nobody that matters now; one query for the page.
    Set<UUID> pagingNobody =
        escalations.pagingNobody(list.stream().filter(Incident::isOpen).map(Incident::id).toList());
    return list.stream()
        .map(
            incident ->
                new Row(
                    incident.number(),
                    incident.title(),
                    EnumText.canonical(incident.severity()),
                    incident.status().text(),
                    serviceNames.computeIfAbsent(
                        incident.serviceId(), key -> Names.service(services, key)),
                    incident.assigneeId() == null
                        ? null
                        : assignees.computeIfAbsent(incident.assigneeId(), this::name),
                    Objects.equals(incident.assigneeId(), me.id()),
                    age(Duration.between(incident.openedAt(), now)),
                    incident.inferred(),
                    pagingNobody.contains(incident.id())))
        .toList();
  }

  private OnCall onCall(
      CatalogService service,
      java.util.Optional<EscalationPolicies.Policy> followed,
      Function<EscalationPolicies.Target, EscalationPolicies.ResolvedTarget> resolver) {
    return followed
        .map(
            policy -> {
              List<String> people = new ArrayList<>();
              List<String> problems = new ArrayList<>();
              for (EscalationPolicies.Target target :
                  Objects.requireNonNull(policy.levels().get(0).targets())) {
                EscalationPolicies.ResolvedTarget resolved = resolver.apply(target);
                resolved.people().forEach(user -> people.add(user.name()));
                if (resolved.problem() != null) {
                  problems.add(resolved.problem());
                }
              }
              return new OnCall(
                  service.name(),
                  true,
                  people.stream().distinct().toList(),
                  problems.isEmpty() ? null : String.join("; ", problems));
            })
        .orElse(
            new OnCall(
                service.name(),
                false,
                List.of(),
                "No escalation policy: its incidents page nobody."));
  }

  private Escalations.@Nullable Escalation escalation(Incident incident) {
    try {
      return escalations.get(incident.id());
    } catch (NotFoundException e) {
      return null;
    }
  }

  private Map<UUID, String> names() {
    return new NameMap(users);
  }

  /** User names by id, looked up as the template asks for them. */
  private static final class NameMap extends HashMap<UUID, String> {
    private final transient UserService users;

    NameMap(UserService users) {
      this.users = users;
    }

    @Override
    public String get(Object key) {
      if (!(key instanceof UUID)) {
        return "";
      }
      return computeIfAbsent((UUID) key, id -> Names.user(users, id));
    }
  }

  private @Nullable String name(@Nullable UUID userId) {
    return userId == null ? null : Names.user(users, userId);
  }

  private static @Nullable String duration(@Nullable Duration duration) {
    return duration == null ? null : age(duration);
  }

  static String age(Duration duration) {
    long minutes = duration.toMinutes();
    if (minutes < 1) {
      return duration.toSeconds() + " s";
    }
    if (minutes < 60) {
      return minutes + " min";
    }
    if (minutes < 48 * 60) {
      return minutes / 60 + " h " + minutes % 60 + " min";
    }
    return minutes / (24 * 60) + " d";
  }
}
