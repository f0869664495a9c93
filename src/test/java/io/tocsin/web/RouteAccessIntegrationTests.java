package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.directory.SignInForm;
import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Parameter;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.MediaType;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Every route that Spring MVC maps, taken from the running application's request mappings so that a
 * new page or endpoint cannot slip past: visited signed out, and (GETs) as viewer, responder and
 * admin. Pages are the console's ({@code io.tocsin.web}) routes outside {@code /api}; a signed-out
 * browser is sent to the sign-in page, a viewer or responder is refused administration, and no
 * route answers 5xx. The API answers 401 without a token and 403 to a role its {@code PreAuthorize}
 * does not allow. It tests access, not SQL: one database is enough.
 */
class RouteAccessIntegrationTests {

  /** Roles in the order the role hierarchy ranks them. */
  enum Role {
    VIEWER,
    RESPONDER,
    ADMIN
  }

  /**
   * What is open without a session or an API token, and what a caller without any credential gets
   * there. A route that is neither a console page ({@code io.tocsin.web} outside {@code /api}), nor
   * under {@code /api}, nor listed here fails the test: opening a path is a decision made here.
   */
  private static final List<Open> OPEN =
      List.of(
          new Open("GET", "/login", "the sign-in page", 200),
          new Open("GET", "/favicon.ico", "the icon a browser asks for by itself", 200),
          new Open(
              "GET", "/setup", "first-run setup; once an admin exists it sends to sign-in", 302),
          new Open(
              "POST",
              "/api/v1/setup",
              "first-run setup, with the one-time token from the log",
              422),
          new Open(
              "GET", "/actions/{token}", "action links in messages: the token is the key", 404),
          new Open(
              "POST", "/actions/{token}", "action links in messages: the token is the key", 404),
          new Open("GET", "/calendars/{token}.ics", "calendar feeds: the token is the key", 404),
          new Open("GET", "/-/healthy", "Alertmanager's liveness probe", 200),
          new Open("GET", "/-/ready", "Alertmanager's readiness probe", 200),
          new Open("GET", "/actuator/health", "health, served by the actuator", 200),
          new Open("GET", "/actuator/health/readiness", "readiness, served by the actuator", 200),
          new Open("GET", "/actuator/info", "build information, served by the actuator", 200),
          new Open("GET", "/actuator/prometheus", "metrics for Prometheus", 200),
          new Open("GET", "/api/openapi", "the OpenAPI description", 200),
          new Open("GET", "/api/openapi.yaml", "the OpenAPI description in YAML", 200),
          new Open("GET", "/api/docs", "the API docs page", 200),
          // Ingestion: an integration key in the header, the body or the path, never a user.
          new Open("POST", "/api/v2/alerts", "Alertmanager API v2, integration key", 401),
          new Open("POST", "/api/v1/webhooks/alertmanager", "Alertmanager webhook, key", 401),
          new Open("POST", "/api/v1/webhooks/grafana", "Grafana webhook, key", 401),
          new Open("POST", "/api/v1/alerts", "generic JSON alerts, key", 401),
          new Open("POST", "/v2/enqueue", "PagerDuty Events v2, key in the body", 400),
          new Open("POST", "/v2/change/enqueue", "PagerDuty change events, key in the body", 400),
          new Open("GET", "/api/v1/heartbeats/{key}", "heartbeats, key in the path", 401),
          new Open("POST", "/api/v1/heartbeats/{key}", "heartbeats, key in the path", 401),
          // amtool reads with an integration key or a person's token; the controller refuses
          // a caller with neither.
          new Open("GET", "/api/v2/alerts", "amtool, key or token", 401),
          new Open("GET", "/api/v2/alerts/groups", "amtool, key or token", 401),
          new Open("GET", "/api/v2/status", "amtool, key or token", 401),
          new Open("GET", "/api/v2/receivers", "amtool, key or token", 401),
          new Open("GET", "/api/v2/silences", "amtool, key or token", 401),
          new Open("GET", "/api/v2/silence/{id}", "amtool, key or token", 401),
          // Errors reach /error by the container's error dispatch, which is open; asked for
          // directly it needs a user like any other path.
          new Open("GET", "/error", "the container's error page, for its own dispatch", 302),
          new Open("POST", "/error", "the container's error page, for its own dispatch", 401));

  /** What browsers accept when they open a page. */
  private static final String BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8";

