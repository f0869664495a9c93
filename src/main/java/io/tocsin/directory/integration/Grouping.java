package io.tocsin.directory.integration;

import io.tocsin.platform.Digests;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * How an integration's alerts become incidents: the alerts of a service that share a group key
 * share its open incident. Each sender has its own idea of an incident's identity, so this belongs
 * to the integration, not to the service: PagerDuty's is the {@code dedup_key}, and a PagerDuty
 * event has no {@code alertname} to group by.
 *
 * @param labels the label names grouped by when {@code by} is {@link By#LABELS}; empty otherwise
 */
public record Grouping(By by, List<String> labels) {

  /** What an integration's alerts are grouped by. */
  public enum By {
    /** The service's {@code groupBy} labels: the default for every kind but PagerDuty and email. */
    SERVICE,
    /**
     * Each alert is its own incident, as in PagerDuty: its {@code dedup_key}, or for an alert
     * without one its label set. The default for PagerDuty and email integrations: a mail has no
     * {@code alertname} either, and each subject (its dedup key) is its own incident.
     */
    DEDUP_KEY,
    /** The values of the integration's own {@code labels}. */
    LABELS,
    /** Nothing: all of the service's alerts from this integration share one incident. */
    ALL
  }

  /** At most as many as a service may group by. */
  static final int MAX_LABELS = 20;

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  public Grouping {
    labels = List.copyOf(labels);
  }

  /** What an integration of this kind groups by until someone chooses otherwise. */
  public static Grouping defaultFor(IntegrationKind kind) {
    boolean ownIdentity = kind == IntegrationKind.PAGERDUTY || kind == IntegrationKind.EMAIL;
    return new Grouping(ownIdentity ? By.DEDUP_KEY : By.SERVICE, List.of());
  }

  /**
   * A grouping as a person wrote it, checked: labels are given exactly when grouping by labels.
   * {@code field} names it in the error, as {@code grouping} or {@code
   * services[checkout].integrations[pd].grouping}.
   */
  public static Grouping of(String field, @Nullable By by, @Nullable List<String> labels) {
    if (by == null) {
      throw new InvalidInputException(
          field + ".by", "is required: one of " + String.join(", ", EnumText.allowed(By.class)));
    }
    List<String> names = labels == null ? List.of() : labels;
    if (by != By.LABELS) {
      if (!names.isEmpty()) {
        throw new InvalidInputException(
            field + ".labels",
            "only grouping by labels names labels; by is " + EnumText.canonical(by));
      }
      return new Grouping(by, List.of());
    }
    if (names.isEmpty() || names.size() > MAX_LABELS) {
      throw new InvalidInputException(
          field + ".labels",
          "must name 1 to " + MAX_LABELS + " labels to group by (by: all groups by none)");
    }
    for (String name : names) {
      if (name == null || !LABEL_NAME.matcher(name).matches()) {
        throw new InvalidInputException(
            field + ".labels",
            "'" + name + "' is not a label name (letters, digits and _, not first a digit)");
      }
    }
    return new Grouping(by, List.copyOf(new LinkedHashSet<>(names)));
  }

  /** The most characters of a group key kept as they are. */
  public static final int KEY_LIMIT = 256;

  /**
   * The key that decides which open incident of the service takes an alert: the values of the
   * labels grouped by ({@code serviceGroupBy} when grouping by the service's), as "name=value"
   * pairs in order. A dedup key is written as a label would be: PagerDuty's incident of one dedup
   * key shows as {@code dedup_key=disk-db-1}.
   */
  public String keyOf(
      List<String> serviceGroupBy,
      Map<String, String> alertLabels,
      @Nullable String dedupKey,
      String fingerprint) {
    return bounded(
        switch (by) {
          case SERVICE -> labelValues(serviceGroupBy, alertLabels);
          case LABELS -> labelValues(labels, alertLabels);
          case DEDUP_KEY ->
              dedupKey == null ? "fingerprint=" + fingerprint : "dedup_key=" + dedupKey;
          case ALL -> "";
        });
  }

  /**
   * The group key as stored, at most {@value #KEY_LIMIT} characters and a digest: it is indexed,
   * and a database index refuses a row of a few kilobytes, so a sender's 3,000-character alertname
   * once made correlation fail again on every retry while its sender had a 200. The digest of the
   * whole key keeps two long keys that share their beginning apart.
   */
  static String bounded(String groupKey) {
    if (groupKey.length() <= KEY_LIMIT) {
      return groupKey;
    }
    return groupKey.substring(0, KEY_LIMIT) + "…sha256:" + Digests.sha256(groupKey);
  }

  private static String labelValues(List<String> names, Map<String, String> labels) {
    return names.stream()
        .map(name -> name + "=" + labels.getOrDefault(name, ""))
        .collect(Collectors.joining(","));
  }
}
