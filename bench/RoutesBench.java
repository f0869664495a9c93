package io.tocsin.ingest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The CPU an alert costs routing (issue 22): 50 rules, half of them regular expressions, none
 * matching, then one that takes the service from a label, as {@code bench/run --routing-rules 50}
 * installs them; a million alerts routed per round, five rounds, the last ones warm. It reaches
 * into the package-private rules, so it is compiled against the built classes rather than run as a
 * single-file program:
 *
 * <pre>./mvnw -q -DskipTests package
 * CP="target/classes:$(./mvnw -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
 * javac -cp "$CP" -d /tmp/routes-bench bench/RoutesBench.java
 * java -cp "/tmp/routes-bench:$CP" io.tocsin.ingest.RoutesBench</pre>
 */
public class RoutesBench {
  public static void main(String[] args) {
    List<RouteRule> rules = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rules.add(
          i % 2 == 0
              ? new RouteRule("eq-" + i, List.of(new RouteRule.Match("job", null, "job-" + i)),
                  null, null, null, null, Map.of("rule", "" + i), null, null, null, null, null)
              : new RouteRule("re-" + i,
                  List.of(new RouteRule.Match("alertname", "=~", "Never" + i + ".*|Other-" + i)),
                  null, null, "critical", null, null, null, null, null, null, null));
    }
    rules.add(new RouteRule("by label", null, null, "service", null, null, null, null, null, null,
        null, null));
    Routes routes = Routes.compile(rules, reference -> null);
    Map<String, String> labels = new LinkedHashMap<>(
        Map.of("alertname", "HighLatency", "service", "conn-3", "instance", "run-1-3-77"));
    Map<String, UUID> services = Map.of("payments", UUID.randomUUID());
    // Summed and printed, so that the JIT cannot drop the routing as unused.
    long matched = 0;
    int alerts = 1_000_000;
    for (int round = 1; round <= 5; round++) {
      long started = System.nanoTime();
      for (int i = 0; i < alerts; i++) {
        matched += routes.route(labels, null, null, services, id -> true).matched().size();
      }
      System.out.printf(Locale.ROOT, "round %d: %.3f us per alert%n", round,
          (System.nanoTime() - started) / 1000.0 / alerts);
    }
    System.out.println("rules matched in all: " + matched);
  }
}
