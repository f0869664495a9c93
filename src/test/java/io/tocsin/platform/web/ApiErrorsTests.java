package io.tocsin.platform.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.options;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.tocsin.platform.DatabaseAvailability;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The API's error contract: problem details for everything, never HTML, never internals. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "tocsin.database.url=jdbc:h2:mem:api-errors;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
      "tocsin.data-dir=target/test-data/api-errors",
      "tocsin.log-format=json",
      "tocsin.cors.allowed-origins=https://status.example.com"
    })
@AutoConfigureMockMvc
@Import({ProbeController.class, TestSignIn.class})
@ExtendWith(OutputCaptureExtension.class)
class ApiErrorsTests {

  private static final String PROBLEM_JSON = "application/problem+json";

  private final HttpClient http = HttpClient.newHttpClient();

  @LocalServerPort int port;
  @Autowired MockMvc mvc;
  @Autowired DatabaseAvailability database;

  @BeforeEach
  void databaseIsReady() {
    await().atMost(Duration.ofSeconds(30)).until(database::isReady);
  }

  @Test
  void anonymousApiRequestGets401ProblemWithAChallenge() throws Exception {
    mvc.perform(get("/api/v1/incidents"))
        .andExpect(status().isUnauthorized())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(header().string("WWW-Authenticate", containsString("Bearer")))
        .andExpect(jsonPath("$.type").value("urn:tocsin:problem:unauthenticated"))
        .andExpect(jsonPath("$.status").value(401))
        .andExpect(jsonPath("$.instance").value("/api/v1/incidents"));
  }

  @Test
  void unknownPathGets404ProblemFromTheErrorDispatch() throws Exception {
    HttpResponse<String> response = signedInOverHttp("GET", "/api/v1/nothing-here", null, null);

    assertProblem(response, 404);
    assertThat(response.body()).contains("\"instance\":\"/api/v1/nothing-here\"");
  }

  @Test
  void wrongMethodGets405ProblemWithAllow() throws Exception {
    HttpResponse<String> response = signedInOverHttp("DELETE", "/api/probe/paint", null, null);

    assertProblem(response, 405);
    assertThat(response.headers().firstValue("Allow")).isPresent();
  }

  @Test
  void wrongContentTypeGets415Problem() throws Exception {
    assertProblem(signedInOverHttp("POST", "/api/probe/paint", "text/plain", "red"), 415);
  }

  @Test
  void malformedJsonGets400ProblemSayingWhere() throws Exception {
    problem(signedIn(postJson("/api/probe/paint", "{\"colour\": \"blue\",")), 400)
        .andExpect(jsonPath("$.type").value("urn:tocsin:problem:malformed-body"))
        .andExpect(jsonPath("$.detail", containsString("not valid JSON")))
        .andExpect(jsonPath("$.detail", containsString("line 1")));
  }

  @Test
  void missingBodyGets400Problem() throws Exception {
    problem(signedIn(post("/api/probe/paint").contentType(MediaType.APPLICATION_JSON)), 400)
        .andExpect(jsonPath("$.type").value("urn:tocsin:problem:malformed-body"));
  }

  @Test
  void enumValuesAreAcceptedInAnyCaseAndAnsweredInLowerCase() throws Exception {
    mvc.perform(signedIn(postJson("/api/probe/paint", "{\"colour\": \"Dark_RED\", \"litres\": 2}")))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.colour").value("dark_red"));
    mvc.perform(signedIn(get("/api/probe/paint").param("colour", "BLUE")))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.colour").value("blue"));
  }

  @Test
  void unknownEnumValueInABodyGets422WithTheAllowedValues() throws Exception {
    problem(signedIn(postJson("/api/probe/paint", "{\"colour\": \"green\", \"litres\": 2}")), 422)
        .andExpect(jsonPath("$.type").value("urn:tocsin:problem:unknown-value"))
        .andExpect(
            jsonPath("$.detail")
                .value("'green' is not a valid colour: allowed values are dark_red, blue"))
        .andExpect(jsonPath("$.errors[0].field").value("colour"))
        .andExpect(jsonPath("$.errors[0].allowedValues[0]").value("dark_red"))
        .andExpect(jsonPath("$.errors[0].allowedValues[1]").value("blue"));
  }

  @Test
  void unknownEnumValueInAQueryParameterGets422WithTheAllowedValues() throws Exception {
    problem(signedIn(get("/api/probe/paint").param("colour", "green")), 422)
        .andExpect(
            jsonPath("$.detail")
                .value("'green' is not a valid colour: allowed values are dark_red, blue"));
  }

  @Test
  void invalidFieldsGet422WithOneErrorPerField() throws Exception {
    problem(signedIn(postJson("/api/probe/paint", "{\"litres\": 0}")), 422)
        .andExpect(jsonPath("$.type").value("urn:tocsin:problem:validation"))
        .andExpect(jsonPath("$.errors.length()").value(2))
        .andExpect(jsonPath("$.errors[?(@.field == 'colour')].message").exists())
        .andExpect(jsonPath("$.errors[?(@.field == 'litres')].message").exists());
  }

  @Test
  void aValueOfTheWrongTypeGets422NamingTheField() throws Exception {
    problem(
            signedIn(postJson("/api/probe/paint", "{\"colour\": \"blue\", \"litres\": \"lots\"}")),
            422)
        .andExpect(jsonPath("$.errors[0].field").value("litres"));
  }

  @Test
  void unexpectedFailureGets500ProblemWithoutInternals() throws Exception {
    problem(signedIn(get("/api/probe/boom")), 500)
        .andExpect(jsonPath("$.type").value("urn:tocsin:problem:internal"))
        .andExpect(content().string(not(containsString("internal detail"))))
        .andExpect(content().string(not(containsString("IllegalStateException"))))
        .andExpect(jsonPath("$.requestId").exists());
  }

