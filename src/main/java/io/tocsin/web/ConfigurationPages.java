package io.tocsin.web;

import io.tocsin.config.ConfigExport;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.replay.ConfigurationReplays;
import io.tocsin.replay.ReplayJobs;
import io.tocsin.replay.ReplayReport;
import io.tocsin.replay.ReplayReport.PersonPages;
import io.tocsin.replay.ReplayReport.ReplayOutcome;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * {@code /admin/configuration}: the whole setup as the YAML document that configuration-as-code
 * keeps, to edit and replay before anyone imports it: "Replay last 7 days with this change" shows
 * what the edited document would have opened and paged, side by side with the setup as it is, with
 * pages over time for each and the incidents that differ linked to the real ones.
 */
@Controller
class ConfigurationPages {

  /** The window the page replays. */
  static final Duration WINDOW = Duration.ofDays(7);

  private final ConfigExport export;
  private final ConfigurationReplays replays;
  private final JsonMapper json;

  ConfigurationPages(ConfigExport export, ConfigurationReplays replays, JsonMapper json) {
    this.export = export;
    this.replays = replays;
    this.json = json;
  }

  /** A figure of the report, as it was, as it would be now, and with the change. */
  record Figure(String name, String actual, String now, String changed) {}

  /** One person's messages through one channel, as configured now and with the change. */
  record PersonRow(
      String person,
      String channel,
      int pagesNow,
      int pagesChanged,
      int summariesNow,
      int summariesChanged,
      int atNightNow,
      int atNightChanged) {}

  @GetMapping("/admin/configuration")
  String page(Model model) {
    if (!model.containsAttribute("document")) {
      model.addAttribute("document", export.yaml());
    }
    model.addAttribute("section", "configuration");
    return "web/admin-configuration";
  }

  @PostMapping("/admin/configuration/replay")
  String replay(@RequestParam String document, RedirectAttributes redirect) {
    try {
      ReplayJobs.View job = replays.importing(document, WINDOW, Duration.ZERO).replay();
      return "redirect:/admin/configuration/replays/" + job.id();
    } catch (InvalidInputException e) {
      // The edited document comes back with the reason, rather than being lost to a refusal.
      redirect.addFlashAttribute("document", document);
      redirect.addFlashAttribute("problem", e.getMessage());
      redirect.addFlashAttribute("problemField", "document");
      return "redirect:/admin/configuration";
    }
  }

  @GetMapping("/admin/configuration/replays/{id}")
  String report(@PathVariable UUID id, @ModelAttribute("zone") ZoneId zone, Model model) {
    ReplayJobs.View job = replays.job(id);
    model.addAttribute("job", job);
    model.addAttribute("section", "configuration");
    ReplayReport report = job.report();
    if (report != null && report.candidate() != null) {
      ReplayOutcome now = report.current();
      ReplayOutcome changed = report.candidate();
      model.addAttribute("report", report);
      model.addAttribute("figures", figures(report, now, changed));
      model.addAttribute("people", people(now, changed));
      model.addAttribute("pagesChart", chart(report.from(), now, changed, zone));
      model.addAttribute("buckets", buckets(report.from(), now, changed));
    }
    return "web/admin-configuration-replay";
  }

  /** The progress of a replay still running; once it ends, the page is loaded again whole. */
  @GetMapping("/admin/configuration/replays/{id}/progress")
  String progress(
      @PathVariable UUID id, Model model, jakarta.servlet.http.HttpServletResponse response) {
    ReplayJobs.View job = replays.job(id);
    if (job.finished()) {
      response.setHeader("HX-Refresh", "true");
    }
    model.addAttribute("job", job);
    return "web/admin-configuration-replay :: progress";
  }

