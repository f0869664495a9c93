package io.tocsin.testing;

import io.tocsin.TocsinApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.DoubleStream;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole Tocsin server on a random port, started the way {@code java -jar} starts it, with
 * settings a test chooses and fast database retries, plus a plain HTTP client to talk to it.
 */
public final class TocsinHarness implements AutoCloseable {

  private static final tools.jackson.databind.json.JsonMapper JSON =
      tools.jackson.databind.json.JsonMapper.builder().build();

  private final ConfigurableApplicationContext context;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final int port;

  private TocsinHarness(ConfigurableApplicationContext context) {
    this.context = context;
    this.port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  /** Starts Tocsin on the given database URL; {@code settings} override the test defaults. */
  public static TocsinHarness start(
      String databaseUrl,
      String user,
      String password,
      Path dataDir,
      Map<String, Object> settings,
      Class<?>... extraSources) {
    Map<String, Object> properties = new HashMap<>();
    properties.put("server.port", "0");
    properties.put("tocsin.log-format", "text");
    properties.put("tocsin.data-dir", dataDir.toString());
    properties.put("tocsin.database.url", databaseUrl);
    properties.put("tocsin.database.user", user);
    properties.put("tocsin.database.password", password);
    properties.put("tocsin.database.connection-timeout", "1s");
    properties.put("tocsin.database.retry-initial-backoff", "100ms");
    properties.put("tocsin.database.retry-max-backoff", "1s");
    properties.put("tocsin.database.probe-interval", "200ms");
    // Tests' receivers listen on loopback, which Tocsin refuses to send to unless allowed.
    properties.put("tocsin.notify.allowed-destinations", "127.0.0.0/8,::1/128");
    // springdoc is on the test class path for the one test that writes the API's description; the
    // server runs without it, and so do the other tests.
    properties.put("springdoc.api-docs.enabled", "false");
    properties.putAll(settings);
    // Command-line arguments, because they outrank application.properties and the environment.
    String[] arguments =
        properties.entrySet().stream()
            .map(setting -> "--" + setting.getKey() + "=" + setting.getValue())
            .toArray(String[]::new);
    return new TocsinHarness(
        new SpringApplicationBuilder(TocsinApplication.class)
            .sources(SqlStatements.Recording.class)
            .sources(extraSources)
            .run(arguments));
  }

  /**
   * Starts Tocsin on the embedded database with more free disk asked for than any disk has, and
   * waits until its free-disk guard has made it unready: live, but taking no writes.
   */
  public static TocsinHarness startUnready(Path dataDir) {
    TocsinHarness tocsin =
        start("", "", "", dataDir, Map.of("tocsin.database.minimum-free-disk", "1024TB"));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> tocsin.get("/actuator/health/readiness").body().contains("MB free"));
    return tocsin;
  }

  /** The first admin of every harness that {@link #startWithAdmin} starts. */
  public static final String ADMIN_EMAIL = "admin@example.com";

  public static final String ADMIN_PASSWORD = "correct horse battery staple";

  /**
   * Starts Tocsin on a test class's schema, in a fresh data directory, with {@link #ADMIN_EMAIL} as
   * its first admin; {@code settings} add to the test defaults.
   */
  public static TocsinHarness startWithAdmin(
      TestDatabase.CleanSchema schema, Map<String, Object> settings, Class<?>... extraSources)
      throws IOException {
    Map<String, Object> all = new HashMap<>(settings);
    all.put("tocsin.admin.email", ADMIN_EMAIL);
    all.put("tocsin.admin.password", ADMIN_PASSWORD);
    return start(
        schema.url(),
        schema.user(),
        schema.password(),
        java.nio.file.Files.createTempDirectory("tocsin-test"),
        all,
        extraSources);
  }

  /** An API token of the admin that {@link #startWithAdmin} created. */
  public String adminToken() {
    return adminToken(ADMIN_EMAIL, ADMIN_PASSWORD);
  }

  public <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  /** The bean of that name, where several beans share a type (Spring MVC's handler mappings). */
  public <T> T bean(String name, Class<T> type) {
    return context.getBean(name, type);
  }

  /** Publishes an application event, as a module of this node would. */
  public void publishEvent(Object event) {
    context.publishEvent(event);
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  /**
   * The values of the metric lines named {@code series} (a name, and its labels where it has some),
   * as Prometheus scrapes this node.
   */
  public DoubleStream metricValues(String series) {
    return get("/actuator/prometheus")
        .body()
        .lines()
        .filter(line -> line.startsWith(series + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
  }

  /** The value of the metric line {@code series} on this node; fails when there is none. */
  public double metric(String series) {
    return metricValues(series)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + series));
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("Request to Tocsin failed: " + request.uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** POSTs JSON with the given {@code Authorization} header value (none when null). */
  public HttpResponse<String> postJson(String path, @Nullable String authorization, String json) {
    return send("POST", path, authorization, json);
  }

  /**
   * Sends {@code method} to {@code path} with the given {@code Authorization} header value and JSON
   * body, each left out when null.
   */
  public HttpResponse<String> send(
      String method, String path, @Nullable String authorization, @Nullable String json) {
    HttpRequest.Builder request = request(method, uri(path), json);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return send(request.build());
  }

  /** A request of {@code method} to {@code uri} carrying {@code json}, or no body when null. */
  public static HttpRequest.Builder request(String method, URI uri, @Nullable String json) {
    if (json == null) {
      return HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
    }
    return HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(json));
  }

  /** An admin's API token, once the first admin from the settings exists. */
  public String adminToken(String email, String password) {
    return org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              HttpResponse<String> created =
                  send(
                      HttpRequest.newBuilder(uri("/api/v1/tokens"))
                          .header(
                              "Authorization",
                              "Basic "
                                  + java.util.Base64.getEncoder()
                                      .encodeToString(
                                          (email + ":" + password)
                                              .getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                          .header("Content-Type", "application/json")
                          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"t\"}"))
                          .build());
              return created.statusCode() == 201 ? field(created, "token") : null;
            },
            token -> token != null);
  }

  /** Creates a service and returns its id. */
  public String createService(String adminToken, String name) {
    return field(
        created(
            postJson(
                "/api/v1/services",
                "Bearer " + adminToken,
                "{\"name\":" + JSON.writeValueAsString(name) + "}")),
        "id");
  }

  /** Creates an integration of the given kind on the service and returns its id and key. */
  public Map<String, String> createIntegration(
      String adminToken, String serviceId, String name, String kind) {
    HttpResponse<String> response =
        created(
            postJson(
                "/api/v1/services/" + serviceId + "/integrations",
                "Bearer " + adminToken,
                "{\"name\":" + JSON.writeValueAsString(name) + ",\"kind\":\"" + kind + "\"}"));
    return Map.of("id", field(response, "id"), "key", field(response, "key"));
  }

  private static HttpResponse<String> created(HttpResponse<String> response) {
    if (response.statusCode() != 201) {
      throw new IllegalStateException(
          "expected 201, got " + response.statusCode() + ": " + response.body());
    }
    return response;
  }

  public static String field(HttpResponse<String> response, String name) {
    return JSON.readTree(response.body()).get(name).asString();
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** Stops a test class's server, then drops its schema; either is null when starting failed. */
  public static void stop(
      @Nullable TocsinHarness tocsin, TestDatabase.@Nullable CleanSchema schema) {
    if (tocsin != null) {
      tocsin.close();
    }
    if (schema != null) {
      schema.close();
    }
  }

  @Override
  public void close() {
    context.close();
  }
}
