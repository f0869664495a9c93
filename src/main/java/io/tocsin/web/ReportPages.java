package io.tocsin.web;

import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.directory.team.TeamService;
import io.tocsin.incident.IncidentQueries;
import io.tocsin.incident.IncidentWeek;
import io.tocsin.ingest.AlertVolume;
import io.tocsin.oncall.PagingLoad;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Page;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /reports}: how the response went over a range of weeks — MTTA and MTTR, incidents per
 * week, the noisiest alerts and who carried the paging load — each as a chart, a table with the
 * same numbers (which works without JavaScript and for screen readers) and a CSV download. Every
 * number is summed in the database by the module that owns it.
 */
@Controller
class ReportPages implements DisposableBean {

  static final int DEFAULT_WEEKS = 12;

  /** Longer ranges are refused: the weekly charts stop being readable long before this. */
  static final int MAX_DAYS = 2 * 366;

  static final int NOISIEST = 20;

  private static final java.time.Duration WEEK = java.time.Duration.ofDays(7);

  private static final Set<String> REPORTS =
      Set.of("response-times", "incidents-per-week", "noisiest-alerts", "on-call-load");

  private final IncidentQueries queries;
  private final AlertVolume alerts;
  private final PagingLoad paging;
  private final ServiceCatalog services;
  private final TeamService teams;
  private final JsonMapper json;
  private final Clock clock;

  /**
   * Two threads for the aggregations a report runs beside its request's own: a few people reading
   * reports at once queue here rather than take more of the database's connections.
   */
  private final ExecutorService aggregations =
      Executors.newFixedThreadPool(
          2,
          task -> {
            Thread thread = new Thread(task, "report-aggregation");
            thread.setDaemon(true);
            return thread;
          });

  ReportPages(
      IncidentQueries queries,
      AlertVolume alerts,
      PagingLoad paging,
      ServiceCatalog services,
      TeamService teams,
      JsonMapper json,
      Clock clock) {
    this.queries = queries;
    this.alerts = alerts;
    this.paging = paging;
    this.services = services;
    this.teams = teams;
    this.json = json;
    this.clock = clock;
  }

