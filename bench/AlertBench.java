import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * AlertBench is a load generator for Tocsin's Alertmanager API v2 ingestion endpoint, {@code POST
 * /api/v2/alerts}. It runs from source with the JDK alone: {@code java bench/AlertBench.java MODE
 * --url URL --key KEY ...}; {@code java bench/AlertBench.java --help} lists the options.
 *
 * <p>Modes: {@code batch} (B alerts per request) and {@code single} (one alert per request), each
 * closed loop, or open loop with {@code --rate}, and {@code storm} (a fixed set of
 * distinct alerts over many integration keys, each re-sent in rounds as Prometheus does, then
 * checked for exactness).
 *
 * <p>The generator shares the machine with the server, so it is kept cheap: bodies are written as
 * bytes from constant fragments, and the default client is a small keep-alive HTTP/1.1 client on
 * plain sockets ({@code --client jdk} uses {@link HttpClient} instead, for comparison). Open-loop
 * latency is measured from the scheduled send time, so a slow server is not hidden by a generator
 * that waits for it (coordinated omission).
 */
public class AlertBench {

  /** How long a firing alert stays valid unless re-sent, as Prometheus computes endsAt. */
  private static final Duration VALIDITY = Duration.ofMinutes(5);

  private static final String PATH = "/api/v2/alerts";

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("AlertBench: " + e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    if (options.help) {
      System.out.println(Options.USAGE);
      return;
    }
    int exit =
        switch (options.mode) {
          case "batch", "single" -> new LoadRun(options).run();
          case "storm" -> new StormRun(options).run();
          default -> throw new IllegalStateException(options.mode);
        };
    System.exit(exit);
  }

  // ---------------------------------------------------------------------------------------------
  // Options

  static final class Options {

    static final String USAGE =
        """
        Usage: java bench/AlertBench.java batch|single|storm --url URL (--key KEY | --keys K1,K2,...) [options]

          --url URL               Tocsin's base URL, e.g. http://127.0.0.1:8080
          --key KEY               an alertmanager integration key (batch, single)
          --keys K1,K2,...        several keys: connection i uses key i mod n (batch, single);
                                  storm spreads its alerts over them (one per service)
          --connections N         concurrent keep-alive connections (default 8)
          --batch B               alerts per request (batch: default 100; single: always 1;
                                  storm: default 64, Prometheus' batch size)
          --duration S            measured seconds (default 30; batch, single)
          --warmup S              seconds sent before measuring, not counted (default 5)
          --repeat-fraction F     share of alerts that re-send an alert this connection already
                                  sent, which Tocsin refreshes instead of inserting (default 0.5)
          --rate R                batch, single: R requests/s in total, open loop, latency
                                  measured from the scheduled send time; without it, closed loop
                                  at full speed
          --resolve-fraction F    batch, single: share of alerts that resolve an alert this
                                  connection sent earlier (endsAt in the past; default 0)
          --report-every S        batch, single: also the latency of each S seconds of the
                                  measured window, to see it drift over a long run (default 0: no)
          --alerts A              storm: distinct alerts (default 46769)
          --resends R             storm: how often each alert is sent, in rounds (default 4)
          --verify-cmd CMD        storm: shell command whose output starts with the number of
                                  stored alert rows of the storm's integrations (the first
                                  integer printed is taken); compared with --alerts
          --verify-seen-cmd CMD   storm: the same for the sum of times_seen over those rows;
                                  compared with alerts x resends
          --verify-api            storm: also count firing alerts with GET /api/v2/alerts, once
                                  per key
          --client raw|jdk        raw sockets (default) or java.net.http.HttpClient
          --label NAME            a name for this run, copied into the RESULT line
        Output: human-readable lines, then one line "RESULT {json}". Exit status 0 when every
        answer was 2xx (storm: and the exactness checks passed), 1 otherwise.
        """;

