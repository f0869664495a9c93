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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pages per storm when the cause speaks late or never (issue 21's benchmark), against a running
 * Tocsin with an admin token. It replays the seed outage: {@code postgres} fails and its 23
 * dependents ({@code api-1..12} and {@code worker-1..8} on it, {@code frontend-1..3} two hops away
 * through {@code api-1}) send 46,769 symptom alerts, 40,000 of them distinct, in batches of up to
 * 500 with the services taking turns (the shape of {@code IncidentStormIntegrationTests}).
 *
 * <p>Every variant gets its own services (names prefixed with the run and the variant), its own
 * person with a verified webhook on this program's local receiver, and its own escalation policy
 * that every one of its services follows, so variants never share an incident or a page:
 *
 * <ul>
 *   <li>{@code cause-first}: postgres's {@code DatabaseUnavailable}, then the storm;
 *   <li>{@code symptoms-first}: the storm, and postgres's alert from a second thread 10 s after
 *       the first symptom while the storm goes on;
 *   <li>{@code no-cause}: the storm alone;
 *   <li>{@code two-trees}: postgres and redis, six dependents each and nothing shared, their
 *       symptoms interleaved and no cause alert.
 * </ul>
 *
 * <p>Each variant waits until the state settles, then reports the pages and summaries its person
 * received, its services' open incidents, and the time from the first symptom POST to the first
 * page's arrival. Expected once inferred causes land: one incident and one page each (two and two
 * for {@code two-trees}), no summary.
 *
 * <pre>java bench/CauseBench.java --url URL --token T [--variant all|cause-first|...] [options]</pre>
 *
 * Prints human-readable lines and one {@code RESULT {json}} line per variant; exits 1 when a
 * variant misses its expected counts (unless {@code --expect false}), 2 on a usage error.
 */
public class CauseBench {

  static final String USAGE =
      """
      Usage: java bench/CauseBench.java --url URL --token TOKEN [options]

        --url URL             Tocsin's base URL, e.g. http://127.0.0.1:8080
        --token TOKEN         an admin API token
        --variant V           all (default: each in turn), cause-first, symptoms-first,
                              no-cause or two-trees
        --sent N              symptom alerts sent, re-sends included (default 46769)
        --distinct N          distinct symptom alerts among them (default 40000)
        --batch N             alerts per request at most (default 500)
        --cause-after S       symptoms-first: seconds from the first symptom to the cause's
                              alert (default 10)
        --group-delay S       the hold before a symptom's first page (default 10): the settle
                              wait starts when the last hold could end, and the latency target
                              is this plus 1 s
        --quiet S             settled once no page, summary, incident count or correlation
                              count changed for S seconds (default 20)
        --rate-limit N        the server's pages per person and window (default 5) and
        --rate-window S       that window (default 60): while a summary may be pending, the
                              settle wait lasts until it could have arrived
        --settle-timeout S    the longest wait for a variant to settle (default 300)
        --expect true|false   exit 1 when a variant misses its expected counts (default true)
        --label NAME          a name for this run, copied into the RESULT lines
      Output: human-readable lines and one "RESULT {json}" line per variant.
      """;

  private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
  private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");
  private static final Pattern KEY = Pattern.compile("\"key\":\"([^\"]+)\"");
  private static final Pattern KIND = Pattern.compile("\"kind\":\"([a-z_]+)\"");
  private static final Pattern SERVICE_NAME = Pattern.compile("\"serviceName\":\"([^\"]*)\"");
  private static final Pattern INCIDENT_SERVICE =
      Pattern.compile("\"service\":\\{\"id\":\"([0-9a-f-]{36})\"");
  private static final Pattern FOLDED = Pattern.compile("\"subject\":\"\\[Tocsin\\] (\\d+) more incident");
  private static final Pattern CURSOR = Pattern.compile("\"nextCursor\":\"([^\"]+)\"");
  private static final Pattern CORRELATED =
      Pattern.compile("(?m)^tocsin_alerts_correlated_total\\{[^}]*\\} ([0-9.Ee+]+)$");

  private static final String OPEN = "open,acknowledged,in_progress";
  private static final String[] SYMPTOMS = {
    "PrometheusTargetDown", "APIServiceUnhealthy", "HighApiErrorRate", "HighLatency"
  };
  private static final String CAUSE =
      "{\"labels\":{\"alertname\":\"DatabaseUnavailable\",\"cluster\":\"prod\",\"severity\":\"critical\"},"
          + "\"annotations\":{\"summary\":\"%s is down\"}}";

