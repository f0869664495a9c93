import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Escalation lag with many incidents escalating at once (issue 7's benchmark). Against a running
 * Tocsin and an admin token, it creates two users, a two-level policy (level 1 waits one minute)
 * and a service that follows it, then fires {@code --incidents} alerts with distinct names at once:
 * each opens an incident whose level 1 is due when it opens, and whose level 2 falls due a minute
 * later, all within the same second or two. It waits for both levels of every incident and reads
 * each step's due and executed times back from {@code GET /api/v1/incidents/{ref}/escalation}: the
 * lag is executed − due, as {@code tocsin_escalation_lag_seconds} measures it.
 *
 * <pre>java bench/EscalationBench.java --url http://127.0.0.1:8080 --token T [--incidents 1000]</pre>
 *
 * Prints human-readable lines and one {@code RESULT {json}} line; exits 1 when a page is missing.
 */
public class EscalationBench {

  private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
  private static final Pattern KEY = Pattern.compile("\"key\":\"([^\"]+)\"");
  private static final Pattern CURSOR = Pattern.compile("\"nextCursor\":\"([^\"]+)\"");
  private static final Pattern STEP =
      Pattern.compile("\"level\":(\\d+),\"round\":\\d+,\"reason\":\"timer\"[^{}]*?\"lagSeconds\":([0-9.Ee-]+)");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String url;
  private final String token;

  EscalationBench(String url, String token) {
    this.url = url.replaceAll("/+$", "");
    this.token = token;
  }

  public static void main(String[] args) throws Exception {
    String url = null;
    String token = null;
    int incidents = 1000;
    String label = "escalation";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1];
        case "--token" -> token = args[i + 1];
        case "--incidents" -> incidents = Integer.parseInt(args[i + 1]);
        case "--label" -> label = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (url == null || token == null) {
      throw new IllegalArgumentException("--url and --token are required");
    }
    System.exit(new EscalationBench(url, token).run(incidents, label) ? 0 : 1);
  }

  boolean run(int incidents, String label) throws Exception {
    String run = Long.toString(System.currentTimeMillis(), 36);
    String alice = id(call("POST", "/api/v1/users", user("alice", run)));
    String bob = id(call("POST", "/api/v1/users", user("bob", run)));
    String policy =
        id(
            call(
                "POST",
                "/api/v1/escalation-policies",
                """
                {"name":"bench-%s","repeat":0,"levels":[
                  {"delayMinutes":1,"targets":[{"type":"user","id":"%s"}]},
                  {"delayMinutes":1,"targets":[{"type":"user","id":"%s"}]}]}
                """
                    .formatted(run, alice, bob)));
    String service =
        id(call("POST", "/api/v1/services", "{\"name\":\"bench-escalation-" + run + "\",\"autoResolve\":false}"));
    call("PUT", "/api/v1/services/" + service + "/escalation-policy", "{\"policyId\":\"" + policy + "\"}");
    Matcher key =
        KEY.matcher(
            call(
                "POST",
                "/api/v1/services/" + service + "/integrations",
                "{\"name\":\"bench\",\"kind\":\"alertmanager\"}"));
    if (!key.find()) {
      throw new IllegalStateException("no integration key");
    }

    Instant fired = Instant.now();
    fire(key.group(1), run, incidents);
    System.out.printf(
        Locale.ROOT, "fired %d alerts in %d ms%n", incidents, Duration.between(fired, Instant.now()).toMillis());

    List<Double> first = new ArrayList<>();
    List<Double> second = new ArrayList<>();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    while (Instant.now().isBefore(deadline)) {
      first.clear();
      second.clear();
      for (String incident : incidents(service)) {
        Matcher step = STEP.matcher(call("GET", "/api/v1/incidents/" + incident + "/escalation", null));
        while (step.find()) {
          (step.group(1).equals("1") ? first : second).add(Double.parseDouble(step.group(2)));
        }
      }
      System.out.printf(Locale.ROOT, "   level 1 paged for %d, level 2 for %d%n", first.size(), second.size());
      if (second.size() >= incidents) {
        break;
      }
      Thread.sleep(first.size() >= incidents ? 10_000 : 2_000);
    }
    boolean pass = first.size() == incidents && second.size() == incidents;
    String firstStats = stats(first);
    String secondStats = stats(second);
    System.out.println("first page lag (level 1, due when the incident opened): " + firstStats);
    System.out.println("escalation lag (level 2, due a minute later):           " + secondStats);
    System.out.printf(
        Locale.ROOT,
        "RESULT {\"label\":\"%s\",\"mode\":\"escalation\",\"incidents\":%d,\"level1_lag_s\":{%s},\"level2_lag_s\":{%s},\"pass\":%s}%n",
        label,
        incidents,
        json(first),
        json(second),
        pass);
    return pass;
  }

  /** Fires the alerts as 10 concurrent requests, each alert with its own name: one incident each. */
  private void fire(String key, String run, int incidents) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(10);
    List<Future<String>> sent = new ArrayList<>();
    int per = (incidents + 9) / 10;
    for (int from = 0; from < incidents; from += per) {
      StringBuilder body = new StringBuilder("[");
      for (int i = from; i < Math.min(incidents, from + per); i++) {
        if (i > from) {
          body.append(',');
        }
        body.append("{\"labels\":{\"alertname\":\"Bench")
            .append(run)
            .append('_')
            .append(i)
            .append("\",\"severity\":\"critical\"},\"annotations\":{\"summary\":\"bench ")
            .append(i)
            .append("\"}}");
      }
      String json = body.append(']').toString();
      sent.add(pool.submit(() -> send("POST", "/api/v2/alerts", json, "Bearer " + key)));
    }
    for (Future<String> request : sent) {
      request.get();
    }
    pool.shutdown();
  }

  private List<String> incidents(String service) throws Exception {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    do {
      String page =
          call(
              "GET",
              "/api/v1/incidents?limit=200&service=" + service + (cursor == null ? "" : "&cursor=" + cursor),
              null);
      Matcher items = Pattern.compile("\\{\"id\":\"([0-9a-f-]{36})\",\"number\"").matcher(page);
      while (items.find()) {
        ids.add(items.group(1));
      }
      Matcher next = CURSOR.matcher(page);
      cursor = next.find() ? next.group(1) : null;
    } while (cursor != null);
    return ids;
  }

  private static String stats(List<Double> lags) {
    if (lags.isEmpty()) {
      return "none";
    }
    List<Double> sorted = new ArrayList<>(lags);
    Collections.sort(sorted);
    return String.format(
        Locale.ROOT,
        "n %d, p50 %.3f s, p90 %.3f s, p99 %.3f s, max %.3f s",
        sorted.size(),
        quantile(sorted, 0.5),
        quantile(sorted, 0.9),
        quantile(sorted, 0.99),
        sorted.get(sorted.size() - 1));
  }

  private static String json(List<Double> lags) {
    if (lags.isEmpty()) {
      return "\"n\":0";
    }
    List<Double> sorted = new ArrayList<>(lags);
    Collections.sort(sorted);
    return String.format(
        Locale.ROOT,
        "\"n\":%d,\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f",
        sorted.size(),
        quantile(sorted, 0.5),
        quantile(sorted, 0.9),
        quantile(sorted, 0.99),
        sorted.get(sorted.size() - 1));
  }

  private static double quantile(List<Double> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  private static String user(String name, String run) {
    return """
        {"name":"%s","email":"%s-%s@bench.example","role":"responder","timeZone":"UTC",
         "password":"a long enough password"}
        """
        .formatted(name, name, run);
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

  private String send(String method, String path, String json, String authorization) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url + path))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", authorization)
            .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }
}
