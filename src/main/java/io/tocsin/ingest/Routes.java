package io.tocsin.ingest;

import io.tocsin.directory.integration.Grouping;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An integration's routing rules, checked and compiled once per change: matchers with their regular
 * expressions compiled, services resolved to ids. {@link #route} is what ingestion asks of each
 * alert; it reads nothing from the database.
 */
final class Routes {

  /** The most rules one integration may have. */
  static final int MAX_RULES = 500;

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern DETAIL_PATH = Pattern.compile("custom_details(\\.[^.\\s]+)+");
  private static final String DETAILS = "custom_details";

  static final Routes NONE = new Routes(List.of());

  /** A compiled rule; {@code label} names it in metrics and answers, e.g. "#3 payments". */
  record Rule(
      String label,
      List<LabelMatcher> match,
      List<FastMatch> fast,
      @Nullable UUID service,
      @Nullable String serviceFromLabel,
      @Nullable Severity severity,
      Map<String, Severity> severityMap,
      Map<String, String> setLabels,
      Map<String, String> renameLabels,
      List<String> removeLabels,
      @Nullable Grouping grouping,
      boolean drop,
      boolean continueMatching) {

    boolean edits() {
      return !renameLabels.isEmpty() || !removeLabels.isEmpty() || !setLabels.isEmpty();
    }

    boolean matches(Map<String, String> view) {
      for (FastMatch matcher : fast) {
        if (!matcher.matches(view)) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Where routing sent an alert. {@code service} is null when no rule chose one (the integration's
   * own service takes it, "routed by default"); {@code dropped} names the rule that dropped it.
   */
  record Routed(
      Map<String, String> labels,
      @Nullable UUID service,
      @Nullable Severity severity,
      @Nullable Grouping grouping,
      @Nullable String serviceRule,
      @Nullable String dropped,
      List<String> matched) {}

  private final List<Rule> rules;

  private Routes(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  boolean isEmpty() {
    return rules.isEmpty();
  }

  List<Rule> rules() {
    return rules;
  }

  /**
   * The rules checked, every problem refused naming its field ({@code routing[3].match[0].value});
   * {@code services} resolves a name or id to a service's id, or null when there is none.
   */
  static Routes compile(List<RouteRule> input, Function<String, @Nullable UUID> services) {
    if (input.size() > MAX_RULES) {
      throw new InvalidInputException(
          "routing", "has " + input.size() + " rules; the limit is " + MAX_RULES);
    }
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < input.size(); i++) {
      RouteRule rule = input.get(i);
      String field = "routing[" + i + "]";
      if (rule == null) {
        throw new InvalidInputException(field, "must be a rule, not null");
      }
      rules.add(rule(i, field, rule, services, i == input.size() - 1));
    }
    return new Routes(rules);
  }

  private static Rule rule(
      int index,
      String field,
      RouteRule rule,
      Function<String, @Nullable UUID> services,
      boolean last) {
    String name = rule.name() == null ? "" : rule.name().trim();
    if (name.length() > 100) {
      throw new InvalidInputException(field + ".name", "must have at most 100 characters");
    }
    List<LabelMatcher> match = new ArrayList<>();
    List<RouteRule.Match> given = rule.match() == null ? List.of() : rule.match();
    for (int m = 0; m < given.size(); m++) {
      match.add(matcher(field + ".match[" + m + "]", given.get(m)));
    }
    UUID service = null;
    if (rule.service() != null) {
      service = services.apply(rule.service());
      if (service == null) {
        throw new InvalidInputException(
            field + ".service", "there is no service '" + rule.service() + "'");
      }
    }
    if (rule.serviceFromLabel() != null) {
      labelName(field + ".serviceFromLabel", rule.serviceFromLabel());
    }
    Severity severity =
        rule.severity() == null
            ? null
            : EnumText.parse(Severity.class, field + ".severity", rule.severity());
    Map<String, Severity> severityMap = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (rule.severityMap() != null) {
      for (Map.Entry<String, String> entry : rule.severityMap().entrySet()) {
        String key = field + ".severityMap." + entry.getKey();
        if (entry.getKey().isBlank()) {
          throw new InvalidInputException(field + ".severityMap", "has an empty word");
        }
        severityMap.put(
            entry.getKey().trim(),
            EnumText.parse(Severity.class, key, String.valueOf(entry.getValue())));
      }
    }
    Map<String, String> set = new LinkedHashMap<>();
    if (rule.setLabels() != null) {
      for (Map.Entry<String, String> label : rule.setLabels().entrySet()) {
        labelName(field + ".setLabels", label.getKey());
        if (label.getValue() == null || label.getValue().length() > 1024) {
          throw new InvalidInputException(
              field + ".setLabels." + label.getKey(), "must be a value of at most 1024 characters");
        }
        set.put(label.getKey(), label.getValue());
      }
    }
    Map<String, String> rename = new LinkedHashMap<>();
    if (rule.renameLabels() != null) {
      for (Map.Entry<String, String> label : rule.renameLabels().entrySet()) {
        labelName(field + ".renameLabels", label.getKey());
        labelName(field + ".renameLabels." + label.getKey(), label.getValue());
        rename.put(label.getKey(), label.getValue());
      }
    }
    List<String> remove = new ArrayList<>();
    if (rule.removeLabels() != null) {
      for (String label : rule.removeLabels()) {
        labelName(field + ".removeLabels", label);
        remove.add(label);
      }
    }
    Grouping grouping = null;
    if (rule.grouping() != null) {
      String by = rule.grouping().by();
      grouping =
          Grouping.of(
              field + ".grouping",
              by == null ? null : EnumText.parse(Grouping.By.class, field + ".grouping.by", by),
              rule.grouping().labels());
    }
    boolean drop = Boolean.TRUE.equals(rule.drop());
    boolean next = Boolean.TRUE.equals(rule.continueMatching());
    boolean acts =
        service != null
            || rule.serviceFromLabel() != null
            || severity != null
            || !severityMap.isEmpty()
            || !set.isEmpty()
            || !rename.isEmpty()
            || !remove.isEmpty()
            || grouping != null;
    if (drop && (acts || next)) {
      throw new InvalidInputException(
          field + ".drop",
          "a dropped alert goes nowhere: drop takes no other action and no continue");
    }
    if (!drop && !acts) {
      throw new InvalidInputException(
          field,
          "does nothing: give it service, serviceFromLabel, severity, severityMap, setLabels,"
              + " renameLabels, removeLabels, grouping or drop");
    }
    if (next && last) {
      throw new InvalidInputException(
          field + ".continue", "the last rule has no rule after it to continue to");
    }
    String label = "#" + (index + 1) + (name.isEmpty() ? "" : " " + name);
    return new Rule(
        label,
        match,
        fast(match),
        service,
        rule.serviceFromLabel(),
        severity,
        severityMap,
        set,
        rename,
        remove,
        grouping,
        drop,
        next);
  }

  /** The rule's matchers, the cheapest first: equality before regular expressions. */
  private static List<FastMatch> fast(List<LabelMatcher> match) {
    return match.stream()
        .sorted(java.util.Comparator.comparing(m -> m.operator().isRegex()))
        .map(FastMatch::of)
        .toList();
  }

  private static LabelMatcher matcher(String field, RouteRule.@Nullable Match match) {
    if (match == null || match.name() == null || match.name().isBlank()) {
      throw new InvalidInputException(field + ".name", "is required");
    }
    String name = match.name().trim();
    if (!LABEL_NAME.matcher(name).matches() && !DETAIL_PATH.matcher(name).matches()) {
      throw new InvalidInputException(
          field + ".name", "'" + name + "' is neither a label name nor custom_details.<path>");
    }
    if (match.value() == null) {
      throw new InvalidInputException(
          field + ".value", "is required (\"\" matches a missing label)");
    }
    LabelMatcher.Operator operator =
        LabelMatcher.Operator.parse(field + ".operator", match.operator());
    // Checked under a label name of the right shape; the name itself may be a details path.
    LabelMatcher checked = LabelMatcher.of(field, "name", operator, match.value());
    return new LabelMatcher(name, operator, match.value(), checked.pattern());
  }

  private static void labelName(String field, @Nullable String name) {
    if (name == null || !LABEL_NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          field, "'" + name + "' is not a label name (letters, digits and _, not first a digit)");
    }
  }

  /**
   * Routes one alert. {@code servicesByName} finds a service by its name or an alias in lower case,
   * {@code exists} says whether a service is still there; {@code word} is the sender's severity
   * word, if any.
   */
  Routed route(
      Map<String, String> labels,
      @Nullable Object details,
      @Nullable String word,
      Map<String, UUID> servicesByName,
      Predicate<UUID> exists) {
    // Copied only for a rule that edits labels: most alerts pass every rule unchanged.
    Map<String, String> current = labels;
    Map<String, String> view = view(current, details);
    UUID service = null;
    String serviceRule = null;
    Severity severity = null;
    Grouping grouping = null;
    List<String> matched = new ArrayList<>();
    for (Rule rule : rules) {
      if (!rule.matches(view)) {
        continue;
      }
      matched.add(rule.label());
      if (rule.drop()) {
        return new Routed(current, null, null, null, null, rule.label(), matched);
      }
      String sent = word != null ? word : current.get("severity");
      if (rule.edits()) {
        Map<String, String> edited = new TreeMap<>(current);
        rule.renameLabels()
            .forEach(
                (from, to) -> {
                  String value = edited.remove(from);
                  if (value != null) {
                    edited.put(to, value);
                  }
                });
        rule.removeLabels().forEach(edited::remove);
        edited.putAll(rule.setLabels());
        current = edited;
      }
      if (sent != null && rule.severityMap().containsKey(sent.trim())) {
        severity = rule.severityMap().get(sent.trim());
      }
      if (rule.severity() != null) {
        severity = rule.severity();
      }
      if (rule.grouping() != null) {
        grouping = rule.grouping();
      }
      if (service == null) {
        UUID chosen = null;
        if (rule.serviceFromLabel() != null) {
          String value = current.get(rule.serviceFromLabel());
          chosen = value == null ? null : servicesByName.get(value.trim().toLowerCase(Locale.ROOT));
        }
        if (chosen == null) {
          chosen = rule.service();
        }
        if (chosen != null && exists.test(chosen)) {
          service = chosen;
          serviceRule = rule.label();
        }
      }
      if (!rule.continueMatching()) {
        break;
      }
      view = view(current, details);
    }
    return new Routed(current, service, severity, grouping, serviceRule, null, matched);
  }

  /**
   * The labels, and the sender's custom details flattened as {@code custom_details.a.b}: PagerDuty
   * events keep them under {@code custom_details} beside their images, the generic format's {@code
   * details} are them.
   */
  private static Map<String, String> view(Map<String, String> labels, @Nullable Object details) {
    if (!(details instanceof Map<?, ?> map) || map.isEmpty()) {
      return labels;
    }
    Object custom = map.containsKey(DETAILS) ? map.get(DETAILS) : map;
    if (!(custom instanceof Map<?, ?> customMap)) {
      return labels;
    }
    Map<String, String> view = new LinkedHashMap<>(labels);
    flatten(DETAILS, customMap, view, 0);
    return view;
  }

  private static void flatten(String prefix, Map<?, ?> map, Map<String, String> into, int depth) {
    if (depth > 8) {
      return;
    }
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String key = prefix + "." + entry.getKey();
      Object value = entry.getValue();
      if (value instanceof Map<?, ?> nested) {
        flatten(key, nested, into, depth + 1);
      } else if (value != null && !(value instanceof List<?>)) {
        into.put(key, String.valueOf(value));
      }
    }
  }
}
