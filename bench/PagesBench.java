import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The console's render time with a large database (issue 9's benchmark). Against a running Tocsin
 * and an admin token, it seeds through the public APIs: {@code --services} services, each with an
 * Alertmanager integration, an escalation policy on a schedule, then {@code --alerts} alerts in
 * {@code --incidents} groups (one incident each, {@code alerts / incidents} alerts apiece) posted
 * to the Alertmanager API v2, waits until correlation opened every incident, and resolves all but
 * {@code --open} of them. Then it GETs every console page in turn, {@code --requests} times each
 * after {@code --warmup} unmeasured ones, one request at a time, and reports each page's latency
 * percentiles: the time from sending the request to the last byte of the HTML, which is the
 * server's render time plus a local round trip.
 *
 * <pre>java bench/PagesBench.java --url http://127.0.0.1:8080 --token T [--alerts 1000000]
 *     [--incidents 10000] [--open 200] [--services 20] [--requests 200] [--warmup 50]
 *     [--skip-seed true] [--measure false]</pre>
 *
 * Prints human-readable lines and one {@code RESULT {json}} line per page; exits 1 when a page
 * answers anything but 200 or its p95 is 100 ms or more.
 */
public class PagesBench {

  private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
  private static final Pattern KEY = Pattern.compile("\"key\":\"([^\"]+)\"");
  private static final Pattern CURSOR = Pattern.compile("\"nextCursor\":\"([^\"]+)\"");
  private static final Pattern INCIDENT =
      Pattern.compile("\\{\"id\":\"([0-9a-f-]{36})\",\"number\":(\\d+)");
  private static final double TARGET_P95_MS = 100;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String url;
  private final String token;