  /** What curl and most programs accept. */
  private static final String PROGRAM = "*/*";

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static final Pattern VARIABLE = Pattern.compile("\\{\\*?(\\w+)(?::[^}]*)?}");

  private static TestDatabase.CleanSchema schema;
  private static TocsinHarness tocsin;
  private static List<Route> routes;
  private static final Map<Role, Caller> callers = new EnumMap<>(Role.class);

  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A way in for one role: a browser session and a personal API token. */
  record Caller(String session, String token) {}

  /** A path open without credentials, why, and the status a caller without them gets. */
  record Open(String method, String pattern, String why, int signedOut) {

    boolean servedOutsideMvc() {
      return pattern.startsWith("/actuator/");
    }
  }

  /** One method of one mapped path, with a concrete path to ask for. */
  record Route(String method, String pattern, String path, HandlerMethod handler, boolean stream) {

    boolean api() {
      return pattern.startsWith("/api/");
    }

    boolean page() {
      return !api() && handler.getBeanType().getPackageName().equals("io.tocsin.web");
    }

    boolean administration() {
      return pattern.equals("/admin") || pattern.startsWith("/admin/");
    }

    Optional<Open> open() {
      return OPEN.stream()
          .filter(open -> open.method().equals(method) && open.pattern().equals(pattern))
          .findFirst();
    }

