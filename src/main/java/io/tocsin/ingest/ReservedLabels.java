package io.tocsin.ingest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Labels named {@code tocsin_*} are Tocsin's own: {@code tocsin_service} is the service that the
 * integration key assigned, and silences, inhibition rules and filters match on it. A sender's
 * label of that name once passed an alert sent with one service's key off as another service's, and
 * an inhibition rule of that other service then muted its real critical alert.
 *
 * <p>A sender's reserved label is kept under another name, the way Prometheus keeps a scraped label
 * that clashes with a target label ({@code exported_} in front, again while that name is taken
 * too), rather than refused: a refusal would drop the whole batch of an Alertmanager, every other
 * alert in it included.
 */
final class ReservedLabels {

  static final String PREFIX = "tocsin_";

  static final String EXPORTED = "exported_";

  private ReservedLabels() {}

  /** The labels with each reserved name a sender used renamed; the same map when there is none. */
  static Map<String, String> exported(Map<String, String> labels) {
    if (labels.keySet().stream().noneMatch(ReservedLabels::reserved)) {
      return labels;
    }
    Map<String, String> renamed = new LinkedHashMap<>();
    labels.forEach(
        (name, value) -> {
          if (!reserved(name)) {
            renamed.put(name, value);
          }
        });
    labels.forEach(
        (name, value) -> {
          if (reserved(name)) {
            String exported = EXPORTED + name;
            while (renamed.containsKey(exported)) {
              exported = EXPORTED + exported;
            }
            renamed.put(exported, value);
          }
        });
    return renamed;
  }

  private static boolean reserved(String name) {
    return name.startsWith(PREFIX);
  }
}
