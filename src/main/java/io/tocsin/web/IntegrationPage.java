package io.tocsin.web;

import io.tocsin.directory.integration.Integration;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.AlertLookup;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.RouteRule;
import io.tocsin.ingest.Routing;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.UnknownValueException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /admin/integrations/{id}}: one integration's routing rules, how many alerts no rule placed
 * in the last hour, the rules' editor, and a form that asks what the rules would do with an alert,
 * filled from the integration's newest alert. Admins only, like the rest of administration: the
 * rules decide where every alert of the key goes.
 */
@Controller
class IntegrationPage {

  private static final TypeReference<List<RouteRule>> RULES = new TypeReference<>() {};

  /** The window of "routed by default in the last hour", as the API's {@code routing} answers. */
  private static final Duration LAST_HOUR = Duration.ofHours(1);

  private static final String PAGERDUTY = "pagerduty";

  private final IntegrationService integrations;
  private final ServiceCatalog services;
  private final Routing routing;
  private final AlertLookup alerts;
  private final JsonMapper json;
  private final Clock clock;

  IntegrationPage(
      IntegrationService integrations,
      ServiceCatalog services,
      Routing routing,
      AlertLookup alerts,
      JsonMapper json,
      Clock clock) {
    this.integrations = integrations;
    this.services = services;
    this.routing = routing;
    this.alerts = alerts;
    this.json = json;
    this.clock = clock;
  }

  /**
   * A rule as the page lists it.
   *
   * @param label its number and name, as metrics and decisions name it ("#2 payments")
   * @param matchers its matchers in Alertmanager's syntax, or "every alert"
   * @param does its actions in words ("→ service payments; set team=core; continue")
   */
  record RuleRow(String label, String matchers, String does) {}

  /** The test form's fields, and where they were filled from. */
  record TestInput(String labels, String severity, AlertLookup.@Nullable NewestAlert from) {}