    /** The least role its {@code @PreAuthorize} allows, if it declares one. */
    Optional<Role> required() {
      PreAuthorize rule =
          AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), PreAuthorize.class);
      if (rule == null) {
        rule =
            AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), PreAuthorize.class);
      }
      if (rule == null) {
        return Optional.empty();
      }
      Matcher role = Pattern.compile("hasRole\\('(\\w+)'\\)").matcher(rule.value());
      if (!role.matches()) {
        throw new IllegalStateException(this + " has a rule this test cannot read: " + rule);
      }
      return Optional.of(Role.valueOf(role.group(1)));
    }

    @Override
    public String toString() {
      return method + " " + pattern;
    }
  }

  @BeforeAll
  static void start() throws IOException {
    schema = TestDatabase.H2.createCleanSchema();
    tocsin =
        TocsinHarness.startWithAdmin(
            schema, Map.of("tocsin.rate-limit.api-token-per-minute", "1000000"));
    String adminToken = tocsin.adminToken();
    callers.put(
        Role.ADMIN,
        new Caller(
            SignInForm.session(tocsin, TocsinHarness.ADMIN_EMAIL, TocsinHarness.ADMIN_PASSWORD),
            adminToken));
    for (Role role : List.of(Role.VIEWER, Role.RESPONDER)) {
      String email = role.name().toLowerCase() + "@example.com";
      String password = "a long enough password";
      HttpResponse<String> created =
          tocsin.postJson(
              "/api/v1/users",
              "Bearer " + adminToken,
              """
              {"name":"%s","email":"%s","role":"%s","timeZone":"UTC","password":"%s"}
              """
                  .formatted(role, email, role.name().toLowerCase(), password));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      callers.put(
          role,
          new Caller(
              SignInForm.session(tocsin, email, password), tocsin.adminToken(email, password)));
    }
    routes = routes();
  }

  @AfterAll
  static void stop() {
    TocsinHarness.stop(tocsin, schema);
  }

  @Test
  void everyRouteIsAConsolePageAnApiEndpointWithItsRoleOrListedAsOpen() {
    List<String> unruled =
        routes.stream()
            .filter(route -> !route.page() && !route.api() && route.open().isEmpty())
            .map(route -> route + " (" + route.handler().getShortLogMessage() + ")")
            .toList();
    List<String> stale =
        OPEN.stream()
            .filter(open -> !open.servedOutsideMvc())
            .filter(
                open ->
                    routes.stream()
                        .noneMatch(
                            route ->
                                route.method().equals(open.method())
                                    && route.pattern().equals(open.pattern())))
            .map(open -> open.method() + " " + open.pattern())
            .toList();

    List<String> undeclared =
        routes.stream()
            .filter(route -> route.api() && route.open().isEmpty() && route.required().isEmpty())
            .map(Route::toString)
            .toList();

    assertThat(unruled).as("routes that no rule covers and that are not listed as open").isEmpty();
    assertThat(undeclared)
        .as("API routes that name no role (@PreAuthorize): any signed-in user could call them")
        .isEmpty();
    assertThat(stale).as("open paths that no route maps any more").isEmpty();
    assertThat(routes.stream().filter(Route::page)).isNotEmpty();
    assertThat(routes.stream().filter(Route::api)).isNotEmpty();
  }

  @Test
  void signedOutAPageGoesToSignInAndTheApiAnswers401() {
    List<String> wrong = new ArrayList<>();
    for (Route route : routes) {
      Answer answer = send(route.method(), route.path(), null, null, !route.api());
      Optional<Open> open = route.open();
      if (open.isPresent()) {
        if (answer.status() != open.get().signedOut()) {
          wrong.add(route + ": " + answer + ", but open paths answer " + open.get().signedOut());
        }
      } else if (route.page() && route.method().equals("GET")) {
        String expected = "/login?next=" + route.path();
        if (answer.status() != 302 || !expected.equals(answer.location())) {
          wrong.add(route + ": " + answer + ", not a redirect to " + expected);
        }
      } else if (answer.status() != 401
          // Alertmanager's API answers as Alertmanager does, with the reason as a JSON string.
          || !(answer.problem() || route.pattern().startsWith("/api/v2/"))) {
        wrong.add(route + ": " + answer + ", not a 401 problem");
      }
    }
    for (Open open : OPEN) {
      if (open.servedOutsideMvc()) {
        Answer answer = send(open.method(), open.pattern(), null, null, false);
        if (answer.status() != open.signedOut()) {
          wrong.add(open.method() + " " + open.pattern() + ": " + answer);
        }
      }
    }
    assertThat(wrong).as("routes that answered a caller without credentials wrongly").isEmpty();
  }

  @Test
  void signedOutTheSignInPageBringsTheBrowserBackToThePageWithItsQuery() {
    String wanted = "/incidents?status=open&cursor=a%20b";
    Answer answer = send("GET", wanted, null, null, true);

    assertThat(answer.status()).isEqualTo(302);
    assertThat(answer.location()).startsWith("/login?next=");
    // Decoded once, as the sign-in page reads it: the path and its whole query, escapes kept.
    assertThat(
            URLDecoder.decode(
                answer.location().substring("/login?next=".length()), StandardCharsets.UTF_8))
        .isEqualTo(wanted);
  }

  @Test
  void signedInEachRoleSeesThePagesItsRoleAllows() {
    List<String> wrong = new ArrayList<>();
    for (Route route : routes) {
      if (!route.method().equals("GET") || route.api() || route.open().isPresent()) {
        continue;
      }
      for (Role role : Role.values()) {
        Answer answer =
            route.stream()
                ? stream(route.path(), callers.get(role).session())
                : send("GET", route.path(), callers.get(role).session(), null, true);
        boolean refusal = answer.status() == 403 && answer.body().contains("id=\"not-allowed\"");
        if (route.pattern().equals(WebSecurity.REFUSED_PAGE)
            || (route.administration() && role != Role.ADMIN)) {
          if (!refusal) {
            wrong.add(route + " as " + role + ": " + answer + ", not the 'not allowed' page");
          }
        } else if (!fine(answer)) {
          wrong.add(route + " as " + role + ": " + answer);
        }
      }
    }
    assertThat(wrong).as("pages that answered a signed-in role wrongly").isEmpty();
  }

  @Test
  void withATokenEachRoleReadsWhatItsRoleAllows() {
    List<String> wrong = new ArrayList<>();
    for (Route route : routes) {
      if (!route.method().equals("GET") || !route.api()) {
        continue;
      }
      Optional<Role> required = route.required();
      for (Role role : Role.values()) {
        Answer answer = send("GET", route.path(), null, callers.get(role).token(), false);
        boolean refused = required.isPresent() && role.compareTo(required.get()) < 0;
        if (route.pattern().contains("{key}")) {
          // Its key is in the path, and a random one is refused whoever asks.
          if (answer.status() >= 500) {
            wrong.add(route + " as " + role + ": " + answer);
          }
        } else if (refused ? answer.status() != 403 : !fine(answer)) {
          wrong.add(route + " as " + role + ": " + answer + (refused ? ", not 403" : ""));
        }
      }
    }
    assertThat(wrong).as("API reads that answered a role wrongly").isEmpty();
  }

  /**
   * An answer to an allowed request: no failure, no refusal, no way back to the sign-in page. A 404
   * (random ids) or a 400 (a missing parameter) is fine, a redirect to another page too.
   */
  private static boolean fine(Answer answer) {
    return answer.status() < 500
        && answer.status() != 401
        && answer.status() != 403
        && (answer.location() == null || !answer.location().startsWith("/login"));
  }

  private static List<Route> routes() {
    RequestMappingHandlerMapping mapping =
        tocsin.bean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
    List<Route> found = new ArrayList<>();
    for (Map.Entry<RequestMappingInfo, HandlerMethod> entry :
        mapping.getHandlerMethods().entrySet()) {
      RequestMappingInfo info = entry.getKey();
      if (fromTests(entry.getValue())) {
        continue;
      }
      Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
      for (String pattern : info.getPatternValues()) {
        for (RequestMethod method :
            methods.isEmpty() ? Set.of(RequestMethod.GET, RequestMethod.POST) : methods) {
          found.add(
              new Route(
                  method.name(),
                  pattern,
                  concrete(pattern, entry.getValue()),
                  entry.getValue(),
                  info.getProducesCondition()
                      .getProducibleMediaTypes()
                      .contains(MediaType.TEXT_EVENT_STREAM)));
        }
      }
    }
    found.sort(Comparator.comparing(Route::pattern).thenComparing(Route::method));
    return found;
  }

  /** Test classes on the class path add routes of their own (ApiErrorsTests' probes). */
  private static boolean fromTests(HandlerMethod handler) {
    return handler
        .getBeanType()
        .getProtectionDomain()
        .getCodeSource()
        .getLocation()
        .getPath()
        .contains("test-classes");
  }

  /** The pattern with random values for its variables: a UUID or a number where the type says. */
  private static String concrete(String pattern, HandlerMethod handler) {
    Matcher variables = VARIABLE.matcher(pattern);
    StringBuilder path = new StringBuilder();
    while (variables.find()) {
      Class<?> type = String.class;
      for (Parameter parameter : handler.getMethod().getParameters()) {
        PathVariable variable = parameter.getAnnotation(PathVariable.class);
        if (variable != null) {
          String name = variable.value().isEmpty() ? parameter.getName() : variable.value();
          if (name.equals(variables.group(1))) {
            type = parameter.getType();
          }
        }
      }
      String value;
      if (type == UUID.class) {
        value = UUID.randomUUID().toString();
      } else if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
        value = Long.toString(ThreadLocalRandom.current().nextLong(100_000, 1_000_000));
      } else {
        value = "r" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
      }
      variables.appendReplacement(path, Matcher.quoteReplacement(value));
    }
    variables.appendTail(path);
    return path.toString();
  }

  /** An answer's status, where it redirects to, whether it is a problem, and its body's start. */
  record Answer(int status, @Nullable String location, boolean problem, String body) {
    @Override
    public String toString() {
      return status + (location == null ? "" : " to " + location);
    }
  }

  /**
   * Sends as a browser would (accepting HTML) or as a program; with a session or a token, or
   * neither. Requests that change something carry a CSRF token, so that it is the access rules that
   * answer them and not the CSRF check.
   */
  private static Answer send(
      String method,
      String path,
      @Nullable String session,
      @Nullable String token,
      boolean browser) {
    return send(method, path, session, token, browser ? BROWSER : PROGRAM);
  }

  /**
   * An event stream sends its headers with its first event, which may not come: a stream still open
   * after a few seconds was allowed, as a refusal would have come at once.
   */
  private static Answer stream(String path, String session) {
    try {
      return send("GET", path, session, null, "text/event-stream");
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof java.net.http.HttpTimeoutException) {
        return new Answer(200, null, false, "(an open event stream)");
      }
      throw e;
    }
  }

  private static Answer send(
      String method, String path, @Nullable String session, @Nullable String token, String accept) {
    String csrf = UUID.randomUUID().toString();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(tocsin.uri(path))
            .timeout(accept.equals("text/event-stream") ? Duration.ofSeconds(3) : WAIT)
            .method(
                method,
                method.equals("GET")
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString("{}"))
            .header(
                "Cookie",
                "XSRF-TOKEN=" + csrf + (session == null ? "" : "; TOCSIN_SESSION=" + session))
            .header("X-XSRF-TOKEN", csrf)
            .header("Accept", accept);
    if (!method.equals("GET")) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<InputStream> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      String type = response.headers().firstValue("Content-Type").orElse("");
      String body;
      try (InputStream in = response.body()) {
        // An event stream never ends: its headers are the answer.
        body =
            type.startsWith("text/event-stream")
                ? ""
                : new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
      }
      return new Answer(
          response.statusCode(),
          response.headers().firstValue("Location").orElse(null),
          type.startsWith("application/problem+json"),
          body);
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