  /** What a variant sends and what it should end as once inferred causes land. */
  enum Variant {
    CAUSE_FIRST("cause-first", 1, 1),
    SYMPTOMS_FIRST("symptoms-first", 1, 1),
    NO_CAUSE("no-cause", 1, 1),
    TWO_TREES("two-trees", 2, 2);

    final String text;
    final int incidents;
    final int pages;

    Variant(String text, int incidents, int pages) {
      this.text = text;
      this.incidents = incidents;
      this.pages = pages;
    }
  }

  /** One webhook POST as the receiver saw it. */
  record Arrival(long nanos, String kind, String idempotencyKey, String serviceName, int folded) {}

  /** A variant's services: name → id and alert key; the failing dependents in turn order. */
  record Outage(
      Map<String, String> ids, Map<String, String> keys, List<String> dependents, String path) {}

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .executor(Executors.newFixedThreadPool(4))
          .build();
  private final String url;
  private final String token;
  private final HttpServer receiver;
  private final Map<String, List<Arrival>> arrivals = new ConcurrentHashMap<>();
  private final Map<String, String> lastBody = new ConcurrentHashMap<>();

  private int sent = 46_769;
  private int distinct = 40_000;
  private int batch = 500;
  private double causeAfter = 10;
  private double groupDelay = 10;
  private double quiet = 20;
  private int rateLimit = 5;
  private double rateWindow = 60;
  private double settleTimeout = 300;