  /** What went wrong in an aggregation, as if it had run on the request's own thread. */
  private static <T> T joined(CompletableFuture<T> aggregation) {
    try {
      return aggregation.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Override
  public void destroy() {
    aggregations.shutdown();
  }

  /** The filters of a report, as the URL carries them. */
  record Filters(
      LocalDate from, LocalDate to, @Nullable UUID service, @Nullable UUID team, String query) {

    Instant since() {
      return from.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    Instant until() {
      return to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
  }

  /** A week's response times, as the table shows them. */
  record TimesRow(
      String week,
      int opened,
      @Nullable String mttaP50,
      @Nullable String mttaP90,
      @Nullable String mttrP50,
      @Nullable String mttrP90) {}

  /** A week's incidents by severity, as the table shows them. */
  record CountsRow(String week, int opened, int critical, int error, int warning, int info) {}

  record NoisyRow(String alertname, String service, long alerts) {}

  /**
   * What charts.js draws: x values (epoch seconds {@code step} apart, or positions 1 apart for
   * named bars) and series.
   */
  /**
   * What charts.js draws. {@code zone} is the IANA zone its time axis is labelled in, the same as
   * the table beside the chart.
   */
  record Chart(
      String kind,
      long step,
      List<Number> x,
      @Nullable List<String> names,
      List<Series> series,
      String unit,
      String zone) {

    Chart(
        String kind,
        long step,
        List<Number> x,
        @Nullable List<String> names,
        List<Series> series,
        String unit) {
      this(kind, step, x, names, series, unit, "UTC");
    }

    /** A chart whose time axis is labelled in {@code zone}. */
    Chart in(java.time.ZoneId zone) {
      // Users' zones are region ids, which browsers know; an offset is only UTC before sign-in.
      String id = zone instanceof ZoneOffset ? "UTC" : zone.getId();
      return new Chart(kind, step, x, names, series, unit, id);
    }
  }

  record Series(String label, String colour, List<@Nullable Number> values) {}

  @GetMapping("/reports")
  String reports(
      @RequestParam(required = false) @Nullable String from,
      @RequestParam(required = false) @Nullable String to,
      @RequestParam(required = false) @Nullable UUID service,
      @RequestParam(required = false) @Nullable UUID team,
      Model model) {
    Filters filters;
    try {
      filters = filters(from, to, service, team);
    } catch (InvalidInputException e) {
      model.addAttribute("problem", e.getMessage());
      filters = filters(null, null, service, team);
    }
    List<CatalogService> catalog = services.list(null, null, Page.MAX_LIMIT).items();
    Map<UUID, String> serviceNames =
        catalog.stream().collect(Collectors.toMap(CatalogService::id, CatalogService::name));
    List<UUID> scope = scope(filters, catalog);
    Filters asked = filters;
    // The three aggregations read different tables and take a similar time each: run side by side,
    // the page waits for the slowest instead of their sum.
    CompletableFuture<List<IncidentWeek>> weekly =
        CompletableFuture.supplyAsync(() -> weeks(asked, scope), aggregations);
    CompletableFuture<List<AlertVolume.Noisy>> noisiest =
        CompletableFuture.supplyAsync(
            () -> alerts.noisiest(asked.since(), asked.until(), scope, NOISIEST), aggregations);
    List<PagingLoad.PersonPages> load = paging.perPerson(filters.since(), filters.until(), scope);
    List<IncidentWeek> weeks = joined(weekly);
    List<NoisyRow> noisy =
        joined(noisiest).stream()
            .map(
                n ->
                    new NoisyRow(
                        n.alertname(),
                        serviceNames.getOrDefault(n.serviceId(), Names.DELETED_SERVICE),
                        n.alerts()))
            .toList();
    model.addAttribute("filters", filters);
    model.addAttribute("services", catalog);
    model.addAttribute("teams", teams.list(null, null, Page.MAX_LIMIT).items());
    model.addAttribute("times", weeks.stream().map(ReportPages::times).toList());
    model.addAttribute(
        "weeks",
        weeks.stream()
            .map(
                w ->
                    new CountsRow(
                        day(w.start()), w.opened(), w.critical(), w.error(), w.warning(), w.info()))
            .toList());
    model.addAttribute("incidentCount", weeks.stream().mapToInt(IncidentWeek::opened).sum());
    model.addAttribute("noisy", noisy);
    model.addAttribute("load", load);
    model.addAttribute("timesChart", chart(timesChart(weeks)));
    model.addAttribute("weeksChart", chart(weeksChart(weeks)));
    model.addAttribute("noisyChart", chart(noisyChart(noisy)));
    model.addAttribute("loadChart", chart(loadChart(load)));
    return "web/reports";
  }

  @GetMapping("/reports/{name}.csv")
  ResponseEntity<String> csv(
      @PathVariable String name,
      @RequestParam(required = false) @Nullable String from,
      @RequestParam(required = false) @Nullable String to,
      @RequestParam(required = false) @Nullable UUID service,
      @RequestParam(required = false) @Nullable UUID team) {
    if (!REPORTS.contains(name)) {
      return ResponseEntity.notFound().build();
    }
    Filters filters = filters(from, to, service, team);
    List<CatalogService> catalog = services.list(null, null, Page.MAX_LIMIT).items();
    List<UUID> scope = scope(filters, catalog);
    StringBuilder csv = new StringBuilder();
    switch (name) {
      case "response-times" -> {
        csv.append(
            "week,incidents,mtta_p50_seconds,mtta_p90_seconds,mttr_p50_seconds,mttr_p90_seconds\n");
        for (IncidentWeek week : weeks(filters, scope)) {
          row(
              csv,
              day(week.start()),
              week.opened(),
              week.mttaP50Seconds(),
              week.mttaP90Seconds(),
              week.mttrP50Seconds(),
              week.mttrP90Seconds());
        }
      }
      case "incidents-per-week" -> {
        csv.append("week,incidents,critical,error,warning,info\n");
        for (IncidentWeek week : weeks(filters, scope)) {
          row(
              csv,
              day(week.start()),
              week.opened(),
              week.critical(),
              week.error(),
              week.warning(),
              week.info());
        }
      }
      case "noisiest-alerts" -> {
        Map<UUID, String> names =
            catalog.stream().collect(Collectors.toMap(CatalogService::id, CatalogService::name));
        csv.append("alertname,service,alerts\n");
        for (AlertVolume.Noisy noisy :
            alerts.noisiest(filters.since(), filters.until(), scope, NOISIEST)) {
          row(
              csv,
              noisy.alertname(),
              names.getOrDefault(noisy.serviceId(), Names.DELETED_SERVICE),
              noisy.alerts());
        }
      }
      default -> {
        csv.append("person,time_zone,pages,working_hours,outside_working_hours\n");
        for (PagingLoad.PersonPages person :
            paging.perPerson(filters.since(), filters.until(), scope)) {
          row(
              csv,
              person.name(),
              person.timeZone(),
              person.total(),
              person.workingHours(),
              person.outsideWorkingHours());
        }
      }
    }
    return ResponseEntity.ok()
        .contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8))
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            "attachment; filename=\"tocsin-"
                + name
                + "-"
                + filters.from()
                + "-to-"
                + filters.to()
                + ".csv\"")
        .body(csv.toString());
  }

  /**
   * The range from the URL; by default the last {@link #DEFAULT_WEEKS} weeks, this one included,
   * from a Monday so that the first week is whole.
   */
  Filters filters(
      @Nullable String from, @Nullable String to, @Nullable UUID service, @Nullable UUID team) {
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    LocalDate end = date("to", to, today);
    LocalDate start =
        date(
            "from",
            from,
            end.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                .minusWeeks(DEFAULT_WEEKS - 1));
    if (start.isAfter(end)) {
      throw new InvalidInputException("from", "must not be after to");
    }
    if (start.plusDays(MAX_DAYS).isBefore(end)) {
      throw new InvalidInputException("from", "must be at most " + MAX_DAYS + " days before to");
    }
    UriComponentsBuilder query =
        UriComponentsBuilder.newInstance().queryParam("from", start).queryParam("to", end);
    if (service != null) {
      query.queryParam("service", service);
    }
    if (team != null) {
      query.queryParam("team", team);
    }
    return new Filters(start, end, service, team, query.build().toUriString());
  }

  /**
   * Every week of the range, those without incidents as zeros: a chart that skipped them would draw
   * a quiet month as a line between two busy weeks.
   */
  private List<IncidentWeek> weeks(Filters filters, @Nullable List<UUID> scope) {
    Map<Instant, IncidentWeek> found = new java.util.HashMap<>();
    queries
        .weekly(filters.since(), filters.until(), scope)
        .forEach(week -> found.put(week.start(), week));
    List<IncidentWeek> weeks = new ArrayList<>();
    for (LocalDate monday = filters.from().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        !monday.isAfter(filters.to());
        monday = monday.plusWeeks(1)) {
      Instant start = monday.atStartOfDay(ZoneOffset.UTC).toInstant();
      weeks.add(
          found.getOrDefault(
              start, new IncidentWeek(start, 0, 0, 0, 0, 0, null, null, null, null)));
    }
    return weeks;
  }

  private static LocalDate date(String field, @Nullable String text, LocalDate otherwise) {
    if (text == null || text.isBlank()) {
      return otherwise;
    }
    try {
      return LocalDate.parse(text.strip());
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(field, "'" + text + "' is not a date like 2026-11-30");
    }
  }

  /** The services a report covers: null for all; a team narrows to the services it owns. */
  private static @Nullable List<UUID> scope(Filters filters, List<CatalogService> catalog) {
    if (filters.service() == null && filters.team() == null) {
      return null;
    }
    return catalog.stream()
        .filter(s -> filters.service() == null || s.id().equals(filters.service()))
        .filter(s -> filters.team() == null || Objects.equals(s.ownerTeamId(), filters.team()))
        .map(CatalogService::id)
        .toList();
  }

  private static TimesRow times(IncidentWeek week) {
    return new TimesRow(
        day(week.start()),
        week.opened(),
        readable(week.mttaP50Seconds()),
        readable(week.mttaP90Seconds()),
        readable(week.mttrP50Seconds()),
        readable(week.mttrP90Seconds()));
  }

  private static @Nullable String readable(@Nullable Long seconds) {
    return seconds == null ? null : ConsolePages.age(java.time.Duration.ofSeconds(seconds));
  }

  private static @Nullable Double minutesValue(@Nullable Long seconds) {
    return seconds == null ? null : Math.round(seconds / 6.0) / 10.0;
  }

  static String day(Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
  }

  private static Chart timesChart(List<IncidentWeek> weeks) {
    return new Chart(
        "time",
        WEEK.toSeconds(),
        weeks.stream().<Number>map(w -> w.start().getEpochSecond()).toList(),
        null,
        List.of(
            series("MTTA p50", "--info", weeks, w -> minutesValue(w.mttaP50Seconds())),
            series("MTTA p90", "--link", weeks, w -> minutesValue(w.mttaP90Seconds())),
            series("MTTR p50", "--warning", weeks, w -> minutesValue(w.mttrP50Seconds())),
            series("MTTR p90", "--critical", weeks, w -> minutesValue(w.mttrP90Seconds()))),
        "min");
  }

  private static Chart weeksChart(List<IncidentWeek> weeks) {
    return new Chart(
        "time-bars",
        WEEK.toSeconds(),
        weeks.stream().<Number>map(w -> w.start().getEpochSecond()).toList(),
        null,
        List.of(
            series("critical", "--critical", weeks, IncidentWeek::critical),
            series("error", "--error", weeks, IncidentWeek::error),
            series("warning", "--warning", weeks, IncidentWeek::warning),
            series("info", "--info", weeks, IncidentWeek::info)),
        "");
  }

  private static Chart noisyChart(List<NoisyRow> noisy) {
    return named(
        noisy.stream().map(n -> n.alertname() + " · " + n.service()).toList(),
        List.of(series("alerts", "--warning", noisy, NoisyRow::alerts)));
  }

  private static Chart loadChart(List<PagingLoad.PersonPages> load) {
    return named(
        load.stream().map(PagingLoad.PersonPages::name).toList(),
        List.of(
            series("working hours", "--info", load, PagingLoad.PersonPages::workingHours),
            series(
                "outside working hours",
                "--critical",
                load,
                PagingLoad.PersonPages::outsideWorkingHours)));
  }

  private static Chart named(List<String> names, List<Series> series) {
    List<Number> positions = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      positions.add(i);
    }
    return new Chart("named-bars", 1, positions, names, series, "");
  }

  private static <T> Series series(
      String label, String colour, List<T> rows, Function<T, @Nullable Number> value) {
    List<@Nullable Number> values = new ArrayList<>();
    rows.forEach(row -> values.add(value.apply(row)));
    return new Series(label, colour, values);
  }

  private String chart(Chart chart) {
    return json.writeValueAsString(chart);
  }

  private static void row(StringBuilder csv, @Nullable Object... values) {
    List<String> cells = new ArrayList<>();
    for (Object value : values) {
      cells.add(cell(value));
    }
    csv.append(String.join(",", cells)).append('\n');
  }

  /**
   * RFC 4180 quoting, and a leading apostrophe for text a spreadsheet would run as a formula
   * (alertnames and names come from senders and users).
   */
  static String cell(@Nullable Object value) {
    if (value == null) {
      return "";
    }
    String text = value.toString();
    if (value instanceof String && !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
      text = "'" + text;
    }
    if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
      text = "\"" + text.replace("\"", "\"\"") + "\"";
    }
    return text;
  }
}
