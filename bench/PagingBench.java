import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end paging latency (issue 8's benchmarks), against a running Tocsin with its default
 * notification settings and an admin token. It runs the receiving side itself: a local HTTP server
 * that records when each webhook arrives.
 *
 * <p>{@code paging}: {@code --users} people, each with a verified webhook, a policy that pages
 * them at once and a service that follows it; then {@code --rate} new incidents a second for
 * {@code --seconds}, one alert per request, spread over the services (so nobody passes the rate
 * limit of 5 pages a minute). Latency: the alert's POST → its page arriving at the receiver.
 *
 * <p>{@code isolation}: {@code --backlog} test messages queued for a Slack-compatible destination
 * that takes {@code --slow-ms} per request, then single webhook test messages: the webhook's
 * latency with that backlog against its latency without it.
 *
 * <pre>java bench/PagingBench.java paging|isolation --url URL --token T [options]</pre>
 */
public class PagingBench {

  private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
  private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");
  private static final Pattern KEY = Pattern.compile("\"key\":\"([^\"]+)\"");
  private static final Pattern MARK = Pattern.compile("PB_([0-9a-z]+_\\d+)");

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .executor(Executors.newFixedThreadPool(8))
          .build();
  private final String url;
  private final String token;
  private final HttpServer receiver;
  private final Map<String, Long> arrived = new ConcurrentHashMap<>();
  private final Map<String, String> lastBody = new ConcurrentHashMap<>();
  private volatile int slowMillis;

  PagingBench(String url, String token) throws IOException {
    this.url = url.replaceAll("/+$", "");
    this.token = token;
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newFixedThreadPool(16));
    receiver.createContext(
        "/",
        exchange -> {
          long now = System.nanoTime();
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String path = exchange.getRequestURI().getPath();
          if (path.startsWith("/slow") && slowMillis > 0) {
            try {
              Thread.sleep(slowMillis);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          lastBody.put(path, body);
          Matcher mark = MARK.matcher(body);
          if (mark.find()) {
            arrived.putIfAbsent(mark.group(1), now);
          }
          if (body.contains("\"kind\":\"test\"")) {
            arrived.putIfAbsent("test:" + path + ":" + count(path), now);
          }
          exchange.sendResponseHeaders(200, 2);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write("ok".getBytes(StandardCharsets.UTF_8));
          }
        });
    receiver.start();
  }

  private final Map<String, AtomicInteger> tests = new ConcurrentHashMap<>();

  private int count(String path) {
    return tests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
  }

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "";
    Map<String, String> options = new ConcurrentHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    PagingBench bench = new PagingBench(options.get("url"), options.get("token"));
    boolean pass;
    try {
      if (mode.equals("paging")) {
        pass =
            bench.paging(
                Integer.parseInt(options.getOrDefault("users", "700")),
                Integer.parseInt(options.getOrDefault("rate", "50")),
                Integer.parseInt(options.getOrDefault("seconds", "60")),
                options.getOrDefault("label", "paging"));
      } else if (mode.equals("isolation")) {
        pass =
            bench.isolation(
                Integer.parseInt(options.getOrDefault("backlog", "10000")),
                Integer.parseInt(options.getOrDefault("slow-ms", "200")),
                options.getOrDefault("label", "isolation"));
      } else {
        throw new IllegalArgumentException("mode: paging or isolation");
      }
    } finally {
      bench.receiver.stop(0);
    }
    System.exit(pass ? 0 : 1);
  }

  boolean paging(int users, int rate, int seconds, String label) throws Exception {
    String run = Long.toString(System.currentTimeMillis(), 36);
    System.out.printf(Locale.ROOT, "setting up %d people, policies and services%n", users);
    List<String> keys = new ArrayList<>();
    ExecutorService setup = Executors.newFixedThreadPool(4);
    List<java.util.concurrent.Future<String>> created = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      int n = i;
      created.add(setup.submit(() -> person(run, n)));
    }
    for (java.util.concurrent.Future<String> key : created) {
      keys.add(key.get());
    }
    setup.shutdown();
    System.out.printf(Locale.ROOT, "sending %d new incidents a second for %d s%n", rate, seconds);
    int total = rate * seconds;
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    ExecutorService senders = Executors.newFixedThreadPool(16);
    long start = System.nanoTime();
    AtomicInteger failed = new AtomicInteger();
    for (int i = 0; i < total; i++) {
      long due = start + (long) (i * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      String mark = run + "_" + i;
      String key = keys.get(i % keys.size());
      senders.submit(
          () -> {
            String body =
                "[{\"labels\":{\"alertname\":\"PB_"
                    + mark
                    + "\",\"severity\":\"critical\"},\"annotations\":{\"summary\":\"PB_"
                    + mark
                    + " is down\"}}]";
            sentAt.put(mark, System.nanoTime());
            try {
              send("POST", "/api/v2/alerts", body, "Bearer " + key);
            } catch (Exception e) {
              failed.incrementAndGet();
            }
          });
    }
    senders.shutdown();
    senders.awaitTermination(2, TimeUnit.MINUTES);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && arrivedOf(run) < total) {
      Thread.sleep(500);
    }
    List<Double> latencies = new ArrayList<>();
    sentAt.forEach(
        (mark, sent) -> {
          Long got = arrived.get(mark);
          if (got != null) {
            latencies.add((got - sent) / 1e6);
          }
        });
    Collections.sort(latencies);
    boolean pass =
        latencies.size() == total && failed.get() == 0 && quantile(latencies, 0.99) < 1000;
    System.out.printf(
        Locale.ROOT,
        "pages received %d of %d (failed sends %d): p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms%n",
        latencies.size(),
        total,
        failed.get(),
        quantile(latencies, 0.5),
        quantile(latencies, 0.9),
        quantile(latencies, 0.99),
        latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1));
    System.out.printf(
        Locale.ROOT,
        "RESULT {\"label\":\"%s\",\"mode\":\"paging\",\"incidents\":%d,\"rate\":%d,\"received\":%d,\"latency_ms\":{\"p50\":%.0f,\"p90\":%.0f,\"p99\":%.0f,\"max\":%.0f},\"pass\":%s}%n",
        label,
        total,
        rate,
        latencies.size(),
        quantile(latencies, 0.5),
        quantile(latencies, 0.9),
        quantile(latencies, 0.99),
        latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1),
        pass);
    return pass;
  }

  private long arrivedOf(String run) {
    return arrived.keySet().stream().filter(k -> k.startsWith(run + "_")).count();
  }

  /** A person with a verified webhook, paged at once by a policy of a service; its alert key. */
  private String person(String run, int n) throws Exception {
    String user =
        id(
            call(
                "POST",
                "/api/v1/users",
                "{\"name\":\"Bench "
                    + n
                    + "\",\"email\":\"pb-"
                    + run
                    + "-"
                    + n
                    + "@bench.example\",\"role\":\"responder\",\"timeZone\":\"UTC\",\"password\":\"a long enough password\"}"));
    String path = "/hook/" + run + "/" + n;
    String method =
        id(
            call(
                "POST",
                "/api/v1/users/" + user + "/contact-methods",
                "{\"type\":\"webhook\",\"target\":\"http://127.0.0.1:"
                    + receiver.getAddress().getPort()
                    + path
                    + "\"}"));
    verify(user, method, path);
    String policy =
        id(
            call(
                "POST",
                "/api/v1/escalation-policies",
                "{\"name\":\"pb-"
                    + run
                    + "-"
                    + n
                    + "\",\"levels\":[{\"delayMinutes\":30,\"targets\":[{\"type\":\"user\",\"id\":\""
                    + user
                    + "\"}]}]}"));
    String service =
        id(
            call(
                "POST",
                "/api/v1/services",
                "{\"name\":\"pb-" + run + "-" + n + "\",\"autoResolve\":false}"));
    call(
        "PUT",
        "/api/v1/services/" + service + "/escalation-policy",
        "{\"policyId\":\"" + policy + "\"}");
    Matcher key =
        KEY.matcher(
            call(
                "POST",
                "/api/v1/services/" + service + "/integrations",
                "{\"name\":\"bench\",\"kind\":\"alertmanager\"}"));
    if (!key.find()) {
      throw new IllegalStateException("no integration key");
    }
    return key.group(1);
  }

  private void verify(String user, String method, String path) throws Exception {
    call("POST", "/api/v1/users/" + user + "/contact-methods/" + method + "/verification", null);
    for (int i = 0; i < 200; i++) {
      String body = lastBody.get(path);
      if (body != null) {
        Matcher code = CODE.matcher(body);
        if (code.find()) {
          call(
              "POST",
              "/api/v1/users/" + user + "/contact-methods/" + method + "/verify",
              "{\"code\":\"" + code.group(1) + "\"}");
          return;
        }
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no verification code reached " + path);
  }

  boolean isolation(int backlog, int slow, String label) throws Exception {
    String run = Long.toString(System.currentTimeMillis(), 36);
    String user =
        id(
            call(
                "POST",
                "/api/v1/users",
                "{\"name\":\"Isolation\",\"email\":\"iso-"
                    + run
                    + "@bench.example\",\"role\":\"responder\",\"timeZone\":\"UTC\",\"password\":\"a long enough password\"}"));
    int port = receiver.getAddress().getPort();
    String slack =
        id(
            call(
                "POST",
                "/api/v1/users/" + user + "/contact-methods",
                "{\"type\":\"slack\",\"target\":\"http://127.0.0.1:" + port + "/slow/" + run + "\"}"));
    String hookPath = "/fast/" + run;
    String webhook =
        id(
            call(
                "POST",
                "/api/v1/users/" + user + "/contact-methods",
                "{\"type\":\"webhook\",\"target\":\"http://127.0.0.1:" + port + hookPath + "\"}"));
    List<Double> before = webhookLatencies(user, webhook, hookPath, 20);
    slowMillis = slow;
    System.out.printf(Locale.ROOT, "queueing %d messages for a destination taking %d ms each%n", backlog, slow);
    ExecutorService queue = Executors.newFixedThreadPool(8);
    for (int i = 0; i < backlog; i++) {
      queue.submit(
          () -> {
            try {
              call("POST", "/api/v1/users/" + user + "/contact-methods/" + slack + "/test", null);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
    }
    queue.shutdown();
    queue.awaitTermination(10, TimeUnit.MINUTES);
    List<Double> during = webhookLatencies(user, webhook, hookPath, 20);
    double delay = quantile(during, 0.99) - quantile(before, 0.99);
    boolean pass = delay <= 100;
    System.out.printf(
        Locale.ROOT,
        "webhook latency without the backlog: p50 %.0f ms, p99 %.0f ms; with it: p50 %.0f ms, p99 %.0f ms; delay %.0f ms%n",
        quantile(before, 0.5),
        quantile(before, 0.99),
        quantile(during, 0.5),
        quantile(during, 0.99),
        delay);
    System.out.printf(
        Locale.ROOT,
        "RESULT {\"label\":\"%s\",\"mode\":\"isolation\",\"backlog\":%d,\"slow_ms\":%d,\"before_ms\":{\"p50\":%.0f,\"p99\":%.0f},\"during_ms\":{\"p50\":%.0f,\"p99\":%.0f},\"delay_ms\":%.0f,\"pass\":%s}%n",
        label,
        backlog,
        slow,
        quantile(before, 0.5),
        quantile(before, 0.99),
        quantile(during, 0.5),
        quantile(during, 0.99),
        delay,
        pass);
    return pass;
  }

  /** Sends test messages to the webhook one at a time: POST → arrival, in ms. */
  private List<Double> webhookLatencies(String user, String method, String path, int count)
      throws Exception {
    List<Double> latencies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int seen = tests.getOrDefault(path, new AtomicInteger()).get();
      long sent = System.nanoTime();
      call("POST", "/api/v1/users/" + user + "/contact-methods/" + method + "/test", null);
      String key = "test:" + path + ":" + (seen + 1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!arrived.containsKey(key) && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      Long got = arrived.get(key);
      latencies.add(got == null ? 30_000.0 : (got - sent) / 1e6);
    }
    Collections.sort(latencies);
    return latencies;
  }

  private static double quantile(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return 0;
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
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", authorization)
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }
}