  PagesBench(String url, String token) {
    this.url = url.replaceAll("/+$", "");
    this.token = token;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("--alerts", "1000000");
    options.put("--incidents", "10000");
    options.put("--open", "200");
    options.put("--services", "20");
    options.put("--requests", "200");
    options.put("--warmup", "50");
    options.put("--skip-seed", "false");
    options.put("--measure", "true");
    options.put("--label", "pages");
    String url = null;
    String token = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1];
        case "--token" -> token = args[i + 1];
        default -> {
          if (!options.containsKey(args[i])) {
            throw new IllegalArgumentException("unknown option " + args[i]);
          }
          options.put(args[i], args[i + 1]);
        }
      }
    }
    if (url == null || token == null) {
      throw new IllegalArgumentException("--url and --token are required");
    }
    PagesBench bench = new PagesBench(url, token);
    if (!Boolean.parseBoolean(options.get("--skip-seed"))) {
      bench.seed(
          Integer.parseInt(options.get("--services")),
          Integer.parseInt(options.get("--incidents")),
          Integer.parseInt(options.get("--alerts")),
          Integer.parseInt(options.get("--open")));
    }
    if (!Boolean.parseBoolean(options.get("--measure"))) {
      return;
    }
    boolean pass =
        bench.measure(
            Integer.parseInt(options.get("--requests")),
            Integer.parseInt(options.get("--warmup")),
            options.get("--label"));
    System.exit(pass ? 0 : 1);
  }

  void seed(int services, int incidents, int alerts, int open) throws Exception {
    String run = Long.toString(System.currentTimeMillis(), 36);
    String me = id(call("GET", "/api/v1/users/me", null));
    List<String> keys = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      String schedule =
          id(
              call(
                  "POST",
                  "/api/v1/schedules",
                  """
                  {"name":"seed-%s-%d","timeZone":"Europe/Berlin","layers":[{"name":"primary",
                   "members":["%s"],"rotation":{"count":1,"unit":"weeks"},"start":"2026-01-05T09:00",
                   "restrictions":[]}]}
                  """
                      .formatted(run, s, me)));
      String policy =
          id(
              call(
                  "POST",
                  "/api/v1/escalation-policies",
                  """
                  {"name":"seed-%s-%d","repeat":0,"levels":[
                    {"delayMinutes":30,"targets":[{"type":"schedule","id":"%s"}]}]}
                  """
                      .formatted(run, s, schedule)));
      String service =
          id(
              call(
                  "POST",
                  "/api/v1/services",
                  "{\"name\":\"seed-" + run + "-" + s + "\",\"autoResolve\":false}"));
      call(
          "PUT",
          "/api/v1/services/" + service + "/escalation-policy",
          "{\"policyId\":\"" + policy + "\"}");
      Matcher key =
          KEY.matcher(
              call(
                  "POST",
                  "/api/v1/services/" + service + "/integrations",
                  "{\"name\":\"seed\",\"kind\":\"alertmanager\"}"));
      if (!key.find()) {
        throw new IllegalStateException("no integration key");
      }
      keys.add(key.group(1));
    }

    int perIncident = Math.max(1, alerts / incidents);
    // Firing through the measurement: with Alertmanager's default end, five minutes after the send,
    // the million alerts would expire together while the pages are measured, and the figures would
    // be those of that sweep, not of the pages.
    Instant firingUntil = Instant.now().plus(Duration.ofDays(1));
    Instant started = Instant.now();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<String>> sent = new ArrayList<>();
    AtomicInteger done = new AtomicInteger();
    String[] severities = {"critical", "error", "warning", "info"};
    for (int g = 0; g < incidents; g++) {
      StringBuilder body = new StringBuilder("[");
      for (int a = 0; a < perIncident; a++) {
        if (a > 0) {
          body.append(',');
        }
        body.append("{\"labels\":{\"alertname\":\"Seed_")
            .append(run)
            .append('_')
            .append(g)
            .append("\",\"instance\":\"node-")
            .append(a)
            .append(":9100\",\"job\":\"node\",\"env\":\"prod\",\"severity\":\"")
            .append(severities[g % severities.length])
            .append("\"},\"annotations\":{\"summary\":\"Seeded alert ")
            .append(g)
            .append('/')
            .append(a)
            .append("\",\"runbook_url\":\"https://runbooks.example.com/seed\"},")
            .append("\"generatorURL\":\"http://prometheus.example.com/graph?g0.expr=up\",")
            .append("\"endsAt\":\"")
            .append(firingUntil)
            .append("\"}");
      }
      String json = body.append(']').toString();
      String key = keys.get(g % keys.size());
      sent.add(
          pool.submit(
              () -> {
                String answer = send("POST", "/api/v2/alerts", json, "Bearer " + key);
                int n = done.incrementAndGet();
                if (n % 1000 == 0) {
                  System.out.printf(Locale.ROOT, "   %d alert batches sent%n", n);
                }
                return answer;
              }));
    }
    for (Future<String> request : sent) {
      request.get();
    }
    System.out.printf(
        Locale.ROOT,
        "sent %d alerts in %d s%n",
        (long) incidents * perIncident,
        Duration.between(started, Instant.now()).toSeconds());

    List<String[]> all;
    while (true) {
      // Open ones only: a database loaded with history (bench/run --history) holds resolved ones.
      all = incidents("&status=open");
      System.out.printf(Locale.ROOT, "   %d incidents open%n", all.size());
      if (all.size() >= incidents) {
        break;
      }
      Thread.sleep(5_000);
    }
    System.out.printf(
        Locale.ROOT,
        "correlated into %d incidents %d s after the first send%n",
        all.size(),
        Duration.between(started, Instant.now()).toSeconds());

    // An active silence, so that the silence pages count what it mutes among the firing alerts.
    call(
        "POST",
        "/api/v2/silences",
        """
        {"matchers":[{"name":"alertname","value":"Seed_%s_0","isRegex":false,"isEqual":true}],
         "startsAt":"%s","endsAt":"%s","createdBy":"bench","comment":"Seeded silence."}
        """
            .formatted(run, Instant.now(), Instant.now().plus(Duration.ofDays(7))));

    List<Future<String>> resolved = new ArrayList<>();
    for (String[] incident : all.subList(0, Math.max(0, all.size() - open))) {
      resolved.add(
          pool.submit(
              () ->
                  call(
                      "PATCH",
                      "/api/v1/incidents/" + incident[0],
                      "{\"status\":\"resolved\"}")));
    }
    for (Future<String> request : resolved) {
      request.get();
    }
    pool.shutdown();
    System.out.printf(
        Locale.ROOT,
        "resolved %d incidents; seeding took %d s%n",
        resolved.size(),
        Duration.between(started, Instant.now()).toSeconds());
  }

  boolean measure(int requests, int warmup, String label) throws Exception {
    List<String[]> open = incidents("&status=open");
    List<String> numbers = new ArrayList<>();
    for (String[] incident : open) {
      numbers.add(incident[1]);
    }
    String newest = call("GET", "/api/v1/incidents?limit=50&status=resolved", null);
    Matcher resolved = INCIDENT.matcher(newest);
    while (resolved.find()) {
      numbers.add(resolved.group(2));
    }
    String service = id(call("GET", "/api/v1/services?limit=1", null));
    String schedule = id(call("GET", "/api/v1/schedules?limit=1", null));
    Random random = new Random(42);
    List<String> pages =
        List.of(
            "/",
            "/incidents",
            "/incidents?status=resolved",
            "/incidents/{incident}",
            "/alerts",
            "/alerts?filter=%7Benv%3D%22prod%22%2Cseverity%3D~%22crit.*%22%7D",
            "/silences",
            "/silences/new?matchers=env%3D%22prod%22",
            "/oncall",
            "/schedules/{schedule}",
            "/policies",
            "/services",
            "/services/{service}",
            "/reports",
            "/admin",
            "/admin/teams",
            "/admin/integrations",
            "/admin/audit",
            "/admin/dead-letters",
            "/incidents/{incident}/postmortem",
            "/profile");
    boolean pass = true;
    System.out.printf(Locale.ROOT, "%-62s %8s %8s %8s %8s%n", "page", "p50 ms", "p95 ms", "p99 ms", "max ms");
    for (String page : pages) {
      List<Double> latencies = new ArrayList<>();
      int failures = 0;
      String lastFailure = "";
      long bytes = 0;
      for (int i = 0; i < warmup + requests; i++) {
        String path =
            page.replace("{incident}", numbers.get(random.nextInt(numbers.size())))
                .replace("{service}", service)
                .replace("{schedule}", schedule);
        long start = System.nanoTime();
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create(url + path))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "text/html")
                    .timeout(Duration.ofSeconds(30))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        double millis = (System.nanoTime() - start) / 1e6;
        if (response.statusCode() != 200) {
          failures++;
          lastFailure = path + " -> " + response.statusCode();
        }
        if (i >= warmup) {
          latencies.add(millis);
          bytes += response.body().length();
        }
      }
      Collections.sort(latencies);
      double p95 = quantile(latencies, 0.95);
      boolean ok = failures == 0 && p95 < TARGET_P95_MS;
      pass &= ok;
      System.out.printf(
          Locale.ROOT,
          "%-62s %8.1f %8.1f %8.1f %8.1f%s%n",
          page.length() > 62 ? page.substring(0, 62) : page,
          quantile(latencies, 0.5),
          p95,
          quantile(latencies, 0.99),
          latencies.get(latencies.size() - 1),
          failures == 0 ? "" : "  " + failures + " failures, e.g. " + lastFailure);
      System.out.printf(
          Locale.ROOT,
          "RESULT {\"label\":\"%s\",\"mode\":\"pages\",\"page\":\"%s\",\"requests\":%d,\"failures\":%d,"
              + "\"mean_bytes\":%d,\"latency_ms\":{\"p50\":%.1f,\"p95\":%.1f,\"p99\":%.1f,\"max\":%.1f},\"pass\":%s}%n",
          label,
          page.replace("\"", "\\\""),
          requests,
          failures,
          bytes / Math.max(1, requests),
          quantile(latencies, 0.5),
          p95,
          quantile(latencies, 0.99),
          latencies.get(latencies.size() - 1),
          ok);
    }
    return pass;
  }

  /** Every incident as {id, number}, newest first, optionally filtered by {@code query}. */
  private List<String[]> incidents(String query) throws Exception {
    List<String[]> found = new ArrayList<>();
    String cursor = null;
    do {
      String page =
          call(
              "GET",
              "/api/v1/incidents?limit=200" + query + (cursor == null ? "" : "&cursor=" + cursor),
              null);
      Matcher items = INCIDENT.matcher(page);
      while (items.find()) {
        found.add(new String[] {items.group(1), items.group(2)});
      }
      Matcher next = CURSOR.matcher(page);
      cursor = next.find() ? next.group(1) : null;
    } while (cursor != null);
    return found;
  }

  private static double quantile(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  private static String id(String json) {
    Matcher id = ID.matcher(json);
    if (!id.find()) {
      throw new IllegalStateException("no id in " + json);
    }
    return id.group(1);
  }

  private String call(String method, String path, String json) throws Exception {
    return send(method, path, json, "Bearer " + token);
  }

  private String send(String method, String path, String json, String authorization)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url + path))
            .header("Authorization", authorization)
            .timeout(Duration.ofSeconds(120));
    if (json == null) {
      request.GET();
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 == 2) {
        return response.body();
      }
      if (response.statusCode() != 503 && response.statusCode() != 429 || attempt == 5) {
        throw new IllegalStateException(method + " " + path + " -> " + response.statusCode() + " " + response.body());
      }
      Thread.sleep(1_000L * attempt);
    }
  }
}
