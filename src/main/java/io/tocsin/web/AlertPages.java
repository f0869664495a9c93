package io.tocsin.web;

import io.tocsin.correlate.Muting;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.incident.Incidents;
import io.tocsin.ingest.AlertLookup;
import io.tocsin.ingest.AlertLookup.ListedAlert;
import io.tocsin.ingest.AlertStatus;
import io.tocsin.ingest.IncomingAlert;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Page;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The alerts Tocsin received, newest first, filtered with Alertmanager's matcher syntax (the text
 * amtool takes), by state, and by whether a silence or an inhibiting alert mutes them. Each alert
 * leads to its incident and to a silence form filled with its labels.
 */
@Controller
class AlertPages {

  /** Annotations that carry a link worth a click, with the text shown for each. */
  private static final Map<String, String> LINK_ANNOTATIONS =
      Map.of(
          "runbook_url", "runbook",
          "runbook", "runbook",
          "dashboard", "dashboard",
          "dashboard_url", "dashboard",
          "grafana_url", "dashboard");

  private static final List<String> STATES =
      List.of("firing", "active", "silenced", "inhibited", "resolved");

  private final AlertLookup alerts;
  private final Muting muting;
  private final Incidents incidents;
  private final ServiceCatalog services;

  AlertPages(AlertLookup alerts, Muting muting, Incidents incidents, ServiceCatalog services) {
    this.alerts = alerts;
    this.muting = muting;
    this.incidents = incidents;
    this.services = services;
  }

  /** A link an alert carries, to a runbook, a dashboard or the rule that fired it. */
  record Link(String href, String text) {}

  /** An alert as a row of the list shows it. */
  record Row(
      String name,
      String summary,
      String severity,
      String status,
      @Nullable String muted,
      String service,
      List<String> labels,
      List<Link> links,
      Instant startedAt,
      @Nullable Instant endedAt,
      @Nullable Long incident,
      String silenceMatchers) {}

  @GetMapping("/alerts")
  String alerts(
      @RequestParam(required = false) @Nullable String filter,
      @RequestParam(required = false) @Nullable String state,
      @RequestParam(required = false) @Nullable String before,
      Model model) {
    String wanted = state != null && STATES.contains(state) ? state : "";
    model.addAttribute("filter", filter == null ? "" : filter);
    model.addAttribute("state", wanted);
    model.addAttribute("states", STATES);
    // The newest alerts change as alerts arrive; an older stretch stays as it was.
    model.addAttribute("live", before == null);
    model.addAttribute("rows", List.of());
    model.addAttribute("next", null);
    List<LabelMatcher> matchers;
    try {
      matchers = filter == null ? List.of() : LabelMatcher.parseAll(filter);
    } catch (InvalidInputException e) {
      model.addAttribute("problem", e.getMessage());
      model.addAttribute("problemField", "filter");
      return "web/alerts";
    }
    AlertStatus status =
        wanted.isEmpty()
            ? null
            : wanted.equals("resolved") ? AlertStatus.RESOLVED : AlertStatus.FIRING;
    AlertLookup.Stretch stretch =
        alerts.newest(matchers, status, Page.after(before), Page.DEFAULT_LIMIT);
    model.addAttribute("rows", rows(stretch.items(), wanted));
    model.addAttribute("next", stretch.continueBefore());
    return "web/alerts";
  }

  /** The rows of these alerts, leaving out those not in the muting the state asks for. */
  private List<Row> rows(List<ListedAlert> listed, String state) {
    Map<UUID, Muting.Muted> muted =
        muting.of(
            listed.stream()
                .filter(a -> a.status() == AlertStatus.FIRING)
                .map(
                    a ->
                        new AlertLookup.FiringAlert(
                            a.alertId(), a.serviceId(), a.fingerprint(), a.labels()))
                .toList());
    Map<UUID, Long> incidentOf =
        incidents.numbersOfAlerts(listed.stream().map(ListedAlert::alertId).toList());
    Map<UUID, String> names = serviceNames();
    List<Row> rows = new ArrayList<>();
    for (ListedAlert alert : listed) {
      Muting.Muted muting = muted.get(alert.alertId());
      boolean keep =
          switch (state) {
            case "active" -> muting == null;
            case "silenced" -> muting != null && !muting.silencedBy().isEmpty();
            case "inhibited" -> muting != null && muting.inhibited();
            default -> true;
          };
      if (!keep) {
        continue;
      }
      rows.add(
          new Row(
              name(alert),
              alert.summary(),
              EnumText.canonical(alert.severity()),
              EnumText.canonical(alert.status()),
              muting == null ? null : !muting.silencedBy().isEmpty() ? "silenced" : "inhibited",
              names.computeIfAbsent(alert.serviceId(), key -> Names.service(services, key)),
              alert.labels().entrySet().stream()
                  .sorted(Map.Entry.comparingByKey())
                  .map(e -> e.getKey() + "=" + e.getValue())
                  .toList(),
              links(alert),
              alert.startsAt(),
              alert.status() == AlertStatus.RESOLVED ? alert.endsAt() : null,
              incidentOf.get(alert.alertId()),
              silenceMatchers(alert.labels())));
    }
    return rows;
  }

  /**
   * What a person calls the alert: its alertname, else its summary; never its fingerprint, which
   * says nothing to a person.
   */
  private static String name(ListedAlert alert) {
    String name = alert.labels().get("alertname");
    if (name != null && !name.isBlank()) {
      return name;
    }
    return alert.summary().isBlank() ? "Alert without a name or summary" : alert.summary();
  }

  /** Every label as an equality matcher, one per line, for the person to narrow down. */
  static String silenceMatchers(Map<String, String> labels) {
    return labels.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(
            e -> LabelMatcher.of("matchers", e.getKey(), LabelMatcher.Operator.EQUAL, e.getValue()))
        .map(LabelMatcher::toString)
        .collect(Collectors.joining("\n"));
  }

  private static List<Link> links(ListedAlert alert) {
    List<Link> links = new ArrayList<>();
    alert.annotations().entrySet().stream()
        .filter(e -> LINK_ANNOTATIONS.containsKey(e.getKey()))
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                addWeb(
                    links, e.getValue(), Objects.requireNonNull(LINK_ANNOTATIONS.get(e.getKey()))));
    for (IncomingAlert.Link link : alert.links()) {
      addWeb(links, link.href().toString(), link.text() == null ? "link" : link.text());
    }
    if (alert.generatorUrl() != null) {
      addWeb(links, alert.generatorUrl(), "source");
    }
    return links;
  }

  // Senders choose these URLs: only web addresses become links, never javascript: or data:.
  private static void addWeb(List<Link> links, String href, String text) {
    try {
      String scheme = URI.create(href.trim()).getScheme();
      if ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) {
        links.add(new Link(href.trim(), text));
      }
    } catch (IllegalArgumentException e) {
      // Not a URL: the annotation stays among the alert's details, just not as a link.
    }
  }

  private Map<UUID, String> serviceNames() {
    Map<UUID, String> names = new HashMap<>();
    for (CatalogService service : services.list(null, null, Page.MAX_LIMIT).items()) {
      names.put(service.id(), service.name());
    }
    return names;
  }
}