    String mode;
    URI url;
    List<String> keys = new ArrayList<>();
    int connections = 8;
    int batch = -1;
    double duration = 30;
    double warmup = 5;
    double repeatFraction = 0.5;
    double rate = 0;
    double resolveFraction = 0;
    double reportEvery = 0;
    int alerts = 46_769;
    int resends = 4;
    String verifyCmd;
    String verifySeenCmd;
    boolean verifyApi;
    String client = "raw";
    String label = "";
    boolean help;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("-h") || arg.equals("--help")) {
          o.help = true;
          return o;
        }
        if (!arg.startsWith("--")) {
          if (o.mode != null) {
            throw new IllegalArgumentException("unexpected argument '" + arg + "'");
          }
          o.mode = arg;
          continue;
        }
        String name = arg.substring(2);
        String value = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (name.equals("verify-api")) {
          o.verifyApi = value == null || Boolean.parseBoolean(value);
          continue;
        }
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--" + name + " needs a value");
          }
          value = args[++i];
        }
        try {
          switch (name) {
            case "url" -> o.url = URI.create(value.replaceAll("/+$", ""));
            case "key" -> o.keys.add(value);
            case "keys" -> Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .forEach(o.keys::add);
            case "connections" -> o.connections = positive(name, Integer.parseInt(value));
            case "batch" -> o.batch = positive(name, Integer.parseInt(value));
            case "duration" -> o.duration = Double.parseDouble(value);
            case "warmup" -> o.warmup = Double.parseDouble(value);
            case "repeat-fraction" -> o.repeatFraction = Double.parseDouble(value);
            case "rate" -> o.rate = Double.parseDouble(value);
            case "resolve-fraction" -> o.resolveFraction = Double.parseDouble(value);
            case "report-every" -> o.reportEvery = Double.parseDouble(value);
            case "alerts" -> o.alerts = positive(name, Integer.parseInt(value));
            case "resends" -> o.resends = positive(name, Integer.parseInt(value));
            case "verify-cmd" -> o.verifyCmd = value;
            case "verify-seen-cmd" -> o.verifySeenCmd = value;
            case "client" -> o.client = value;
            case "label" -> o.label = value;
            default -> throw new IllegalArgumentException("unknown option --" + name);
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--" + name + " '" + value + "' is not a number");
        }
      }
      if (o.mode == null || !List.of("batch", "single", "storm").contains(o.mode)) {
        throw new IllegalArgumentException(
            "the mode must be batch, single or storm, not " + o.mode);
      }
      if (o.url == null || o.url.getHost() == null) {
        throw new IllegalArgumentException("--url is required, e.g. http://127.0.0.1:8080");
      }
      if (!"http".equals(o.url.getScheme())) {
        throw new IllegalArgumentException("--url must be http://, not " + o.url.getScheme());
      }
      if (o.keys.isEmpty()) {
        throw new IllegalArgumentException("--key or --keys is required");
      }
      if (o.repeatFraction < 0 || o.repeatFraction > 1) {
        throw new IllegalArgumentException(
            "--repeat-fraction must be between 0 and 1, not " + o.repeatFraction);
      }
      if (!o.client.equals("raw") && !o.client.equals("jdk")) {
        throw new IllegalArgumentException("--client must be raw or jdk, not " + o.client);
      }
      if (o.duration <= 0 || o.warmup < 0 || o.rate < 0) {
        throw new IllegalArgumentException("--duration must be > 0, --warmup and --rate >= 0");
      }
      if (o.batch < 0) {
        o.batch = o.mode.equals("storm") ? 64 : 100;
      }
      if (o.mode.equals("single")) {
        o.batch = 1;
      }
      if ((o.rate > 0 || o.resolveFraction > 0 || o.reportEvery > 0) && o.mode.equals("storm")) {
        throw new IllegalArgumentException(
            "--rate, --resolve-fraction and --report-every apply to batch and single only");
      }
      if (o.resolveFraction < 0 || o.repeatFraction + o.resolveFraction > 1) {
        throw new IllegalArgumentException(
            "--resolve-fraction must be >= 0, and at most 1 with --repeat-fraction");
      }
      return o;
    }

    private static int positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException("--" + name + " must be positive, not " + value);
      }
      return value;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Bodies

  /** A growable byte array that request bodies are written into, ASCII only. */
  static final class Bytes {
    byte[] data;
    int length;

    Bytes(int capacity) {
      data = new byte[capacity];
    }

    void reset() {
      length = 0;
    }

    void ensure(int extra) {
      if (length + extra > data.length) {
        data = Arrays.copyOf(data, Math.max(data.length * 2, length + extra));
      }
    }

    Bytes put(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, data, length, b.length);
      length += b.length;
      return this;
    }

    Bytes put(byte[] b, int offset, int count) {
      ensure(count);
      System.arraycopy(b, offset, data, length, count);
      length += count;
      return this;
    }

    Bytes put(char c) {
      ensure(1);
      data[length++] = (byte) c;
      return this;
    }

    Bytes put(long value) {
      if (value < 0) {
        put('-');
        value = -value;
      }
      ensure(20);
      int start = length;
      do {
        data[length++] = (byte) ('0' + value % 10);
        value /= 10;
      } while (value > 0);
      for (int i = start, j = length - 1; i < j; i++, j--) {
        byte t = data[i];
        data[i] = data[j];
        data[j] = t;
      }
      return this;
    }

    byte[] toArray() {
      return Arrays.copyOf(data, length);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Writes Alertmanager-v2 postable alerts from constant fragments. An alert is named by a group
   * (connection or storm service) and a sequence number; the same pair always gives the same label
   * set, so the same fingerprint.
   */
  static final class AlertWriter {
    private static final String[] NAMES = {
      "HighLatency", "InstanceDown", "DiskFilling", "HighErrorRate", "CertificateExpiring",
      "MemoryPressure", "QueueBacklog", "ReplicationLag", "PodCrashLooping", "TargetMissing",
      "CpuThrottled", "NodeNotReady", "ProbeFailed", "SlowQueries", "TooManyOpenFiles",
      "BackupMissing"
    };
    private static final byte[][] ALERTNAMES = new byte[NAMES.length][];
    private static final byte[][] SUMMARIES = new byte[NAMES.length][];

    static {
      for (int i = 0; i < NAMES.length; i++) {
        ALERTNAMES[i] = ascii("{\"labels\":{\"alertname\":\"" + NAMES[i] + "\",\"service\":\"");
        SUMMARIES[i] = ascii("\"},\"annotations\":{\"summary\":\"" + NAMES[i] + " on ");
      }
    }

    private static final byte[] INSTANCE = ascii("\",\"instance\":\"");
    private static final byte[] STARTS = ascii("\"},\"startsAt\":\"");
    private static final byte[] ENDS = ascii("\",\"endsAt\":\"");
    private static final byte[] TAIL = ascii("\",\"generatorURL\":\"http://prom/graph\"}");

    private final byte[] service;
    private final byte[] instancePrefix;

    /** {@code runTag} keeps the alerts of separate runs against one server apart. */
    AlertWriter(String service, String runTag, String group) {
      this.service = ascii(service);
      this.instancePrefix = ascii(runTag + "-" + group + "-");
    }

    void write(Bytes out, long seq, byte[] startsAt, byte[] endsAt) {
      int name = (int) (seq % NAMES.length);
      out.put(ALERTNAMES[name]).put(service).put(INSTANCE).put(instancePrefix).put(seq);
      out.put(SUMMARIES[name]).put(instancePrefix).put(seq);
      out.put(STARTS).put(startsAt).put(ENDS).put(endsAt).put(TAIL);
    }
  }

  /**
   * Now, now + 5 min, and a second and a minute ago (a resolve's end and start) as ISO-8601 bytes,
   * recomputed once per second at most.
   */
  static final class Timestamps {
    private long second = Long.MIN_VALUE;
    byte[] now;
    byte[] ends;
    byte[] past;
    byte[] earlier;

    void tick() {
      long s = System.currentTimeMillis() / 1000;
      if (s != second) {
        second = s;
        Instant instant = Instant.ofEpochSecond(s);
        now = ascii(instant.toString());
        ends = ascii(instant.plus(VALIDITY).toString());
        past = ascii(instant.minusSeconds(1).toString());
        earlier = ascii(instant.minusSeconds(60).toString());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP

  /** One answer: status, Retry-After in seconds (-1 without), and the body when it was kept. */
  record Response(int status, long retryAfter, byte[] body) {}

  /** One client connection, used by one thread at a time. */
  interface Transport extends AutoCloseable {
    Response post(String path, String key, byte[] body, int length) throws IOException;

    Response get(String path, String key) throws IOException;

    /** Connections opened again after the server closed one (Tomcat does every 100 requests). */
    long reconnects();

    @Override
    void close();
  }

  static Transport transport(Options o) {
    return o.client.equals("jdk") ? new JdkTransport(o.url) : new RawTransport(o.url);
  }

  /**
   * A keep-alive HTTP/1.1 client on a plain socket: request head and body go out in one write, and
   * the answer is read with Content-Length or chunked framing. A request that fails on a reused
   * connection before any answer arrived is sent once more on a new one, as Go's client does for
   * a connection the server closed while idle.
   */
  static final class RawTransport implements Transport {
    private final String host;
    private final int port;
    private final byte[] hostHeader;
    private final Bytes request = new Bytes(64 * 1024);
    private String headPath;
    private String headKey;
    private byte[] head;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int used;
    private long reconnects;
    private final StringBuilder line = new StringBuilder(128);
    private final byte[] skip = new byte[8192];

    RawTransport(URI url) {
      this.host = url.getHost();
      this.port = url.getPort() < 0 ? 80 : url.getPort();
      this.hostHeader = ascii("Host: " + host + ":" + port + "\r\n");
    }

    @Override
    public Response post(String path, String key, byte[] body, int length) throws IOException {
      if (!path.equals(headPath) || !key.equals(headKey)) {
        // Workers post to one path with one key: the head is built once, not per request.
        headPath = path;
        headKey = key;
        head =
            ascii(
                "POST "
                    + path
                    + " HTTP/1.1\r\nHost: "
                    + host
                    + ":"
                    + port
                    + "\r\nAuthorization: Bearer "
                    + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: ");
      }
      request.reset();
      request.put(head).put(length).put('\r').put('\n').put('\r').put('\n');
      request.put(body, 0, length);
      return exchange(false);
    }

    @Override
    public Response get(String path, String key) throws IOException {
      request.reset();
      request.put(ascii("GET " + path + " HTTP/1.1\r\n")).put(hostHeader);
      request.put(ascii("Authorization: Bearer " + key + "\r\nAccept: application/json\r\n\r\n"));
      return exchange(true);
    }

    private Response exchange(boolean keepBody) throws IOException {
      boolean reused = socket != null;
      if (!reused) {
        connect();
      }
      try {
        out.write(request.data, 0, request.length);
        out.flush();
        return read(keepBody, reused);
      } catch (Resend e) {
        close();
        reconnects++;
        connect();
        out.write(request.data, 0, request.length);
        out.flush();
        return read(keepBody, false);
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    /** Thrown when a reused connection turned out closed before the answer started. */
    private static final class Resend extends IOException {
      Resend(Throwable cause) {
        super(cause);
      }
    }

    private void connect() throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.setKeepAlive(true);
      socket.connect(new InetSocketAddress(host, port), 5_000);
      socket.setSoTimeout(120_000);
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      out = socket.getOutputStream();
      used = 0;
    }

    private Response read(boolean keepBody, boolean mayResend) throws IOException {
      String status;
      try {
        status = readLine();
      } catch (IOException e) {
        if (mayResend) {
          throw new Resend(e);
        }
        throw e;
      }
      if (status == null) {
        if (mayResend) {
          throw new Resend(new EOFException("connection closed"));
        }
        throw new EOFException("connection closed before the answer");
      }
      if (!status.startsWith("HTTP/1.") || status.length() < 12) {
        throw new IOException("not an HTTP answer: " + status);
      }
      int code = Integer.parseInt(status.substring(9, 12));
      long contentLength = -1;
      boolean chunked = false;
      boolean close = status.startsWith("HTTP/1.0");
      long retryAfter = -1;
      for (String h = readLine(); h != null && !h.isEmpty(); h = readLine()) {
        int colon = h.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> contentLength = Long.parseLong(value);
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          case "connection" -> close = value.equalsIgnoreCase("close");
          case "retry-after" -> {
            try {
              retryAfter = Long.parseLong(value);
            } catch (NumberFormatException e) {
              retryAfter = 1;
            }
          }
          default -> {}
        }
      }
      ByteArrayOutputStream body = keepBody ? new ByteArrayOutputStream() : null;
      if (chunked) {
        while (true) {
          String size = readLine();
          if (size == null) {
            throw new EOFException("connection closed in a chunked body");
          }
          int semi = size.indexOf(';');
          long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
          if (n == 0) {
            for (String t = readLine(); t != null && !t.isEmpty(); t = readLine()) {
              // trailers: ignored
            }
            break;
          }
          copy(n, body);
          readLine();
        }
      } else if (contentLength > 0) {
        copy(contentLength, body);
      } else if (contentLength < 0 && code >= 200 && code != 204 && code != 304) {
        copy(Long.MAX_VALUE, body);
        close = true;
      }
      used++;
      if (close) {
        close();
      }
      return new Response(code, retryAfter, body == null ? null : body.toByteArray());
    }

    private void copy(long n, ByteArrayOutputStream body) throws IOException {
      while (n > 0) {
        int r = in.read(skip, 0, (int) Math.min(skip.length, n));
        if (r < 0) {
          if (n == Long.MAX_VALUE || n < 0) {
            return;
          }
          throw new EOFException("connection closed in the body");
        }
        if (body != null) {
          body.write(skip, 0, r);
        }
        if (n != Long.MAX_VALUE) {
          n -= r;
        }
      }
    }

    private String readLine() throws IOException {
      line.setLength(0);
      int c;
      while ((c = in.read()) >= 0) {
        if (c == '\n') {
          int l = line.length();
          if (l > 0 && line.charAt(l - 1) == '\r') {
            line.setLength(l - 1);
          }
          return line.toString();
        }
        line.append((char) c);
      }
      return line.length() == 0 ? null : line.toString();
    }

    @Override
    public long reconnects() {
      return reconnects;
    }

    @Override
    public void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing anyway
        }
        socket = null;
      }
    }
  }

  /** The same requests through {@link HttpClient}, HTTP/1.1, one client per connection. */
  static final class JdkTransport implements Transport {
    private final HttpClient client;
    private final URI base;

    JdkTransport(URI base) {
      this.base = base;
      this.client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
    }

    @Override
    public Response post(String path, String key, byte[] body, int length) throws IOException {
      HttpRequest request =
          HttpRequest.newBuilder(base.resolve(path))
              .header("Authorization", "Bearer " + key)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, length))
              .build();
      return send(request, false);
    }

    @Override
    public Response get(String path, String key) throws IOException {
      HttpRequest request =
          HttpRequest.newBuilder(base.resolve(path))
              .header("Authorization", "Bearer " + key)
              .header("Accept", "application/json")
              .GET()
              .build();
      return send(request, true);
    }

    private Response send(HttpRequest request, boolean keepBody) throws IOException {
      try {
        HttpResponse<?> answer =
            keepBody
                ? client.send(request, HttpResponse.BodyHandlers.ofByteArray())
                : client.send(request, HttpResponse.BodyHandlers.discarding());
        long retryAfter =
            answer.headers().firstValue("Retry-After").map(AlertBench::seconds).orElse(-1L);
        return new Response(
            answer.statusCode(), retryAfter, keepBody ? (byte[]) answer.body() : null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }

    @Override
    public long reconnects() {
      return 0;
    }

    @Override
    public void close() {
      // HttpClient (Java 17) has no close; its connections go with it.
    }
  }

  static long seconds(String retryAfter) {
    try {
      return Long.parseLong(retryAfter.trim());
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Statistics

  /** What one worker saw; merged at the end, so workers never share a counter. */
  static final class Stats {
    long[] latencies = new long[1 << 14];
    int count;
    long requests;
    long alerts;
    long ok;
    long retries;
    long ioErrors;
    long failed;
    long reconnects;
    long notSent;
    final Map<Integer, Long> statuses = new TreeMap<>();

    void latency(long nanos) {
      if (count == latencies.length) {
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      latencies[count++] = nanos;
    }

    void answer(int status) {
      if (status >= 200 && status < 300) {
        ok++;
      } else {
        statuses.merge(status, 1L, Long::sum);
      }
    }

    void add(Stats other) {
      for (int i = 0; i < other.count; i++) {
        latency(other.latencies[i]);
      }
      requests += other.requests;
      alerts += other.alerts;
      ok += other.ok;
      retries += other.retries;
      ioErrors += other.ioErrors;
      failed += other.failed;
      notSent += other.notSent;
      reconnects += other.reconnects;
      other.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
    }

    long non2xx() {
      return statuses.values().stream().mapToLong(Long::longValue).sum();
    }

    private long[] sorted;

    /** Nearest-rank percentile; call once all latencies are in. */
    double percentileMillis(double p) {
      if (count == 0) {
        return 0;
      }
      if (sorted == null || sorted.length != count) {
        sorted = Arrays.copyOf(latencies, count);
        Arrays.sort(sorted);
      }
      int rank = (int) Math.ceil(p / 100.0 * count) - 1;
      return sorted[Math.max(0, Math.min(count - 1, rank))] / 1e6;
    }
  }

  /** Keeps a JSON object's fields in order; values are numbers, strings, booleans or objects. */
  static final class Json {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    Json put(String name, Object value) {
      fields.put(name, value);
      return this;
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder("{");
      fields.forEach(
          (name, value) -> {
            if (s.length() > 1) {
              s.append(',');
            }
            s.append(quote(name)).append(':').append(value(value));
          });
      return s.append('}').toString();
    }

    private static String value(Object value) {
      if (value == null) {
        return "null";
      }
      if (value instanceof Double d) {
        return Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "null";
      }
      if (value instanceof Number || value instanceof Boolean || value instanceof Json) {
        return value.toString();
      }
      if (value instanceof List<?> list) {
        StringBuilder a = new StringBuilder("[");
        for (Object item : list) {
          if (a.length() > 1) {
            a.append(',');
          }
          a.append(value(item));
        }
        return a.append(']').toString();
      }
      if (value instanceof Map<?, ?> map) {
        Json nested = new Json();
        map.forEach((k, v) -> nested.put(String.valueOf(k), v));
        return nested.toString();
      }
      return quote(value.toString());
    }

    private static String quote(String s) {
      StringBuilder q = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        switch (c) {
          case '"' -> q.append("\\\"");
          case '\\' -> q.append("\\\\");
          case '\n' -> q.append("\\n");
          default -> {
            if (c < 0x20) {
              q.append(String.format("\\u%04x", (int) c));
            } else {
              q.append(c);
            }
          }
        }
      }
      return q.append('"').toString();
    }
  }

  private static double cpuSeconds() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  private static String runTag() {
    return Long.toString(System.currentTimeMillis() / 1000 % 1_000_000_000L, 36);
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }

  private static String fmt2(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }

  private static void printLatency(Stats s) {
    System.out.printf(
        Locale.ROOT,
        "latency per request (ms): p50 %.2f  p90 %.2f  p99 %.2f  max %.2f%n",
        s.percentileMillis(50),
        s.percentileMillis(90),
        s.percentileMillis(99),
        s.percentileMillis(100));
  }

  private static Json latencyJson(Stats s) {
    return new Json()
        .put("p50", s.percentileMillis(50))
        .put("p90", s.percentileMillis(90))
        .put("p99", s.percentileMillis(99))
        .put("max", s.percentileMillis(100));
  }

  // ---------------------------------------------------------------------------------------------
  // batch and single

  /**
   * {@code batch} and {@code single}: N workers, one connection each, for warm-up + duration.
   * Closed loop sends the next request when the answer came; open loop ({@code --rate}) sends at
   * scheduled times, connection i taking every N-th slot.
   */
  static final class LoadRun {
    private final Options o;

    LoadRun(Options o) {
      this.o = o;
    }

    int run() throws InterruptedException {
      String tag = runTag();
      boolean open = o.rate > 0;
      System.out.printf(
          Locale.ROOT,
          "mode=%s url=%s connections=%d batch=%d warmup=%ss duration=%ss repeat-fraction=%s"
              + " %s client=%s keys=%d%n",
          o.mode,
          o.url,
          o.connections,
          o.batch,
          fmt(o.warmup),
          fmt(o.duration),
          o.repeatFraction,
          open ? "open-loop rate=" + fmt(o.rate) + "/s" : "closed-loop",
          o.client,
          o.keys.size());
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
      long measureFrom = start + (long) (o.warmup * 1e9);
      long end = measureFrom + (long) (o.duration * 1e9);
      Stats[] stats = new Stats[o.connections];
      int sliceCount = o.reportEvery > 0 ? (int) Math.ceil(o.duration / o.reportEvery) : 0;
      Stats[][] slices = new Stats[o.connections][sliceCount];
      Thread[] workers = new Thread[o.connections];
      double cpuBefore = cpuSeconds();
      for (int i = 0; i < o.connections; i++) {
        int index = i;
        stats[i] = new Stats();
        for (int k = 0; k < sliceCount; k++) {
          slices[i][k] = new Stats();
        }
        workers[i] =
            new Thread(
                () -> work(index, tag, start, measureFrom, end, stats[index], slices[index]),
                "load-" + i);
        workers[i].start();
      }
      for (Thread worker : workers) {
        worker.join();
      }
      double cpu = cpuSeconds() - cpuBefore;
      Stats total = new Stats();
      for (Stats s : stats) {
        total.add(s);
      }
      double seconds = o.duration;
      double alertsPerSecond = total.alerts / seconds;
      double requestsPerSecond = total.requests / seconds;
      System.out.printf(
          Locale.ROOT,
          "requests %d (%.1f/s), alerts %d (%.1f/s) in %.1f s measured%n",
          total.requests,
          requestsPerSecond,
          total.alerts,
          alertsPerSecond,
          seconds);
      printLatency(total);
      List<Json> intervals = new ArrayList<>();
      for (int k = 0; k < sliceCount; k++) {
        Stats slice = new Stats();
        for (Stats[] worker : slices) {
          slice.add(worker[k]);
        }
        System.out.printf(
            Locale.ROOT,
            "  from %4.0f s: %d requests, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
            k * o.reportEvery,
            slice.requests,
            slice.percentileMillis(50),
            slice.percentileMillis(99),
            slice.percentileMillis(100));
        intervals.add(
            latencyJson(slice).put("from_s", k * o.reportEvery).put("requests", slice.requests));
      }
      System.out.printf(
          Locale.ROOT,
          "answers: 2xx %d, non-2xx %d %s, io errors %d, reconnects %d%n",
          total.ok,
          total.non2xx(),
          total.statuses,
          total.ioErrors,
          total.reconnects);
      if (open) {
        System.out.printf(
            Locale.ROOT,
            "schedule: %d of %d requests due in the measured window not sent by its end"
                + " (the server fell behind)%n",
            total.notSent,
            total.requests + total.ioErrors + total.notSent);
      }
      System.out.printf(
          Locale.ROOT,
          "generator cpu: %.1f s over %.1f s (%.0f%% of one core)%n",
          cpu,
          o.warmup + o.duration,
          100 * cpu / (o.warmup + o.duration));
      Json result =
          new Json()
              .put("label", o.label)
              .put("mode", o.mode)
              .put("open_loop", open)
              .put("target_rate", o.rate)
              .put("connections", o.connections)
              .put("batch", o.batch)
              .put("repeat_fraction", o.repeatFraction)
              .put("duration_s", seconds)
              .put("client", o.client)
              .put("requests", total.requests)
              .put("alerts", total.alerts)
              .put("requests_per_s", requestsPerSecond)
              .put("alerts_per_s", alertsPerSecond)
              .put("latency_ms", latencyJson(total))
              .put("ok", total.ok)
              .put("non_2xx", total.non2xx())
              .put("non_2xx_by_status", total.statuses)
              .put("io_errors", total.ioErrors)
              .put("reconnects", total.reconnects)
              .put("not_sent", total.notSent)
              .put("resolve_fraction", o.resolveFraction)
              .put("intervals", intervals)
              .put("generator_cpu_s", cpu);
      System.out.println("RESULT " + result);
      return total.non2xx() == 0 && total.ioErrors == 0 && total.notSent == 0 ? 0 : 1;
    }

    private void work(
        int index,
        String tag,
        long start,
        long measureFrom,
        long end,
        Stats stats,
        Stats[] slices) {
      String key = o.keys.get(index % o.keys.size());
      AlertWriter writer = new AlertWriter("bench-svc-" + (index % 24), tag, "c" + index);
      Timestamps clock = new Timestamps();
      Bytes body = new Bytes(o.batch * 320 + 16);
      SplittableRandom random = new SplittableRandom(index * 7919L + System.nanoTime());
      long nextSeq = 0;
      long interval = o.rate > 0 ? (long) (1e9 * o.connections / o.rate) : 0;
      long scheduled = start + (o.rate > 0 ? (long) (1e9 * index / o.rate) : 0);
      parkUntil(start);
      try (Transport http = transport(o)) {
        while (true) {
          long sendAt;
          if (interval > 0) {
            if (scheduled >= end) {
              break;
            }
            if (System.nanoTime() >= end) {
              // The server fell behind the schedule: what was due by the end was never sent.
              for (; scheduled < end; scheduled += interval) {
                if (scheduled >= measureFrom) {
                  stats.notSent++;
                }
              }
              break;
            }
            parkUntil(scheduled);
            sendAt = scheduled;
            scheduled += interval;
          } else {
            sendAt = System.nanoTime();
            if (sendAt >= end) {
              break;
            }
          }
          // Build the body: re-sends of earlier alerts of this connection, then new ones.
          clock.tick();
          long sentBefore = nextSeq;
          double wanted = o.batch * o.repeatFraction;
          int repeats = (int) wanted;
          if (random.nextDouble() < wanted - repeats) {
            repeats++;
          }
          repeats = (int) Math.min(repeats, sentBefore);
          double toResolve = o.batch * o.resolveFraction;
          int resolves = (int) toResolve;
          if (random.nextDouble() < toResolve - resolves) {
            resolves++;
          }
          resolves = (int) Math.min(resolves, Math.min(sentBefore, o.batch - repeats));
          body.reset();
          body.put('[');
          long from = repeats == 0 ? 0 : random.nextLong(sentBefore - repeats + 1);
          long resolveFrom = resolves == 0 ? 0 : random.nextLong(sentBefore - resolves + 1);
          for (int i = 0; i < o.batch; i++) {
            if (i > 0) {
              body.put(',');
            }
            if (i < repeats) {
              writer.write(body, from + i, clock.now, clock.ends);
            } else if (i < repeats + resolves) {
              // Ended a second ago, having started before that: Alertmanager refuses an end
              // before the start.
              writer.write(body, resolveFrom + i - repeats, clock.earlier, clock.past);
            } else {
              writer.write(body, nextSeq++, clock.now, clock.ends);
            }
          }
          body.put(']');
          Response answer;
          try {
            answer = http.post(PATH, key, body.data, body.length);
          } catch (IOException e) {
            if (sendAt >= measureFrom) {
              stats.ioErrors++;
            }
            continue;
          }
          long done = System.nanoTime();
          if (sendAt >= measureFrom) {
            stats.requests++;
            stats.answer(answer.status());
            if (answer.status() >= 200 && answer.status() < 300) {
              stats.alerts += o.batch;
            }
            stats.latency(done - sendAt);
            if (slices.length > 0) {
              Stats slice =
                  slices[
                      (int)
                          Math.min(
                              slices.length - 1,
                              (sendAt - measureFrom) / (long) (o.reportEvery * 1e9))];
              slice.requests++;
              slice.latency(done - sendAt);
            }
          }
        }
        stats.reconnects = http.reconnects();
      }
    }
  }

  static void parkUntil(long deadline) {
    for (long wait = deadline - System.nanoTime(); wait > 0; wait = deadline - System.nanoTime()) {
      LockSupport.parkNanos(wait);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // storm

  /**
   * {@code storm}: A distinct alerts spread round-robin over the keys (one integration per
   * service), each sent R times in rounds, like Prometheus re-sending every firing alert on each
   * evaluation. A round is cut into requests of B alerts of one service, interleaved across
   * services, and N workers take them from a queue. 503 (and other 5xx, and 429) answers are retried
   * after Retry-After, as Prometheus does, so that nothing is lost; any other non-2xx answer loses
   * its batch and fails the run.
   */
  static final class StormRun {
    private static final int MAX_ATTEMPTS = 30;

    private final Options o;

    StormRun(Options o) {
      this.o = o;
    }

    record Job(String key, byte[] body, int alerts) {}

    int run() throws Exception {
      String tag = runTag();
      int services = o.keys.size();
      System.out.printf(
          Locale.ROOT,
          "mode=storm url=%s alerts=%d services=%d resends=%d batch=%d connections=%d client=%s%n",
          o.url,
          o.alerts,
          services,
          o.resends,
          o.batch,
          o.connections,
          o.client);
      AlertWriter[] writers = new AlertWriter[services];
      for (int s = 0; s < services; s++) {
        writers[s] = new AlertWriter(String.format("storm-svc-%02d", s + 1), tag, "s" + s);
      }
      // Alert j belongs to service j mod S, where it is number j / S.
      int[] perService = new int[services];
      for (int s = 0; s < services; s++) {
        perService[s] = o.alerts / services + (s < o.alerts % services ? 1 : 0);
      }
      byte[] startsAt = ascii(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      Stats total = new Stats();
      List<Json> rounds = new ArrayList<>();
      double cpuBefore = cpuSeconds();
      // What correlation counted before the storm, once earlier scenarios' alerts are through it.
      long correlatedBefore = settledCorrelated();
      long stormStart = System.nanoTime();
      for (int round = 1; round <= o.resends; round++) {
        // Prometheus recomputes endsAt on every send; the label sets stay the same.
        byte[] endsAt =
            ascii(Instant.now().plus(VALIDITY).truncatedTo(ChronoUnit.SECONDS).toString());
        List<List<Job>> byService = new ArrayList<>();
        Bytes body = new Bytes(o.batch * 320 + 16);
        int jobCount = 0;
        for (int s = 0; s < services; s++) {
          List<Job> jobs = new ArrayList<>();
          for (int first = 0; first < perService[s]; first += o.batch) {
            int n = Math.min(o.batch, perService[s] - first);
            body.reset();
            body.put('[');
            for (int i = 0; i < n; i++) {
              if (i > 0) {
                body.put(',');
              }
              writers[s].write(body, first + i, startsAt, endsAt);
            }
            body.put(']');
            jobs.add(new Job(o.keys.get(s), body.toArray(), n));
          }
          jobCount += jobs.size();
          byService.add(jobs);
        }
        ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
        for (int i = 0; queue.size() < jobCount; i++) {
          for (List<Job> jobs : byService) {
            if (i < jobs.size()) {
              queue.add(jobs.get(i));
            }
          }
        }
        Stats roundStats = new Stats();
        long roundStart = System.nanoTime();
        Stats[] stats = new Stats[o.connections];
        CountDownLatch done = new CountDownLatch(o.connections);
        for (int w = 0; w < o.connections; w++) {
          Stats mine = stats[w] = new Stats();
          Thread worker =
              new Thread(
                  () -> {
                    try {
                      drain(queue, mine);
                    } finally {
                      done.countDown();
                    }
                  },
                  "storm-" + w);
          worker.start();
        }
        done.await();
        double seconds = (System.nanoTime() - roundStart) / 1e9;
        for (Stats s : stats) {
          roundStats.add(s);
        }
        System.out.printf(
            Locale.ROOT,
            "round %d/%d: %d requests, %d alerts in %.2f s (%.0f alerts/s), non-2xx %s,"
                + " retries %d, failed %d%n",
            round,
            o.resends,
            roundStats.requests,
            roundStats.alerts,
            seconds,
            roundStats.alerts / seconds,
            roundStats.statuses,
            roundStats.retries,
            roundStats.failed);
        rounds.add(
            new Json()
                .put("round", round)
                .put("seconds", seconds)
                .put("alerts_per_s", roundStats.alerts / seconds));
        total.add(roundStats);
      }
      double seconds = (System.nanoTime() - stormStart) / 1e9;
      double cpu = cpuSeconds() - cpuBefore;
      System.out.printf(
          Locale.ROOT,
          "storm: %d alerts x %d sends = %d alert sends in %d requests, %.2f s"
              + " (%.0f alerts/s, %.1f requests/s)%n",
          o.alerts,
          o.resends,
          total.alerts,
          total.requests,
          seconds,
          total.alerts / seconds,
          total.requests / seconds);
      printLatency(total);
      System.out.printf(
          Locale.ROOT,
          "answers: 2xx %d, non-2xx %d %s, retries %d, io errors %d, failed batches %d,"
              + " reconnects %d%n",
          total.ok,
          total.non2xx(),
          total.statuses,
          total.retries,
          total.ioErrors,
          total.failed,
          total.reconnects);
      System.out.printf(Locale.ROOT, "generator cpu: %.1f s over %.1f s%n", cpu, seconds);
      long sendsEnded = System.nanoTime();
      long correlated = awaitCorrelated(correlatedBefore + o.alerts) - correlatedBefore;
      double correlationLag = (System.nanoTime() - sendsEnded) / 1e9;
      double correlationTotal = (System.nanoTime() - stormStart) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "correlation: %d of %d alerts correlated, the last %.1f s after the last send"
              + " (%.0f alerts/s from the first send)%n",
          correlated,
          o.alerts,
          correlationLag,
          correlated / correlationTotal);

      boolean pass =
          total.failed == 0
              && total.alerts == (long) o.alerts * o.resends
              && correlated == o.alerts;
      Json checks = new Json();
      // The API first: a verify command may stop the server to read its database (H2).
      if (o.verifyApi) {
        long firing = 0;
        boolean ok = true;
        try (Transport http = transport(o)) {
          for (int s = 0; s < services; s++) {
            Response answer = http.get(PATH + "?active=true", o.keys.get(s));
            if (answer.status() != 200) {
              System.out.println(
                  "verify api: key "
                      + (s + 1)
                      + " answered "
                      + answer.status()
                      + ": "
                      + new String(answer.body(), StandardCharsets.UTF_8).strip());
              ok = false;
              break;
            }
            long n = occurrences(answer.body(), ascii("\"fingerprint\":\""));
            if (n != perService[s]) {
              System.out.printf(
                  Locale.ROOT,
                  "verify api: service %d has %d firing alerts, expected %d%n",
                  s + 1,
                  n,
                  perService[s]);
              ok = false;
            }
            firing += n;
          }
        } catch (IOException e) {
          System.out.println("verify api: " + e);
          ok = false;
        }
        ok &= firing == o.alerts;
        System.out.printf(
            Locale.ROOT,
            "verify api (GET /api/v2/alerts?active=true per key): %d firing, expected %d: %s%n",
            firing,
            o.alerts,
            ok ? "PASS" : "FAIL");
        checks.put("api_firing", firing).put("api_ok", ok);
        pass &= ok;
      }
      if (o.verifyCmd != null) {
        Long rows = command(o.verifyCmd);
        boolean ok = rows != null && rows == o.alerts;
        System.out.printf(
            Locale.ROOT,
            "verify rows (%s): %s, expected %d: %s%n",
            o.verifyCmd,
            rows,
            o.alerts,
            ok ? "PASS" : "FAIL");
        checks.put("rows", rows).put("rows_ok", ok);
        pass &= ok;
      }
      if (o.verifySeenCmd != null) {
        Long seen = command(o.verifySeenCmd);
        long expected = (long) o.alerts * o.resends;
        boolean ok = seen != null && seen == expected;
        System.out.printf(
            Locale.ROOT,
            "verify sum(times_seen): %s, expected %d: %s%n",
            seen,
            expected,
            ok ? "PASS" : "FAIL");
        checks.put("times_seen", seen).put("times_seen_ok", ok);
        pass &= ok;
      }
      System.out.println("storm exactness: " + (pass ? "PASS" : "FAIL"));
      Json result =
          new Json()
              .put("label", o.label)
              .put("mode", "storm")
              .put("alerts", o.alerts)
              .put("services", services)
              .put("resends", o.resends)
              .put("batch", o.batch)
              .put("connections", o.connections)
              .put("client", o.client)
              .put("requests", total.requests)
              .put("alert_sends", total.alerts)
              .put("seconds", seconds)
              .put("alerts_per_s", total.alerts / seconds)
              .put("requests_per_s", total.requests / seconds)
              .put("latency_ms", latencyJson(total))
              .put("ok", total.ok)
              .put("non_2xx", total.non2xx())
              .put("non_2xx_by_status", total.statuses)
              .put("retries", total.retries)
              .put("io_errors", total.ioErrors)
              .put("failed_batches", total.failed)
              .put("reconnects", total.reconnects)
              .put("rounds", rounds)
              .put("correlated", correlated)
              .put("correlation_lag_s", correlationLag)
              .put("correlated_per_s", correlated / correlationTotal)
              .put("checks", checks)
              .put("generator_cpu_s", cpu)
              .put("pass", pass);
      System.out.println("RESULT " + result);
      return pass ? 0 : 1;
    }

    /** Tocsin's count of correlated alerts, once it has not moved for two seconds. */
    private long settledCorrelated() throws InterruptedException {
      long last = correlatedCount();
      long deadline = System.nanoTime() + 300_000_000_000L;
      while (System.nanoTime() < deadline) {
        Thread.sleep(2000);
        long now = correlatedCount();
        if (now == last) {
          return now;
        }
        last = now;
      }
      return last;
    }

    /** Polls until correlation has counted {@code target} alerts, or stops moving for a minute. */
    private long awaitCorrelated(long target) throws InterruptedException {
      long last = correlatedCount();
      long lastMoved = System.nanoTime();
      while (last < target && System.nanoTime() - lastMoved < 60_000_000_000L) {
        Thread.sleep(100);
        long now = correlatedCount();
        if (now != last) {
          last = now;
          lastMoved = System.nanoTime();
        }
      }
      return last;
    }

    /** The sum of tocsin_alerts_correlated_total over its results, from the metrics endpoint. */
    private long correlatedCount() {
      try {
        java.net.http.HttpResponse<String> metrics =
            java.net.http.HttpClient.newHttpClient()
                .send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(o.url + "/actuator/prometheus"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        return Math.round(
            metrics
                .body()
                .lines()
                .filter(line -> line.startsWith("tocsin_alerts_correlated_total{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum());
      } catch (IOException e) {
        return -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }

    private void drain(ConcurrentLinkedQueue<Job> queue, Stats stats) {
      try (Transport http = transport(o)) {
        for (Job job = queue.poll(); job != null; job = queue.poll()) {
          for (int attempt = 1; ; attempt++) {
            long sent = System.nanoTime();
            Response answer;
            try {
              answer = http.post(PATH, job.key(), job.body(), job.body().length);
            } catch (IOException e) {
              stats.ioErrors++;
              if (attempt == MAX_ATTEMPTS) {
                stats.failed++;
                break;
              }
              stats.retries++;
              sleepSeconds(1);
              continue;
            }
            stats.latency(System.nanoTime() - sent);
            stats.requests++;
            stats.answer(answer.status());
            int status = answer.status();
            if (status >= 200 && status < 300) {
              stats.alerts += job.alerts();
              break;
            }
            boolean retryable = status >= 500 || status == 429;
            if (!retryable || attempt == MAX_ATTEMPTS) {
              stats.failed++;
              break;
            }
            stats.retries++;
            sleepSeconds(answer.retryAfter() > 0 ? Math.min(answer.retryAfter(), 60) : 1);
          }
        }
        stats.reconnects = http.reconnects();
      }
    }
  }

  private static void sleepSeconds(long seconds) {
    try {
      Thread.sleep(seconds * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long occurrences(byte[] haystack, byte[] needle) {
    long n = 0;
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      n++;
      i += needle.length - 1;
    }
    return n;
  }

  /** Runs a shell command and returns the first integer it printed, or null. */
  private static Long command(String command) {
    try {
      Process process =
          new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return null;
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?\\d+").matcher(output);
      Long first = m.find() ? Long.parseLong(m.group()) : null;
      if (process.exitValue() != 0) {
        System.out.println("verify command exited " + process.exitValue() + ": " + output.trim());
        return null;
      }
      return first;
    } catch (IOException | InterruptedException e) {
      System.out.println("verify command failed: " + e);
      return null;
    }
  }
}