  @GetMapping("/admin/integrations/{id}")
  String page(@PathVariable UUID id, Model model) {
    Integration integration = integrations.get(id);
    AlertLookup.NewestAlert newest = alerts.newestOf(id).orElse(null);
    TestInput input =
        newest == null
            ? new TestInput("", "", null)
            : new TestInput(
                labelsText(newest.labels()),
                // A PagerDuty event's severity is its own field, in the words Tocsin stores; other
                // formats carry theirs in the severity label, already among the labels.
                PAGERDUTY.equals(newest.source()) ? EnumText.canonical(newest.severity()) : "",
                newest);
    return show(integration, input, null, model);
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/admin/integrations/{id}/routing")
  String saveRules(@PathVariable UUID id, @RequestParam String rules, RedirectAttributes redirect) {
    return Forms.run(
        redirect,
        "/admin/integrations/" + id + "#routing-rules-heading",
        null,
        () -> {
          List<RouteRule> saved;
          try {
            saved = routing.replace(id, parse(rules));
          } catch (InvalidInputException e) {
            throw refused(redirect, rules, e.field(), e.getMessage());
          } catch (UnknownValueException e) {
            throw refused(redirect, rules, e.field(), e.getMessage());
          }
          redirect.addFlashAttribute(
              "notice",
              saved.isEmpty()
                  ? "Removed every routing rule: alerts go to the integration's own service."
                  : "Saved "
                      + saved.size()
                      + (saved.size() == 1 ? " routing rule." : " routing rules."));
        });
  }

  /**
   * What the rules would do with the alert typed in: the page again with the decision, so the form
   * works without JavaScript; it changes nothing, so it answers the POST directly.
   */
  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/admin/integrations/{id}/routing/test")
  String test(
      @PathVariable UUID id,
      @RequestParam(required = false, defaultValue = "") String labels,
      @RequestParam(required = false, defaultValue = "") String severity,
      Model model) {
    Integration integration = integrations.get(id);
    TestInput input = new TestInput(labels, severity.trim(), null);
    Routing.Decision decision = null;
    try {
      decision =
          routing.test(id, parseLabels(labels), severity.isBlank() ? null : severity.trim(), null);
    } catch (InvalidInputException e) {
      model.addAttribute("problem", e.getMessage());
      model.addAttribute("problemField", e.field());
    }
    return show(integration, input, decision, model);
  }

  private String show(
      Integration integration, TestInput input, Routing.@Nullable Decision decision, Model model) {
    List<RouteRule> rules = routing.rules(integration.id());
    model.addAttribute("integration", integration);
    model.addAttribute("kind", EnumText.canonical(integration.kind()));
    model.addAttribute("serviceName", Names.service(services, integration.serviceId()));
    model.addAttribute(
        "rules", IntStream.range(0, rules.size()).mapToObj(i -> row(rules.get(i), i)).toList());
    model.addAttribute(
        "routedByDefault",
        routing.routedByDefaultSince(integration.id(), clock.instant().minus(LAST_HOUR)));
    if (!model.containsAttribute("rulesText")) {
      model.addAttribute(
          "rulesText",
          rules.isEmpty() ? "" : json.writerWithDefaultPrettyPrinter().writeValueAsString(rules));
    }
    model.addAttribute("test", input);
    model.addAttribute("decision", decision);
    model.addAttribute("section", "integrations");
    return "web/admin-integration";
  }

  /**
   * The refusal shown at the textarea, the form's one field: it names the rule's field ({@code
   * routing[1].match[0].value}), and the admin's text comes back to be corrected.
   */
  private static InvalidInputException refused(
      RedirectAttributes redirect, String text, String field, String message) {
    redirect.addFlashAttribute("rulesText", text);
    return new InvalidInputException(
        "rules", field.equals("rules") ? message : field + ": " + message);
  }

  /** The textarea's JSON: the list the API takes as {@code rules}. */
  private List<RouteRule> parse(String text) {
    if (text.isBlank()) {
      return List.of();
    }
    List<RouteRule> rules;
    try {
      rules = json.readValue(text, RULES);
    } catch (JacksonException e) {
      throw new InvalidInputException(
          "rules", "is not a JSON list of rules like the API's rules: " + e.getOriginalMessage());
    }
    return rules == null ? List.of() : rules;
  }

  /** Labels one {@code name=value} a line, as {@code amtool config routes test} takes them. */
  static Map<String, String> parseLabels(String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    String[] lines = text.split("\\R");
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n].strip();
      if (line.isEmpty()) {
        continue;
      }
      int equals = line.indexOf('=');
      if (equals <= 0) {
        throw new InvalidInputException(
            "labels", "line " + (n + 1) + " '" + line + "' is not name=value");
      }
      String value = line.substring(equals + 1).strip();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      labels.put(line.substring(0, equals).strip(), value);
    }
    if (labels.isEmpty()) {
      throw new InvalidInputException("labels", "give at least one label, one name=value a line");
    }
    return labels;
  }

  private static String labelsText(Map<String, String> labels) {
    return new TreeMap<>(labels)
        .entrySet().stream()
            .map(label -> label.getKey() + "=" + label.getValue())
            .collect(Collectors.joining("\n"));
  }

  private static RuleRow row(RouteRule rule, int index) {
    String name = rule.name() == null || rule.name().isBlank() ? "" : " " + rule.name().trim();
    return new RuleRow("#" + (index + 1) + name, matchers(rule), does(rule));
  }

  private static String matchers(RouteRule rule) {
    if (rule.match() == null || rule.match().isEmpty()) {
      return "every alert";
    }
    return rule.match().stream()
        .map(
            m ->
                new LabelMatcher(
                        String.valueOf(m.name()),
                        LabelMatcher.Operator.parse("operator", m.operator()),
                        String.valueOf(m.value()),
                        null)
                    .toString())
        .collect(Collectors.joining(", "));
  }

  /** A rule's actions in the order routing takes them. */
  private static String does(RouteRule rule) {
    if (Boolean.TRUE.equals(rule.drop())) {
      return "drop";
    }
    List<String> actions = new ArrayList<>();
    if (rule.renameLabels() != null) {
      rule.renameLabels().forEach((from, to) -> actions.add("rename " + from + " to " + to));
    }
    if (rule.removeLabels() != null && !rule.removeLabels().isEmpty()) {
      actions.add("remove " + String.join(", ", rule.removeLabels()));
    }
    if (rule.setLabels() != null) {
      rule.setLabels().forEach((label, value) -> actions.add("set " + label + "=" + value));
    }
    if (rule.severityMap() != null && !rule.severityMap().isEmpty()) {
      actions.add(
          "severity "
              + rule.severityMap().entrySet().stream()
                  .map(word -> word.getKey() + " → " + word.getValue())
                  .collect(Collectors.joining(", ")));
    }
    if (rule.severity() != null) {
      actions.add("severity " + rule.severity());
    }
    if (rule.serviceFromLabel() != null) {
      actions.add(
          "service from label "
              + rule.serviceFromLabel()
              + (rule.service() == null ? "" : ", else → service " + rule.service()));
    } else if (rule.service() != null) {
      actions.add("→ service " + rule.service());
    }
    if (Boolean.TRUE.equals(rule.continueMatching())) {
      actions.add("continue");
    }
    return String.join("; ", actions);
  }
}