  @Test
  void aSignedInCallerWithoutThePermissionGets403Problem() throws Exception {
    problem(signedIn(get("/api/probe/forbidden")), 403)
        .andExpect(jsonPath("$.type").value("urn:tocsin:problem:forbidden"));
  }

  @Test
  void losingTheDatabaseMidRequestGets503WithRetryAfter() throws Exception {
    problem(signedIn(get("/api/probe/database-gone")), 503)
        .andExpect(header().string("Retry-After", matchesPattern("[1-9][0-9]*")))
        .andExpect(jsonPath("$.type").value("urn:tocsin:problem:database-unavailable"));
  }

  @Test
  void everyResponseCarriesSecurityHeaders() throws Exception {
    for (MockHttpServletRequestBuilder request :
        new MockHttpServletRequestBuilder[] {
          get("/actuator/health/liveness"),
          get("/api/v1/incidents"),
          signedIn(get("/api/probe/paint").param("colour", "blue"))
        }) {
      mvc.perform(request)
          .andExpect(header().string("X-Content-Type-Options", "nosniff"))
          .andExpect(header().string("X-Frame-Options", "DENY"))
          .andExpect(
              header().string("Content-Security-Policy", containsString("default-src 'self'")))
          .andExpect(
              header().string("Content-Security-Policy", containsString("frame-ancestors 'none'")))
          .andExpect(header().string("Referrer-Policy", "same-origin"));
    }
  }

  @Test
  void anAllowedOriginPassesCorsPreflight() throws Exception {
    mvc.perform(preflight("https://status.example.com"))
        .andExpect(status().isOk())
        .andExpect(header().string("Access-Control-Allow-Origin", "https://status.example.com"));
  }

  @Test
  void anotherOriginIsRefusedWithAProblem() throws Exception {
    mvc.perform(preflight("https://evil.example.net"))
        .andExpect(status().isForbidden())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.type").value("urn:tocsin:problem:cors-origin-refused"));
  }

  private static MockHttpServletRequestBuilder preflight(String origin) {
    return options("/api/v1/incidents")
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST");
  }

  @Test
  void healthInfoAndMetricsArePublicWithJvmHttpAndPoolMetrics() throws Exception {
    mvc.perform(get("/actuator/health/liveness")).andExpect(status().isOk());
    mvc.perform(get("/actuator/health/readiness")).andExpect(status().isOk());
    mvc.perform(get("/actuator/info")).andExpect(status().isOk());
    mvc.perform(get("/api/v1/incidents"));
    mvc.perform(get("/actuator/prometheus"))
        .andExpect(status().isOk())
        .andExpect(content().string(containsString("jvm_memory_used_bytes")))
        .andExpect(content().string(containsString("http_server_requests_seconds_count")))
        .andExpect(content().string(containsString("hikaricp_connections")))
        .andExpect(content().string(containsString("tocsin_database_up 1.0")));
  }

  @Test
  void aSafeIncomingRequestIdIsKeptAndAnUnsafeOneReplaced() throws Exception {
    mvc.perform(get("/api/v1/incidents").header("X-Request-ID", "lb-7f3a.42"))
        .andExpect(header().string("X-Request-ID", "lb-7f3a.42"))
        .andExpect(jsonPath("$.requestId").value("lb-7f3a.42"));
    mvc.perform(get("/api/v1/incidents").header("X-Request-ID", "evil\nINFO forged line"))
        .andExpect(header().string("X-Request-ID", matchesPattern("[0-9a-f-]{36}")));
  }

  @Test
  void logLinesAreJsonObjectsCarryingTheRequestId(CapturedOutput output) throws Exception {
    mvc.perform(get("/api/v1/incidents").header("X-Request-ID", "trace-me-1234"));

    JsonMapper json = JsonMapper.builder().build();
    JsonNode line =
        output
            .getOut()
            .lines()
            .filter(l -> l.contains("trace-me-1234"))
            .map(json::readTree)
            .findFirst()
            .orElseThrow();
    assertThat(line.get("request_id").asString()).isEqualTo("trace-me-1234");
    assertThat(line.get("message").asString()).isEqualTo(line.get("message").asString().trim());
    assertThat(line.get("message").asString()).startsWith("GET /api/v1/incidents 401");
    assertThat(line.has("timestamp")).isTrue();
    assertThat(line.get("level").asString()).isEqualTo("INFO");
    assertThat(line.get("logger").asString()).isEqualTo(RequestIdFilter.class.getName());
  }

  private HttpResponse<String> signedInOverHttp(
      String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", TestSignIn.SCHEME + "responder")
            .header("Accept", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertProblem(HttpResponse<String> response, int expectedStatus) {
    assertThat(response.statusCode()).isEqualTo(expectedStatus);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith(PROBLEM_JSON));
    assertThat(response.body())
        .startsWith("{\"type\":")
        .contains("\"status\":" + expectedStatus)
        .contains("\"title\":");
  }

  private ResultActions problem(MockHttpServletRequestBuilder request, int expectedStatus)
      throws Exception {
    return mvc.perform(request)
        .andExpect(status().is(expectedStatus))
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.status").value(expectedStatus))
        .andExpect(jsonPath("$.type").exists())
        .andExpect(jsonPath("$.title").exists());
  }

  private static MockHttpServletRequestBuilder signedIn(MockHttpServletRequestBuilder request) {
    return request.with(user("responder")).with(csrf());
  }

  private static MockHttpServletRequestBuilder postJson(String path, String body) {
    return post(path).contentType(MediaType.APPLICATION_JSON).content(body);
  }
}
