package io.tocsin.ingest.alertmanager;

import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.Routing.ShownRule;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * An integration's routing rules written as an Alertmanager {@code route:} tree, so that {@code
 * amtool config routes} prints them and {@code amtool config routes test} sends a label set to the
 * service the rules choose (https://prometheus.io/docs/alerting/latest/configuration/#route).
 *
 * <p>The root's receiver is the integration's own service, where an alert no rule places goes; each
 * rule is one child route, in order. Alertmanager's tree and Tocsin's rules agree on the rest: the
 * first matching child wins unless it has {@code continue}, a missing label matches as "", regular
 * expressions are RE2's and match the whole value.
 */
final class RoutingTree {

  /** The receiver of the rules that drop an alert: stored nowhere, paging nobody. */
  static final String DROP = "tocsin-drop";

  /** Go's {@code regexp.QuoteMeta}: the characters it escapes. */
  private static final Pattern REGEX_META = Pattern.compile("[\\\\.+*?()|\\[\\]{}^$]");

  /** A label name as Alertmanager's matchers take it; {@code custom_details.a.b} is none. */
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final JsonMapper json;

  RoutingTree(JsonMapper json) {
    this.json = json;
  }

  /**
   * The configuration, as YAML whose strings are JSON strings (YAML's double-quoted scalars take
   * JSON's escapes), so that no service name or matcher can break it.
   *
   * @param root the integration's own service
   * @param services every service, which a {@code serviceFromLabel} rule may name
   */
  String yaml(String root, List<ShownRule> rules, List<String> services) {
    Set<String> receivers = new LinkedHashSet<>();
    receivers.add(root);
    StringBuilder yaml = new StringBuilder();
    yaml.append(
        """
        # Tocsin routes the alerts of this integration key by its routing rules, one child route
        # each, in order: the first that matches wins unless it continues; an alert no rule places
        # goes to the root's receiver, the integration's own service. "tocsin-drop" receives what
        # a rule drops (stored nowhere, paging nobody). A rule that continues without choosing a
        # service has the root's receiver, so that amtool walks past it: in a list of receivers,
        # the first one that is not the root's is the service Tocsin chooses.
        # Label rewrites and severities are not shown to amtool: a rule that matches on a label an
        # earlier rule set, renamed or removed may route here otherwise than in Tocsin, whose
        # POST /api/v1/integrations/{id}/routing/test answers for the rules as they act.
        """);
    yaml.append("route:\n  receiver: ").append(quote(root)).append('\n');
    yaml.append("  group_by: [\"alertname\"]\n");
    if (!rules.isEmpty()) {
      yaml.append("  routes:\n");
    }
    for (ShownRule rule : rules) {
      yaml.append("    # ").append(oneLine(rule.label())).append('\n');
      List<LabelMatcher> matchers = new ArrayList<>();
      LabelMatcher never = null;
      for (LabelMatcher matcher : rule.match()) {
        if (LABEL_NAME.matcher(matcher.name()).matches()) {
          matchers.add(matcher);
        } else if (!matcher.matches(Map.of())) {
          never = matcher;
        }
        // A custom_details matcher that matches "" matches every label set, which is all amtool
        // tests: it is left out.
      }
      if (never != null) {
        yaml.append("    # not shown: it matches on ")
            .append(oneLine(never.name()))
            .append(", a field of PagerDuty and generic events that a label set never has\n");
        continue;
      }
      String receiver;
      if (rule.drop()) {
        receiver = DROP;
      } else if (rule.service() != null) {
        receiver = rule.service();
      } else {
        receiver = root;
        if (rule.serviceFromLabel() == null) {
          yaml.append(
              rule.continueMatching()
                  ? "    # it chooses no service and continues: amtool walks past it\n"
                  : "    # it chooses no service and ends the routing at the root's receiver\n");
        }
      }
      if (rule.rewrites() && (rule.service() != null || rule.serviceFromLabel() != null)) {
        yaml.append("    # it also rewrites labels or the severity, which amtool is not shown\n");
      }
      receivers.add(receiver);
      yaml.append("    - receiver: ").append(quote(receiver)).append('\n');
      if (!matchers.isEmpty()) {
        yaml.append("      matchers: [");
        for (int i = 0; i < matchers.size(); i++) {
          yaml.append(i == 0 ? "" : ", ").append(quote(matchers.get(i).toString()));
        }
        yaml.append("]\n");
      }
      if (rule.continueMatching()) {
        yaml.append("      continue: true\n");
      }
      if (rule.serviceFromLabel() != null && !services.isEmpty()) {
        // One child per service, named by the label's value in any case; none matching leaves the
        // alert at this route, whose receiver is the rule's own service or the root's.
        yaml.append("      routes:\n");
        for (String service : services) {
          receivers.add(service);
          String byName =
              rule.serviceFromLabel()
                  + "=~"
                  + quoteValue("(?i)" + REGEX_META.matcher(service).replaceAll("\\\\$0"));
          yaml.append("        - receiver: ").append(quote(service)).append('\n');
          yaml.append("          matchers: [").append(quote(byName)).append("]\n");
        }
      }
    }
    yaml.append("receivers:\n");
    for (String receiver : receivers) {
      yaml.append("  - name: ").append(quote(receiver)).append('\n');
    }
    return yaml.toString();
  }

  private String quote(String text) {
    return json.writeValueAsString(text);
  }

  /**
   * A matcher's value quoted as Alertmanager's matcher parser reads it: backslashes and quotes
   * escaped.
   */
  private static String quoteValue(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static String oneLine(String text) {
    return text.replaceAll("[\\r\\n]+", " ");
  }
}