  CauseBench(String url, String token) throws IOException {
    this.url = url.replaceAll("/+$", "");
    this.token = token;
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newFixedThreadPool(4));
    receiver.createContext(
        "/",
        exchange -> {
          long now = System.nanoTime();
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String path = exchange.getRequestURI().getPath();
          lastBody.put(path, body);
          // The payload's first "kind" is the message's own (WebhookPayload: page, summary,
          // verification, test, subscription); nothing before it has one.
          Matcher kind = KIND.matcher(body);
          Matcher service = SERVICE_NAME.matcher(body);
          Matcher folded = FOLDED.matcher(body);
          String idempotency = exchange.getRequestHeaders().getFirst("Idempotency-Key");
          arrivals
              .computeIfAbsent(path, p -> java.util.Collections.synchronizedList(new ArrayList<>()))
              .add(
                  new Arrival(
                      now,
                      kind.find() ? kind.group(1) : "unknown",
                      idempotency == null ? "" : idempotency,
                      service.find() ? service.group(1) : "",
                      folded.find() ? Integer.parseInt(folded.group(1)) : 0));
          exchange.sendResponseHeaders(200, 2);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write("ok".getBytes(StandardCharsets.UTF_8));
          }
        });
    receiver.start();
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("-h") || args[i].equals("--help")) {
        System.out.print(USAGE);
        System.exit(0);
      }
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        usage(args[i].startsWith("--") ? args[i] + " needs a value" : "unexpected " + args[i]);
      }
      options.put(args[i].substring(2), args[++i]);
    }
    Set<String> known =
        Set.of(
            "url", "token", "variant", "sent", "distinct", "batch", "cause-after", "group-delay",
            "quiet", "rate-limit", "rate-window", "settle-timeout", "expect", "label");
    for (String name : options.keySet()) {
      if (!known.contains(name)) {
        usage("unknown option --" + name);
      }
    }
    if (!options.containsKey("url") || !options.containsKey("token")) {
      usage("--url and --token are required");
    }
    List<Variant> variants = new ArrayList<>();
    String chosen = options.getOrDefault("variant", "all");
    for (Variant variant : Variant.values()) {
      if (chosen.equals("all") || chosen.equals(variant.text)) {
        variants.add(variant);
      }
    }
    if (variants.isEmpty()) {
      usage("--variant must be all, cause-first, symptoms-first, no-cause or two-trees, not '" + chosen + "'");
    }
    String expect = options.getOrDefault("expect", "true");
    if (!expect.equals("true") && !expect.equals("false")) {
      usage("--expect must be true or false, not '" + expect + "'");
    }
    CauseBench bench = new CauseBench(options.get("url"), options.get("token"));
    boolean pass = true;
    try {
      bench.sent = positive(options, "sent", bench.sent);
      bench.distinct = positive(options, "distinct", bench.distinct);
      bench.batch = positive(options, "batch", bench.batch);
      bench.rateLimit = positive(options, "rate-limit", bench.rateLimit);
      bench.causeAfter = seconds(options, "cause-after", bench.causeAfter);
      bench.groupDelay = seconds(options, "group-delay", bench.groupDelay);
      bench.quiet = seconds(options, "quiet", bench.quiet);
      bench.rateWindow = seconds(options, "rate-window", bench.rateWindow);
      bench.settleTimeout = seconds(options, "settle-timeout", bench.settleTimeout);
      if (bench.distinct > bench.sent) {
        usage("--distinct (" + bench.distinct + ") must not exceed --sent (" + bench.sent + ")");
      }
      String run = Long.toString(System.currentTimeMillis(), 36);
      String label = options.getOrDefault("label", "cause");
      for (Variant variant : variants) {
        boolean met = bench.run(variant, run, label);
        pass &= met || expect.equals("false");
      }
    } finally {
      bench.receiver.stop(0);
    }
    System.exit(pass ? 0 : 1);
  }

  private static void usage(String problem) {
    System.err.println("CauseBench: " + problem);
    System.err.print(USAGE);
    System.exit(2);
  }

  private static int positive(Map<String, String> options, String name, int fallback) {
    try {
      int value = Integer.parseInt(options.getOrDefault(name, Integer.toString(fallback)));
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // Reported below with the value.
    }
    usage("--" + name + " must be a positive integer, not '" + options.get(name) + "'");
    return fallback;
  }

  private static double seconds(Map<String, String> options, String name, double fallback) {
    try {
      double value = Double.parseDouble(options.getOrDefault(name, Double.toString(fallback)));
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // Reported below with the value.
    }
    usage("--" + name + " must be a number of seconds ≥ 0, not '" + options.get(name) + "'");
    return fallback;
  }

  /** Sets a variant up, sends its storm, waits for it to settle and reports; whether it met its expectations. */
  boolean run(Variant variant, String run, String label) throws Exception {
    String prefix = "cb-" + run + "-" + variant.text + "-";
    Outage outage = outage(variant, prefix);
    System.out.printf(
        Locale.ROOT,
        "%n== %s: %d services (%d failing dependents), %,d symptom sends (%,d distinct), batches of up to %d%n",
        variant.text,
        outage.ids().size(),
        outage.dependents().size(),
        sent,
        distinct,
        batch);

    ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    AtomicLong causeSentAt = new AtomicLong();
    int failed = 0;
    String root = prefix + "postgres";
    if (variant == Variant.CAUSE_FIRST) {
      causeSentAt.set(System.nanoTime());
      failed += alerts(outage.keys().get(root), "[" + CAUSE.formatted(root) + "]") ? 0 : 1;
    }
    List<List<String>> batches = symptomBatches(outage.dependents());
    long firstSymptomAt = System.nanoTime();
    ScheduledFuture<Boolean> cause = null;
    if (variant == Variant.SYMPTOMS_FIRST) {
      // A second thread, so that the storm goes on around the cause's alert as it does when a
      // rule's `for:` delays the cause behind symptoms that fire at once.
      cause =
          later.schedule(
              () -> {
                causeSentAt.set(System.nanoTime());
                return alerts(outage.keys().get(root), "[" + CAUSE.formatted(root) + "]");
              },
              (long) (causeAfter * 1000),
              TimeUnit.MILLISECONDS);
    }
    int sends = 0;
    int requests = 0;
    for (int i = 0; sends < sent; i = (i + 1) % batches.size()) {
      List<String> batch = batches.get(i);
      List<String> alerts = batch.subList(1, Math.min(batch.size(), 1 + sent - sends));
      if (!alerts(outage.keys().get(batch.get(0)), "[" + String.join(",", alerts) + "]")) {
        failed++;
      }
      sends += alerts.size();
      requests++;
    }
    long lastSymptomAt = System.nanoTime();
    if (cause != null && !cause.get()) {
      failed++;
    }
    later.shutdown();
    System.out.printf(
        Locale.ROOT,
        "sent %,d symptom alerts in %d requests over %.1f s (failed requests %d)%s%n",
        sends,
        requests,
        (lastSymptomAt - firstSymptomAt) / 1e9,
        failed,
        causeSentAt.get() == 0
            ? "; no cause alert"
            : String.format(
                Locale.ROOT,
                "; postgres's alert %.1f s %s the first symptom",
                Math.abs(causeSentAt.get() - firstSymptomAt) / 1e9,
                causeSentAt.get() < firstSymptomAt ? "before" : "after"));

    long holdEnds = Math.max(lastSymptomAt, causeSentAt.get()) + (long) (groupDelay * 1e9);
    Settled settled = settle(outage, holdEnds);
    List<Arrival> received = messages(outage.path());
    long pages = distinctOf(received, "page");
    long summaries = distinctOf(received, "summary");
    long posts = received.size();
    int folded = received.stream().mapToInt(Arrival::folded).sum();
    int opened = incidents(Set.copyOf(outage.ids().values()), "");
    Arrival firstPage =
        received.stream().filter(a -> a.kind().equals("page")).findFirst().orElse(null);
    Long latencyMs = firstPage == null ? null : (firstPage.nanos() - firstSymptomAt) / 1_000_000;
    Set<String> paged = new LinkedHashSet<>();
    received.stream()
        .filter(a -> a.kind().equals("page"))
        .forEach(a -> paged.add(a.serviceName().replace(prefix, "")));
    boolean met =
        failed == 0
            && settled.done()
            && settled.openIncidents() == variant.incidents
            && pages == variant.pages
            && summaries == 0;
    System.out.printf(
        Locale.ROOT,
        "%s after %.0f s: open incidents %d (opened %d); pages %d (%s), summaries %d (of %d more pages), webhook POSTs %d; first symptom -> first page %s%n",
        settled.done() ? "settled" : "NOT settled (timeout)",
        settled.waitedSeconds(),
        settled.openIncidents(),
        opened,
        pages,
        String.join(", ", paged),
        summaries,
        folded,
        posts,
        latencyMs == null ? "none" : latencyMs + " ms (" + firstPage.serviceName().replace(prefix, "") + ")");
    System.out.printf(
        Locale.ROOT,
        "expected %d open incident%s, %d page%s, no summary: %s%n",
        variant.incidents,
        variant.incidents == 1 ? "" : "s",
        variant.pages,
        variant.pages == 1 ? "" : "s",
        met ? "met" : "MISSED");
    System.out.printf(
        Locale.ROOT,
        "RESULT {\"label\":\"%s\",\"mode\":\"cause\",\"variant\":\"%s\",\"services\":%d,\"symptom_sends\":%d,\"distinct\":%d,\"requests\":%d,\"failed_requests\":%d,\"cause_after_first_symptom_ms\":%s,\"open_incidents\":%d,\"incidents_opened\":%d,\"pages\":%d,\"summaries\":%d,\"summarized_pages\":%d,\"webhook_posts\":%d,\"first_symptom_to_page_ms\":%s,\"first_page_service\":%s,\"latency_target_ms\":%d,\"settled\":%s,\"settle_s\":%.0f,\"expected\":{\"open_incidents\":%d,\"pages\":%d,\"summaries\":0},\"pass\":%s}%n",
        label,
        variant.text,
        outage.ids().size(),
        sends,
        distinct,
        requests,
        failed,
        causeSentAt.get() == 0 ? "null" : Long.toString((causeSentAt.get() - firstSymptomAt) / 1_000_000),
        settled.openIncidents(),
        opened,
        pages,
        summaries,
        folded,
        posts,
        latencyMs == null ? "null" : latencyMs.toString(),
        firstPage == null ? "null" : "\"" + firstPage.serviceName().replace(prefix, "") + "\"",
        (long) (groupDelay * 1000) + 1000,
        settled.done(),
        settled.waitedSeconds(),
        variant.incidents,
        variant.pages,
        met);
    return met;
  }

  /** How a variant's wait ended. */
  record Settled(boolean done, int openIncidents, double waitedSeconds) {}

  /**
   * Polls until nothing has moved for {@code --quiet} seconds after the last hold could end: no
   * page or summary reached the variant's webhook, its open incident count and the server's
   * correlated-alert count stayed the same. Bounded by {@code --settle-timeout}.
   */
  private Settled settle(Outage outage, long holdEnds) throws Exception {
    long start = System.nanoTime();
    long deadline = start + (long) (settleTimeout * 1e9);
    long quietNanos = (long) (quiet * 1e9);
    long windowNanos = (long) (rateWindow * 1e9);
    long lastChange = start;
    int incidents = -1;
    double correlated = -1;
    while (true) {
      int nowIncidents = incidents(Set.copyOf(outage.ids().values()), OPEN);
      double nowCorrelated = correlated();
      long now = System.nanoTime();
      if (nowIncidents != incidents || nowCorrelated != correlated) {
        incidents = nowIncidents;
        correlated = nowCorrelated;
        lastChange = now;
      }
      List<Arrival> received = messages(outage.path());
      long lastArrival = received.isEmpty() ? 0 : received.get(received.size() - 1).nanos();
      long quietFrom = Math.max(Math.max(lastChange, lastArrival), holdEnds);
      long settledAt = quietFrom + quietNanos;
      if (summaryMayBePending(received, lastChange, windowNanos)) {
        // A page over the rate limit is folded into a summary due when the oldest message of
        // the window leaves it: no later than the last arrival plus the window.
        settledAt = Math.max(settledAt, lastArrival + windowNanos + quietNanos);
      }
      if (now >= settledAt) {
        return new Settled(true, incidents, (now - start) / 1e9);
      }
      if (now >= deadline) {
        return new Settled(false, incidents, (now - start) / 1e9);
      }
      Thread.sleep(Math.min(2000, Math.max(100, (settledAt - now) / 1_000_000)));
    }
  }

  /**
   * Whether a page may sit folded in a summary not yet sent. A fold needs the person over the
   * limit, which needs {@code --rate-limit} deliveries within a window ending at the last one
   * (nothing arrived since); once a summary arrived, a new fold needs a new page, which follows an
   * incident change by at most the group delay.
   */
  private boolean summaryMayBePending(List<Arrival> received, long lastChange, long windowNanos) {
    if (received.isEmpty()) {
      return false;
    }
    Arrival last = received.get(received.size() - 1);
    long inWindow = received.stream().filter(a -> a.nanos() >= last.nanos() - windowNanos).count();
    if (inWindow < rateLimit) {
      return false;
    }
    return !(last.kind().equals("summary")
        && lastChange + (long) (groupDelay * 1e9) + 2_000_000_000L < last.nanos());
  }

  /** The pages and summaries that reached a path so far, in order of arrival. */
  private List<Arrival> messages(String path) {
    List<Arrival> received = arrivals.getOrDefault(path, List.of());
    synchronized (received) {
      List<Arrival> copy = new ArrayList<>();
      for (Arrival arrival : received) {
        if (arrival.kind().equals("page") || arrival.kind().equals("summary")) {
          copy.add(arrival);
        }
      }
      copy.sort(java.util.Comparator.comparingLong(Arrival::nanos));
      return copy;
    }
  }

  /** Messages of a kind, a re-send of the same message (same Idempotency-Key) counted once. */
  private static long distinctOf(List<Arrival> received, String kind) {
    return received.stream()
        .filter(a -> a.kind().equals(kind))
        .map(a -> a.idempotencyKey().isEmpty() ? Long.toString(a.nanos()) : a.idempotencyKey())
        .distinct()
        .count();
  }

  /** Incidents on these services with a status filter ("" for all), every page of the list. */
  private int incidents(Set<String> services, String status) throws Exception {
    int count = 0;
    String cursor = null;
    do {
      String page =
          call(
              "GET",
              "/api/v1/incidents?limit=200"
                  + (status.isEmpty() ? "" : "&status=" + status)
                  + (cursor == null ? "" : "&cursor=" + cursor),
              null);
      Matcher service = INCIDENT_SERVICE.matcher(page);
      while (service.find()) {
        if (services.contains(service.group(1))) {
          count++;
        }
      }
      Matcher next = CURSOR.matcher(page);
      cursor = next.find() ? next.group(1) : null;
    } while (cursor != null);
    return count;
  }

  /** The server's tocsin_alerts_correlated_total summed over its labels; -1 when unreadable. */
  private double correlated() {
    try {
      String metrics = send("GET", "/actuator/prometheus", null, null);
      Matcher sample = CORRELATED.matcher(metrics);
      double sum = 0;
      while (sample.find()) {
        sum += Double.parseDouble(sample.group(1));
      }
      return sum;
    } catch (Exception e) {
      return -1;
    }
  }

  /**
   * The variant's services, each with an alertmanager integration and following the variant's
   * policy, which pages the variant's person at once through a verified webhook.
   */
  private Outage outage(Variant variant, String prefix) throws Exception {
    String path = "/hook/" + prefix.replaceAll("-$", "");
    String policy = person(prefix, path);
    Map<String, String> ids = new LinkedHashMap<>();
    Map<String, String> keys = new LinkedHashMap<>();
    List<String> dependents = new ArrayList<>();
    String postgres = service(prefix + "postgres", List.of(), policy, ids, keys);
    if (variant == Variant.TWO_TREES) {
      String redis = service(prefix + "redis", List.of(), policy, ids, keys);
      for (int i = 1; i <= 6; i++) {
        // Interleaved: the two trees' symptoms take turns, as two outages at once would.
        service(prefix + "api-" + i, List.of(postgres), policy, ids, keys);
        dependents.add(prefix + "api-" + i);
        service(prefix + "session-" + i, List.of(redis), policy, ids, keys);
        dependents.add(prefix + "session-" + i);
      }
    } else {
      for (int i = 1; i <= 12; i++) {
        service(prefix + "api-" + i, List.of(postgres), policy, ids, keys);
        dependents.add(prefix + "api-" + i);
      }
      for (int i = 1; i <= 8; i++) {
        service(prefix + "worker-" + i, List.of(postgres), policy, ids, keys);
        dependents.add(prefix + "worker-" + i);
      }
      for (int i = 1; i <= 3; i++) {
        // Through api-1: a dependency two hops away.
        service(prefix + "frontend-" + i, List.of(ids.get(prefix + "api-1")), policy, ids, keys);
        dependents.add(prefix + "frontend-" + i);
      }
    }
    return new Outage(ids, keys, dependents, path);
  }

  private String service(
      String name,
      List<String> dependencies,
      String policy,
      Map<String, String> ids,
      Map<String, String> keys)
      throws Exception {
    String service =
        id(
            call(
                "POST",
                "/api/v1/services",
                "{\"name\":\""
                    + name
                    + "\",\"dependencies\":["
                    + String.join(",", dependencies.stream().map(d -> "\"" + d + "\"").toList())
                    + "]}"));
    call(
        "PUT",
        "/api/v1/services/" + service + "/escalation-policy",
        "{\"policyId\":\"" + policy + "\"}");
    Matcher key =
        KEY.matcher(
            call(
                "POST",
                "/api/v1/services/" + service + "/integrations",
                "{\"name\":\"prometheus\",\"kind\":\"alertmanager\"}"));
    if (!key.find()) {
      throw new IllegalStateException("no integration key for " + name);
    }
    ids.put(name, service);
    keys.put(name, key.group(1));
    return service;
  }

  /**
   * A person whose first verified method, a webhook to {@code path}, gets the default rule (every
   * page at once), and a policy that pages them at level 1 and never repeats; the policy's id.
   */
  private String person(String prefix, String path) throws Exception {
    String user =
        id(
            call(
                "POST",
                "/api/v1/users",
                "{\"name\":\"On call "
                    + prefix.replaceAll("-$", "")
                    + "\",\"email\":\""
                    + prefix
                    + "oncall@bench.example\",\"role\":\"responder\",\"timeZone\":\"UTC\",\"password\":\"a long enough password\"}"));
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
    return id(
        call(
            "POST",
            "/api/v1/escalation-policies",
            "{\"name\":\""
                + prefix
                + "policy\",\"repeat\":0,\"levels\":[{\"delayMinutes\":30,\"targets\":[{\"type\":\"user\",\"id\":\""
                + user
                + "\"}]}]}"));
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

  /**
   * The distinct symptom alerts in batches of one service each: the service name first, then the
   * alerts. Services take turns, as in a real storm (IncidentStormIntegrationTests.symptomBatches).
   */
  private List<List<String>> symptomBatches(List<String> services) {
    List<List<String>> batches = new ArrayList<>();
    Map<String, List<String>> open = new LinkedHashMap<>();
    for (int n = 0; n < distinct; n++) {
      String service = services.get(n % services.size());
      String alertname = SYMPTOMS[(n / services.size()) % SYMPTOMS.length];
      String alert =
          "{\"labels\":{\"alertname\":\""
              + alertname
              + "\",\"cluster\":\"prod\",\"pod\":\""
              + service
              + "-"
              + n
              + "\",\"severity\":\"critical\"},\"annotations\":{\"summary\":\""
              + alertname
              + " on "
              + service
              + "\"}}";
      List<String> batch = open.computeIfAbsent(service, s -> new ArrayList<>(List.of(s)));
      batch.add(alert);
      if (batch.size() == this.batch + 1) {
        batches.add(batch);
        open.remove(service);
      }
    }
    batches.addAll(open.values());
    return batches;
  }

  /** POSTs alerts with an integration key; whether the answer was 2xx. */
  private boolean alerts(String key, String body) {
    try {
      send("POST", "/api/v2/alerts", body, "Bearer " + key);
      return true;
    } catch (Exception e) {
      System.out.println("   alert POST failed: " + e.getMessage());
      return false;
    }
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
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          method + " " + path + " answered " + response.statusCode() + ": " + abbreviated(response.body()));
    }
    return response.body();
  }

  private static String abbreviated(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "…";
  }
}