  private static List<Figure> figures(
      ReplayReport report, ReplayOutcome now, ReplayOutcome changed) {
    List<Figure> figures = new ArrayList<>();
    figures.add(
        new Figure(
            "Incidents opened",
            String.valueOf(report.actual().opened() + report.actual().merged()),
            String.valueOf(now.opened()),
            String.valueOf(changed.opened())));
    figures.add(
        new Figure(
            "… merged into their cause's",
            String.valueOf(report.actual().merged()),
            String.valueOf(now.merged()),
            String.valueOf(changed.merged())));
    figures.add(
        new Figure(
            "Still open at the end",
            "",
            String.valueOf(now.stillOpen()),
            String.valueOf(changed.stillOpen())));
    figures.add(
        new Figure(
            "Pages",
            "",
            String.valueOf(now.paging().pages()),
            String.valueOf(changed.paging().pages())));
    figures.add(
        new Figure(
            "Summaries of held-back pages",
            "",
            String.valueOf(now.paging().summaries()),
            String.valueOf(changed.paging().summaries())));
    figures.add(
        new Figure(
            "Messages to subscribers",
            "",
            String.valueOf(now.paging().subscriptions()),
            String.valueOf(changed.paging().subscriptions())));
    figures.add(
        new Figure(
            "Pages and summaries at night (22:00–07:00, the person's time)",
            "",
            String.valueOf(now.paging().atNight()),
            String.valueOf(changed.paging().atNight())));
    figures.add(
        new Figure(
            "Longest an incident went unreached",
            "",
            ConsolePages.age(Duration.ofSeconds(now.paging().longestUnreachedSeconds())),
            ConsolePages.age(Duration.ofSeconds(changed.paging().longestUnreachedSeconds()))));
    for (String result : now.correlated().keySet()) {
      figures.add(
          new Figure(
              "Alerts " + result,
              "",
              String.valueOf(now.correlated().get(result)),
              String.valueOf(changed.correlated().getOrDefault(result, 0))));
    }
    return figures;
  }

  private static List<PersonRow> people(ReplayOutcome now, ReplayOutcome changed) {
    Map<String, PersonPages[]> byKey = new LinkedHashMap<>();
    now.paging()
        .byPerson()
        .forEach(p -> byKey.computeIfAbsent(key(p), k -> new PersonPages[2])[0] = p);
    changed
        .paging()
        .byPerson()
        .forEach(p -> byKey.computeIfAbsent(key(p), k -> new PersonPages[2])[1] = p);
    List<PersonRow> rows = new ArrayList<>();
    for (PersonPages[] pair : byKey.values()) {
      PersonPages known = pair[0] == null ? pair[1] : pair[0];
      rows.add(
          new PersonRow(
              known.person(),
              known.channel(),
              pair[0] == null ? 0 : pair[0].pages(),
              pair[1] == null ? 0 : pair[1].pages(),
              pair[0] == null ? 0 : pair[0].summaries(),
              pair[1] == null ? 0 : pair[1].summaries(),
              pair[0] == null ? 0 : pair[0].atNight(),
              pair[1] == null ? 0 : pair[1].atNight()));
    }
    return rows;
  }

  private static String key(PersonPages pages) {
    return pages.email() + " " + pages.channel();
  }

  private String chart(Instant from, ReplayOutcome now, ReplayOutcome changed, ZoneId zone) {
    long step = now.paging().bucketSeconds();
    List<Number> x = new ArrayList<>();
    for (int i = 0; i < now.paging().overTime().size(); i++) {
      x.add(from.getEpochSecond() + i * step);
    }
    return json.writeValueAsString(
        new ReportPages.Chart(
                "time",
                step,
                x,
                null,
                List.of(
                    new ReportPages.Series(
                        "as configured now", "--info", List.copyOf(now.paging().overTime())),
                    new ReportPages.Series(
                        "with this change",
                        "--critical",
                        List.copyOf(changed.paging().overTime()))),
                "")
            .in(zone));
  }

  /** The buckets in which either outcome sent anything, for the table beside the chart. */
  private static List<Map.Entry<Instant, List<Integer>>> buckets(
      Instant from, ReplayOutcome now, ReplayOutcome changed) {
    List<Map.Entry<Instant, List<Integer>>> rows = new ArrayList<>();
    long step = now.paging().bucketSeconds();
    List<Integer> before = now.paging().overTime();
    List<Integer> after = changed.paging().overTime();
    for (int i = 0; i < before.size(); i++) {
      int a = before.get(i);
      int b = i < after.size() ? after.get(i) : 0;
      if (a > 0 || b > 0) {
        rows.add(Map.entry(from.plusSeconds(i * step), List.of(a, b)));
      }
    }
    return rows;
  }
}
