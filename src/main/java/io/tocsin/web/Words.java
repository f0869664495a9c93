package io.tocsin.web;

import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * The words a person reads for Tocsin's stored values: {@code in_progress} is "In progress", {@code
 * no_policy} is "No escalation policy". Templates call it as {@code ${@words.status(s)}}; the
 * stored value stays in class names and form values, where a machine reads it.
 */
@Component("words")
class Words {

  private static final Map<String, String> STATUSES =
      Map.of(
          "open", "Open",
          "acknowledged", "Acknowledged",
          "in_progress", "In progress",
          "resolved", "Resolved");

  private static final Map<String, String> RUN_STATUSES =
      Map.of(
          "active", "Paging",
          "stopped", "Stopped",
          "exhausted", "Every level paged, nobody answered",
          "no_policy", "No escalation policy");

  private static final Map<String, String> INTEGRATION_KINDS =
      Map.of(
          "alertmanager", "Alertmanager and Prometheus",
          "pagerduty", "PagerDuty Events v2",
          "generic", "Generic JSON",
          "heartbeat", "Heartbeat",
          "grafana", "Grafana Alerting",
          "email", "Email");

  /** An incident's status. */
  public String status(@Nullable Object status) {
    return word(STATUSES, status);
  }

  /** A severity, capitalised: "Critical". */
  public String severity(@Nullable Object severity) {
    return word(Map.of(), severity);
  }

  /** Where an escalation run stands. */
  public String runStatus(@Nullable Object status) {
    return word(RUN_STATUSES, status);
  }

  /** The sender an integration takes alerts from. */
  public String integrationKind(@Nullable Object kind) {
    return word(INTEGRATION_KINDS, kind);
  }

  /**
   * An audit log action: {@code user.role_changed} is "User role changed". The code stays the
   * filter's value, where an admin or a script types it.
   */
  public String action(@Nullable Object kind) {
    return kind == null ? "" : of(kind.toString().replace('.', ' '));
  }

  /** Any other stored value: "status_update" is "Status update". */
  public String of(@Nullable Object value) {
    return word(Map.of(), value);
  }

  private static String word(Map<String, String> words, @Nullable Object value) {
    if (value == null) {
      return "";
    }
    String text = value.toString().toLowerCase(Locale.ROOT);
    String word = words.get(text);
    if (word != null) {
      return word;
    }
    String spaced = text.replace('_', ' ');
    return spaced.isEmpty() ? "" : Character.toUpperCase(spaced.charAt(0)) + spaced.substring(1);
  }
}
