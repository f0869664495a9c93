package io.tocsin.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The directory API through real HTTP on a whole server, once per database: who may do what, how
 * bad input is answered, and that secrets never show again after they are created.
 */
@ExtendWith(OutputCaptureExtension.class)
class DirectoryApiIntegrationTests extends HarnessTests {

  private static final String ADMIN_EMAIL = TocsinHarness.ADMIN_EMAIL;
  private static final String ADMIN_PASSWORD = TocsinHarness.ADMIN_PASSWORD;
  private static final String PASSWORD = "a long enough password";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private static String responderToken;
  private static String viewerToken;
  private static UUID responderId;
  private static UUID viewerId;
  private static UUID teamId;
  private static UUID serviceId;
  private static UUID integrationId;

  @Override
  protected Map<String, Object> settings() {
    return Map.of("tocsin.security.max-token-lifetime", "90d");
  }

  @Override
  protected void seed() {
    responderId = createUser("responder", "responder");
    viewerId = createUser("viewer", "viewer");
    responderToken = token(basicTokenRequest(emailOf(responderId), PASSWORD));
    viewerToken = token(basicTokenRequest(emailOf(viewerId), PASSWORD));
    teamId = createTeam();
    serviceId = createService("base", List.of());
    integrationId = createIntegration(serviceId);
  }

  enum Caller {
    ADMIN,
    RESPONDER,
    VIEWER,
    ANONYMOUS
  }

  record Call(String family, String method, Supplier<String> path, Supplier<String> body) {}

  @Test
  void everyRoleGetsExactlyTheAnswersItsRoleAllows() {
    List<Map.Entry<Call, List<Integer>>> matrix =
        List.of(
            row(call("users", "GET", () -> "/api/v1/users", null), 200, 200, 200, 401),
            row(call("users", "GET", () -> "/api/v1/users/" + viewerId, null), 200, 200, 200, 401),
            row(call("users", "GET", () -> "/api/v1/users/me", null), 200, 200, 200, 401),
            row(
                call(
                    "users",
                    "POST",
                    () -> "/api/v1/users",
                    () -> newUserJson("matrix" + SEQUENCE.incrementAndGet(), "viewer")),
                201,
                403,
                403,
                401),
            row(
                call(
                    "users",
                    "PATCH",
                    () -> "/api/v1/users/" + viewerId,
                    () -> "{\"name\":\"Vic\"}"),
                200,
                403,
                200 /* a viewer edits their own profile */,
                401),
            row(
                call(
                    "users",
                    "PATCH",
                    () -> "/api/v1/users/" + responderId,
                    () -> "{\"role\":\"admin\"}"),
                200,
                403,
                403,
                401),
            row(
                call(
                    "users",
                    "DELETE",
                    () ->
                        "/api/v1/users/"
                            + createUser("doomed" + SEQUENCE.incrementAndGet(), "viewer"),
                    null),
                204,
                403,
                403,
                401),
            row(
                call("tokens", "POST", () -> "/api/v1/tokens", () -> "{\"name\":\"ci\"}"),
                201,
                201,
                201,
                401),
            row(call("tokens", "GET", () -> "/api/v1/tokens", null), 200, 200, 200, 401),
            row(call("audit", "GET", () -> "/api/v1/audit", null), 200, 403, 403, 401),
            row(
                call(
                    "teams",
                    "POST",
                    () -> "/api/v1/teams",
                    () -> "{\"name\":\"t" + SEQUENCE.incrementAndGet() + "\"}"),
                201,
                403,
                403,
                401),
            row(call("teams", "GET", () -> "/api/v1/teams", null), 200, 200, 200, 401),
            row(call("teams", "GET", () -> "/api/v1/teams/" + teamId, null), 200, 200, 200, 401),
            row(
                call(
                    "teams",
                    "PATCH",
                    () -> "/api/v1/teams/" + teamId,
                    () ->
                        "{\"members\":[{\"userId\":\""
                            + viewerId
                            + "\",\"teamRole\":\"Manager\"}]}"),
                200,
                403,
                403,
                401),
            row(
                call("teams", "DELETE", () -> "/api/v1/teams/" + createTeam(), null),
                204,
                403,
                403,
                401),
            row(
                call(
                    "services",
                    "POST",
                    () -> "/api/v1/services",
                    () ->
                        "{\"name\":\"s"
                            + SEQUENCE.incrementAndGet()
                            + "\",\"ownerTeamId\":\""
                            + teamId
                            + "\"}"),
                201,
                403,
                403,
                401),
            row(call("services", "GET", () -> "/api/v1/services", null), 200, 200, 200, 401),
            row(
                call(
                    "services",
                    "GET",
                    () -> "/api/v1/services/" + serviceId + "/dependencies?transitive=true",
                    null),
                200,
                200,
                200,
                401),
            row(
                call(
                    "services",
                    "PATCH",
                    () -> "/api/v1/services/" + serviceId,
                    () -> "{\"description\":\"d\"}"),
                200,
                403,
                403,
                401),
            row(
                call(
                    "services",
                    "DELETE",
                    () ->
                        "/api/v1/services/"
                            + createService("gone" + SEQUENCE.incrementAndGet(), List.of()),
                    null),
                204,
                403,
                403,
                401),
            row(
                call(
                    "integrations",
                    "POST",
                    () -> "/api/v1/services/" + serviceId + "/integrations",
                    () -> "{\"name\":\"am\",\"kind\":\"alertmanager\"}"),
                201,
                403,
                403,
                401),
            row(
                call(
                    "integrations",
                    "GET",
                    () -> "/api/v1/services/" + serviceId + "/integrations",
                    null),
                200,
                200,
                200,
                401),
            row(
                call(
                    "integrations",
                    "POST",
                    () -> "/api/v1/integrations/" + integrationId + "/rotate-key",
                    () -> "{}"),
                200,
                403,
                403,
                401),
            row(
                call(
                    "integrations",
                    "DELETE",
                    () -> "/api/v1/integrations/" + createIntegration(serviceId),
                    null),
                204,
                403,
                403,
                401));

    for (Map.Entry<Call, List<Integer>> entry : matrix) {
      Call call = entry.getKey();
      for (Caller caller : Caller.values()) {
        if (call.method().equals("PATCH") && call.body().get().contains("admin")) {
          // restore the responder between callers, so every caller faces the same state
          send(adminToken, "PATCH", "/api/v1/users/" + responderId, "{\"role\":\"responder\"}");
        }
        int expected = entry.getValue().get(caller.ordinal());
        HttpResponse<String> response =
            send(tokenOf(caller), call.method(), call.path().get(), call.body().get());
        assertThat(response.statusCode())
            .as(
                "%s %s %s as %s: %s",
                call.family(), call.method(), call.path().get(), caller, response.body())
            .isEqualTo(expected);
      }
    }
    send(adminToken, "PATCH", "/api/v1/users/" + responderId, "{\"role\":\"responder\"}");
  }

  @Test
  void emailsAreUniqueInAnyCase() {
    String email = "Dup" + SEQUENCE.incrementAndGet() + "@Example.com";
    assertThat(
            send(adminToken, "POST", "/api/v1/users", userJson("A", email, "viewer", "UTC"))
                .statusCode())
        .isEqualTo(201);

    HttpResponse<String> duplicate =
        send(
            adminToken,
            "POST",
            "/api/v1/users",
            userJson("B", email.toLowerCase(), "viewer", "UTC"));

    assertThat(duplicate.statusCode()).isEqualTo(409);
    assertThat(duplicate.body()).contains("already exists");
  }

  @Test
  void unknownRoleTimeZoneAndFieldsAreRefusedWith422SayingWhatIsAllowed() {
    HttpResponse<String> role =
        send(adminToken, "POST", "/api/v1/users", userJson("R", unique(), "superuser", "UTC"));
    HttpResponse<String> zone =
        send(
            adminToken, "POST", "/api/v1/users", userJson("Z", unique(), "viewer", "Mars/Olympus"));
    HttpResponse<String> field =
        send(adminToken, "PATCH", "/api/v1/users/" + viewerId, "{\"nickname\":\"v\"}");
    HttpResponse<String> shortPassword =
        send(
            adminToken,
            "POST",
            "/api/v1/users",
            "{\"name\":\"P\",\"email\":\""
                + unique()
                + "\",\"role\":\"viewer\",\"timeZone\":\"UTC\",\"password\":\"short\"}");

    assertThat(role.statusCode()).isEqualTo(422);
    assertThat(role.body()).contains("\"allowedValues\":[\"viewer\",\"responder\",\"admin\"]");
    assertThat(zone.statusCode()).isEqualTo(422);
    assertThat(zone.body()).contains("is not an IANA time zone");
    assertThat(field.statusCode()).isEqualTo(422);
    assertThat(field.body()).contains("\"field\":\"nickname\"").contains("known fields");
    assertThat(shortPassword.statusCode()).isEqualTo(422);
    assertThat(shortPassword.body()).contains("at least 12 characters");
  }

  @Test
  void rolesAreAcceptedInAnyCaseAndAnsweredInLowerCase() {
    HttpResponse<String> created =
        send(
            adminToken,
            "POST",
            "/api/v1/users",
            userJson("Case", unique(), "ResPonder", "Europe/Berlin"));

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(json(created).get("role").asString()).isEqualTo("responder");
    assertThat(
            JdbcClient.create(schema().dataSource())
                .sql("SELECT role FROM directory_user WHERE id = :id")
                .param("id", UUID.fromString(json(created).get("id").asString()))
                .query(String.class)
                .single())
        .isEqualTo("responder");
  }

  @Test
  void changingYourOwnPasswordNeedsTheCurrentOne() {
    UUID id = createUser("pw" + SEQUENCE.incrementAndGet(), "responder");
    String token = token(basicTokenRequest(emailOf(id), PASSWORD));
    String newPassword = "another long password";

    HttpResponse<String> without =
        send(token, "PATCH", "/api/v1/users/" + id, "{\"password\":\"" + newPassword + "\"}");
    HttpResponse<String> wrong =
        send(
            token,
            "PATCH",
            "/api/v1/users/" + id,
            "{\"password\":\"" + newPassword + "\",\"currentPassword\":\"not it at all\"}");
    HttpResponse<String> right =
        send(
            token,
            "PATCH",
            "/api/v1/users/" + id,
            "{\"password\":\"" + newPassword + "\",\"currentPassword\":\"" + PASSWORD + "\"}");

    assertThat(without.statusCode()).isEqualTo(422);
    assertThat(without.body()).contains("\"field\":\"currentPassword\"");
    assertThat(wrong.statusCode()).isEqualTo(422);
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(basicTokenRequest(emailOf(id), newPassword).statusCode()).isEqualTo(201);
  }

  @Test
  void aReadOnlyTokenReadsWhatItsOwnerMayButChangesNothing() {
    UUID adminId = createUser("ro" + SEQUENCE.incrementAndGet(), "admin");
    String full = token(basicTokenRequest(emailOf(adminId), PASSWORD));
    HttpResponse<String> created =
        send(full, "POST", "/api/v1/tokens", "{\"name\":\"dashboard\",\"readOnly\":true}");
    assertThat(json(created).get("readOnly").asBoolean()).isTrue();
    String readOnly = token(created);

    assertThat(send(readOnly, "GET", "/api/v1/audit", null).statusCode()).isEqualTo(200);
    for (HttpResponse<String> refused :
        List.of(
            send(readOnly, "POST", "/api/v1/teams", "{\"name\":\"ro-team\"}"),
            send(readOnly, "PATCH", "/api/v1/users/" + adminId, "{\"name\":\"Renamed\"}"),
            send(readOnly, "POST", "/api/v1/tokens", "{\"name\":\"escape\"}"))) {
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).contains("read-only-token");
    }
    assertThat(
            json(send(adminToken, "GET", "/api/v1/users/" + adminId, null)).get("name").asString())
        .doesNotContain("Renamed");
  }

  @Test
  void anAdminListsEveryonesTokensWithTheirLastUseAndRevokesAny() {
    UUID userId = createUser("listed" + SEQUENCE.incrementAndGet(), "responder");
    String token = token(basicTokenRequest(emailOf(userId), PASSWORD));
    send(token, "GET", "/api/v1/users/me", null);

    List<JsonNode> all = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page =
          json(
              send(
                  adminToken,
                  "GET",
                  "/api/v1/tokens/all?limit=200" + (cursor == null ? "" : "&cursor=" + cursor),
                  null));
      page.get("items").forEach(all::add);
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
    } while (cursor != null);
    JsonNode listed =
        all.stream()
            .filter(t -> t.get("userId").asString().equals(userId.toString()))
            .findFirst()
            .orElseThrow();
    assertThat(listed.get("lastUsedAt").isNull()).isFalse();
    assertThat(send(token, "GET", "/api/v1/tokens/all", null).statusCode()).isEqualTo(403);

    assertThat(
            send(adminToken, "DELETE", "/api/v1/tokens/" + listed.get("id").asString(), null)
                .statusCode())
        .isEqualTo(204);
    assertThat(send(token, "GET", "/api/v1/users/me", null).statusCode()).isEqualTo(401);
  }

  @Test
  void theLastAdminCanBeNeitherDeletedNorDemoted() {
    UUID adminId =
        UUID.fromString(
            json(send(adminToken, "GET", "/api/v1/users/me", null)).get("id").asString());

    assertThat(send(adminToken, "DELETE", "/api/v1/users/" + adminId, null).statusCode())
        .isEqualTo(409);
    HttpResponse<String> demote =
        send(adminToken, "PATCH", "/api/v1/users/" + adminId, "{\"role\":\"viewer\"}");
    assertThat(demote.statusCode()).isEqualTo(409);
    assertThat(demote.body()).contains("last admin");
  }

  @Test
  void aRevokedOrExpiredTokenNoLongerWorksAndADemotedUsersTokenIsDemoted() {
    UUID userId = createUser("temp" + SEQUENCE.incrementAndGet(), "admin");
    String token = token(basicTokenRequest(emailOf(userId), PASSWORD));
    assertThat(send(token, "GET", "/api/v1/audit", null).statusCode()).isEqualTo(200);

    send(adminToken, "PATCH", "/api/v1/users/" + userId, "{\"role\":\"viewer\"}");
    assertThat(send(token, "GET", "/api/v1/audit", null).statusCode()).isEqualTo(403);

    JsonNode tokens = json(send(token, "GET", "/api/v1/tokens", null));
    String tokenId = tokens.get(0).get("id").asString();
    assertThat(send(token, "DELETE", "/api/v1/tokens/" + tokenId, null).statusCode())
        .isEqualTo(204);
    assertThat(send(token, "GET", "/api/v1/users/me", null).statusCode()).isEqualTo(401);

    HttpResponse<String> expiring =
        send(
            adminToken,
            "POST",
            "/api/v1/tokens",
            "{\"name\":\"past\",\"expiresAt\":\"2001-01-01T00:00:00Z\"}");
    assertThat(expiring.statusCode()).isEqualTo(422);
  }

  @Test
  void aTokenCannotOutliveTheTokenThatCreatedItNorTheServersLongestLifetime() {
    Instant now = Instant.now();
    JsonNode byPassword = json(basicTokenRequest(ADMIN_EMAIL, ADMIN_PASSWORD));
    assertThat(Instant.parse(byPassword.get("expiresAt").asString()))
        .as("no expiry asked for: the longest one allowed")
        .isBetween(now.plus(Duration.ofDays(90)), Instant.now().plus(Duration.ofDays(90)));

    HttpResponse<String> tooLong =
        send(
            adminToken,
            "POST",
            "/api/v1/tokens",
            "{\"name\":\"long\",\"expiresAt\":\"" + now.plus(Duration.ofDays(91)) + "\"}");
    assertThat(tooLong.statusCode()).isEqualTo(422);
    assertThat(tooLong.body()).contains("expiresAt").contains("at most 90 days from now");

    Instant shortEnds = now.plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    String shortLived =
        token(
            send(
                adminToken,
                "POST",
                "/api/v1/tokens",
                "{\"name\":\"short\",\"expiresAt\":\"" + shortEnds + "\"}"));
    HttpResponse<String> outliving =
        send(
            shortLived,
            "POST",
            "/api/v1/tokens",
            "{\"name\":\"forever\",\"expiresAt\":\"" + now.plus(Duration.ofDays(30)) + "\"}");
    assertThat(outliving.statusCode()).isEqualTo(422);
    assertThat(outliving.body())
        .contains("expiresAt")
        .contains("a token cannot outlive its creator")
        .contains(shortEnds.toString());
    JsonNode minted = json(send(shortLived, "POST", "/api/v1/tokens", "{\"name\":\"child\"}"));
    assertThat(Instant.parse(minted.get("expiresAt").asString()))
        .as("no expiry asked for: its creator's")
        .isEqualTo(shortEnds);
  }

  @Test
  void wrongPasswordsAreRefusedAndAudited() {
    HttpResponse<String> refused = basicTokenRequest(ADMIN_EMAIL, "not the password at all");

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    JsonNode audit =
        json(send(adminToken, "GET", "/api/v1/audit?kind=login.failed&actor=" + ADMIN_EMAIL, null));
    assertThat(audit.get("items").size())
        .as(send(adminToken, "GET", "/api/v1/audit?limit=200", null).body())
        .isPositive();
    assertThat(audit.get("items").get(0).get("summary").asString())
        .doesNotContain("not the password");
  }

  @Test
  void basicCredentialsAreAcceptedOnlyToCreateAToken() {
    HttpResponse<String> response =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri("/api/v1/users/me"))
                .header("Authorization", basic(ADMIN_EMAIL, ADMIN_PASSWORD))
                .build());

    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void setupIsClosedOnceAnAdminExists() {
    HttpResponse<String> setup =
        send(
            null,
            "POST",
            "/api/v1/setup",
            "{\"token\":\"whatever\",\"name\":\"X\",\"email\":\"x@example.com\",\"password\":\""
                + PASSWORD
                + "\",\"timeZone\":\"UTC\"}");

    assertThat(setup.statusCode()).isEqualTo(422);
  }

  @Test
  void changesAreInTheAuditTrailWithWhoAndFromWhere() {
    UUID id = createUser("audited" + SEQUENCE.incrementAndGet(), "viewer");

    JsonNode page =
        json(send(adminToken, "GET", "/api/v1/audit?kind=user.created&actor=" + ADMIN_EMAIL, null));

    JsonNode entry = null;
    for (JsonNode item : page.get("items")) {
      if (("user " + id).equals(item.get("target").asString())) {
        entry = item;
      }
    }
    assertThat(entry).isNotNull();
    assertThat(entry.get("actorName").asString()).isEqualTo(ADMIN_EMAIL);
    assertThat(entry.get("clientAddress").asString()).isEqualTo("127.0.0.1");
  }

  @Test
  void tokensAndPasswordsNeverAppearAgainInResponsesTheDatabaseOrTheLogs(CapturedOutput output) {
    HttpResponse<String> created =
        send(viewerToken, "POST", "/api/v1/tokens", "{\"name\":\"secret-check\"}");
    String token = json(created).get("token").asString();
    assertThat(token).startsWith("tcn_");

    assertThat(send(viewerToken, "GET", "/api/v1/tokens", null).body()).doesNotContain(token);
    assertThat(send(viewerToken, "GET", "/api/v1/users/me", null).body())
        .doesNotContain("password");
    JdbcClient jdbc = JdbcClient.create(schema().dataSource());
    assertThat(jdbc.sql("SELECT token_hash FROM directory_api_token").query(String.class).list())
        .noneMatch(hash -> hash.contains(token) || hash.startsWith("tcn_"));
    assertThat(jdbc.sql("SELECT password_hash FROM directory_user").query(String.class).list())
        .allMatch(hash -> hash.startsWith("{bcrypt}"))
        .noneMatch(hash -> hash.contains(PASSWORD) || hash.contains(ADMIN_PASSWORD));
    assertThat(jdbc.sql("SELECT summary FROM directory_audit_event").query(String.class).list())
        .noneMatch(summary -> summary.contains(token) || summary.contains(PASSWORD));
    assertThat(output.getAll())
        .doesNotContain(token)
        .doesNotContain(PASSWORD)
        .doesNotContain(ADMIN_PASSWORD);
  }

  @Test
  void aDependencyThatWouldCloseACycleIsRefusedNamingTheCycle() {
    UUID database = createService("db" + SEQUENCE.incrementAndGet(), List.of());
    UUID api = createService("api" + SEQUENCE.incrementAndGet(), List.of(database));
    UUID web = createService("web" + SEQUENCE.incrementAndGet(), List.of(api));

    HttpResponse<String> cycle =
        send(
            adminToken,
            "PATCH",
            "/api/v1/services/" + database,
            "{\"dependencies\":[\"" + web + "\"]}");

    assertThat(cycle.statusCode()).isEqualTo(422);
    assertThat(cycle.body())
        .containsPattern("would create the cycle db\\d+ -> web\\d+ -> api\\d+ -> db\\d+");
    JsonNode closure =
        json(
            send(
                viewerToken,
                "GET",
                "/api/v1/services/" + web + "/dependencies?transitive=true",
                null));
    assertThat(closure.findValuesAsString("id"))
        .containsExactly(api.toString(), database.toString());
    JsonNode direct =
        json(send(viewerToken, "GET", "/api/v1/services/" + web + "/dependencies", null));
    assertThat(direct.findValuesAsString("id")).containsExactly(api.toString());
  }

  @Test
  void listsCarryEveryServicesDependenciesAndEveryTeamsMembers() {
    String tag = "lst" + SEQUENCE.incrementAndGet();
    UUID store = createService(tag + "-store", List.of());
    UUID queue = createService(tag + "-queue", List.of());
    UUID api = createService(tag + "-api", List.of(store, queue));
    HttpResponse<String> team =
        send(
            adminToken,
            "POST",
            "/api/v1/teams",
            "{\"name\":\""
                + tag
                + "\",\"members\":[{\"userId\":\""
                + responderId
                + "\",\"teamRole\":\"member\"},{\"userId\":\""
                + viewerId
                + "\",\"teamRole\":\"manager\"}]}");
    assertThat(team.statusCode()).as(team.body()).isEqualTo(201);

    JsonNode services =
        json(send(viewerToken, "GET", "/api/v1/services?name=" + tag, null)).get("items");
    Map<String, List<String>> dependenciesByName = new java.util.TreeMap<>();
    services.forEach(
        service ->
            dependenciesByName.put(
                service.get("name").asString(),
                service.get("dependencies").valueStream().map(JsonNode::asString).toList()));
    assertThat(dependenciesByName)
        .containsExactly(
            Map.entry(
                tag + "-api",
                java.util.stream.Stream.of(store, queue).map(UUID::toString).sorted().toList()),
            Map.entry(tag + "-queue", List.of()),
            Map.entry(tag + "-store", List.of()));
    JsonNode teams = json(send(viewerToken, "GET", "/api/v1/teams?name=" + tag, null)).get("items");
    assertThat(teams.size()).isEqualTo(1);
    assertThat(teams.get(0).get("members").findValuesAsString("userId"))
        .containsExactlyInAnyOrder(responderId.toString(), viewerId.toString());
    assertThat(teams.get(0).get("members").findValuesAsString("teamRole"))
        .containsExactlyInAnyOrder("member", "manager");
    assertThat(json(send(viewerToken, "GET", "/api/v1/services/" + api, null)).get("dependencies"))
        .hasSize(2);
  }

  @Test
  void aServiceStillReferredToCannotBeDeletedAndTheAnswerSaysByWhat() {
    UUID database = createService("store" + SEQUENCE.incrementAndGet(), List.of());
    createService("user" + SEQUENCE.incrementAndGet(), List.of(database));
    createIntegration(database);

    HttpResponse<String> refused = send(adminToken, "DELETE", "/api/v1/services/" + database, null);

    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.body())
        .contains("integrations prometheus")
        .contains("services that depend on it: user");
  }

  @Test
  void duplicateServiceAndTeamNamesAreConflicts() {
    String name = "dup" + SEQUENCE.incrementAndGet();
    createService(name, List.of());

    assertThat(
            send(
                    adminToken,
                    "POST",
                    "/api/v1/services",
                    "{\"name\":\"" + name.toUpperCase() + "\"}")
                .statusCode())
        .isEqualTo(409);
    assertThat(
            send(adminToken, "POST", "/api/v1/teams", "{\"name\":\"team-" + name + "\"}")
                .statusCode())
        .isEqualTo(201);
    assertThat(
            send(adminToken, "POST", "/api/v1/teams", "{\"name\":\"TEAM-" + name + "\"}")
                .statusCode())
        .isEqualTo(409);
  }

  @Test
  void aRotatedKeyKeepsWorkingDuringItsGracePeriodAndKeysAreNeverShownOrStoredAgain(
      CapturedOutput output) {
    HttpResponse<String> created =
        send(
            adminToken,
            "POST",
            "/api/v1/services/" + serviceId + "/integrations",
            "{\"name\":\"pd\",\"kind\":\"PagerDuty\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(json(created).get("kind").asString()).isEqualTo("pagerduty");
    String id = json(created).get("id").asString();
    String first = json(created).get("key").asString();
    IntegrationService keys = tocsin.bean(IntegrationService.class);

    String second =
        json(send(
                adminToken,
                "POST",
                "/api/v1/integrations/" + id + "/rotate-key",
                "{\"graceUntil\":\"" + java.time.Instant.now().plusSeconds(3600) + "\"}"))
            .get("key")
            .asString();
    assertThat(keys.authenticate(first)).isPresent();
    assertThat(keys.authenticate(second))
        .get()
        .extracting(IntegrationService.KeyOwner::serviceId)
        .isEqualTo(serviceId);

    String third =
        json(send(adminToken, "POST", "/api/v1/integrations/" + id + "/rotate-key", "{}"))
            .get("key")
            .asString();
    assertThat(keys.authenticate(first)).isEmpty();
    assertThat(keys.authenticate(second)).isEmpty();
    assertThat(keys.authenticate(third)).isPresent();

    assertThat(send(viewerToken, "GET", "/api/v1/integrations/" + id, null).body())
        .doesNotContain(third)
        .doesNotContain("tik_");
    assertThat(
            JdbcClient.create(schema().dataSource())
                .sql("SELECT key_hash FROM directory_integration_key")
                .query(String.class)
                .list())
        .noneMatch(hash -> hash.startsWith("tik_") || hash.equals(third));

    assertThat(send(adminToken, "DELETE", "/api/v1/integrations/" + id, null).statusCode())
        .isEqualTo(204);
    assertThat(keys.authenticate(third)).as("a deleted integration's key, just accepted").isEmpty();
  }

  @Test
  void listsFilterByNameInAnyCaseAndPageWithACursor() {
    String prefix = "Paged" + SEQUENCE.incrementAndGet();
    List<UUID> created =
        List.of(
            createService(prefix + "-a", List.of()),
            createService(prefix + "-b", List.of()),
            createService(prefix + "-c", List.of()));

    JsonNode first =
        json(
            send(
                viewerToken, "GET", "/api/v1/services?limit=2&name=" + prefix.toLowerCase(), null));
    JsonNode second =
        json(
            send(
                viewerToken,
                "GET",
                "/api/v1/services?limit=2&name="
                    + prefix
                    + "&cursor="
                    + first.get("nextCursor").asString(),
                null));

    assertThat(first.get("items").findValuesAsString("id"))
        .containsExactly(created.get(0).toString(), created.get(1).toString());
    assertThat(second.get("items").findValuesAsString("id"))
        .containsExactly(created.get(2).toString());
    assertThat(second.get("nextCursor").isNull()).isTrue();
    assertThat(
            json(send(viewerToken, "GET", "/api/v1/services?name=%25", null)).get("items").size())
        .isZero();
    assertThat(send(viewerToken, "GET", "/api/v1/services?cursor=not-a-cursor", null).statusCode())
        .isEqualTo(422);
  }

  @Test
  void theApiIsDescribedByOpenApiAtAStableUrlWithAnInteractivePage() {
    HttpResponse<String> description = send(null, "GET", "/api/openapi", null);
    HttpResponse<String> page = send(null, "GET", "/api/docs", null);

    assertThat(description.statusCode()).isEqualTo(200);
    JsonNode paths = json(description).get("paths");
    assertThat(paths.has("/api/v1/users")).isTrue();
    assertThat(paths.has("/api/v1/services/{id}/dependencies")).isTrue();
    assertThat(paths.has("/api/v1/integrations/{id}/rotate-key")).isTrue();
    assertThat(description.body()).contains("\"scheme\":\"bearer\"");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("/webjars/swagger-ui/swagger-ui-bundle.js", "/web/api-docs.js");
    assertThat(send(null, "GET", "/webjars/swagger-ui/swagger-ui-bundle.js", null).statusCode())
        .isEqualTo(200);
    assertThat(send(null, "GET", "/web/api-docs.js", null).body()).contains("/api/openapi");
  }

  @Test
  void aTokenExpiringAfterTheYear9999IsRefusedNamingTheField() {
    HttpResponse<String> refused =
        send(
            adminToken,
            "POST",
            "/api/v1/tokens",
            "{\"name\":\"forever\",\"expiresAt\":\"+999999999-12-31T23:59:59Z\"}");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(refused.body()).contains("\"field\":\"expiresAt\"").contains("9999-12-31");
    assertThat(send(adminToken, "GET", "/api/v1/tokens", null).body()).doesNotContain("forever");
  }

  @Test
  void aRefusedRequestIsExplainedInEnglishWhateverLanguageTheCallerAsksFor() {
    HttpResponse<String> refused =
        tocsin.send(
            TocsinHarness.request(
                    "POST",
                    tocsin.uri("/api/v1/teams"),
                    "{\"members\":[{\"teamRole\":\"member\"}]}")
                .header("Authorization", "Bearer " + adminToken)
                .header("Accept-Language", "de-DE,de;q=0.9")
                .build());

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(refused.body())
        .contains("\"field\":\"name\"", "must not be null")
        .contains("\"field\":\"members[0].userId\"");
  }

  @Test
  void wrongShapesAreRefusedNamingTheFieldNotA500() {
    UUID service = createService("ranged-" + unique(), List.of());
    HttpResponse<String> refused =
        send(
            adminToken,
            "POST",
            "/api/v1/services/" + service + "/integrations",
            "{\"name\":\"big\",\"kind\":9223372036854775807}");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(refused.body()).contains("\"field\":\"kind\"");
    HttpResponse<String> nullMember =
        send(adminToken, "POST", "/api/v1/teams", "{\"name\":\"nulls\",\"members\":[null]}");
    assertThat(nullMember.statusCode()).as(nullMember.body()).isEqualTo(422);
    assertThat(nullMember.body()).contains("\"field\":\"members[0]\"");
  }

  private static UUID createTeam() {
    HttpResponse<String> created =
        send(
            adminToken,
            "POST",
            "/api/v1/teams",
            "{\"name\":\"team" + SEQUENCE.incrementAndGet() + "\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return UUID.fromString(json(created).get("id").asString());
  }

  private static UUID createService(String name, List<UUID> dependencies) {
    String deps =
        dependencies.stream()
            .map(d -> "\"" + d + "\"")
            .collect(java.util.stream.Collectors.joining(","));
    HttpResponse<String> created =
        send(
            adminToken,
            "POST",
            "/api/v1/services",
            "{\"name\":\""
                + name
                + "\",\"ownerTeamId\":\""
                + teamId
                + "\",\"runbookUrls\":[\"https://runbooks.example.com/"
                + name
                + "\"],\"labels\":{\"tier\":\"1\"},\"dependencies\":["
                + deps
                + "]}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return UUID.fromString(json(created).get("id").asString());
  }

  private static UUID createIntegration(UUID service) {
    HttpResponse<String> created =
        send(
            adminToken,
            "POST",
            "/api/v1/services/" + service + "/integrations",
            "{\"name\":\"prometheus\",\"kind\":\"alertmanager\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return UUID.fromString(json(created).get("id").asString());
  }

  private static Map.Entry<Call, List<Integer>> row(
      Call call, int admin, int responder, int viewer, int anonymous) {
    return Map.entry(call, List.of(admin, responder, viewer, anonymous));
  }

  private static Call call(
      String family, String method, Supplier<String> path, Supplier<String> body) {
    return new Call(family, method, path, body == null ? () -> null : body);
  }

  private static String tokenOf(Caller caller) {
    return switch (caller) {
      case ADMIN -> adminToken;
      case RESPONDER -> responderToken;
      case VIEWER -> viewerToken;
      case ANONYMOUS -> null;
    };
  }

  private static UUID createUser(String name, String role) {
    HttpResponse<String> created =
        send(adminToken, "POST", "/api/v1/users", newUserJson(name, role));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return UUID.fromString(json(created).get("id").asString());
  }

  private static String emailOf(UUID userId) {
    return json(send(adminToken, "GET", "/api/v1/users/" + userId, null)).get("email").asString();
  }

  private static String newUserJson(String name, String role) {
    return userJson(name, name + "-" + SEQUENCE.incrementAndGet() + "@example.com", role, "UTC");
  }

  private static String userJson(String name, String email, String role, String timeZone) {
    return "{\"name\":\""
        + name
        + "\",\"email\":\""
        + email
        + "\",\"role\":\""
        + role
        + "\",\"timeZone\":\""
        + timeZone
        + "\",\"password\":\""
        + PASSWORD
        + "\"}";
  }

  private static String unique() {
    return "u" + SEQUENCE.incrementAndGet() + "@example.com";
  }

  private static HttpResponse<String> basicTokenRequest(String email, String password) {
    return tocsin.send(
        HttpRequest.newBuilder(tocsin.uri("/api/v1/tokens"))
            .header("Authorization", basic(email, password))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"first\"}"))
            .build());
  }

  private static String basic(String email, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((email + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static String token(HttpResponse<String> created) {
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return json(created).get("token").asString();
  }

  private static HttpResponse<String> send(String token, String method, String path, String body) {
    return tocsin.send(method, path, token == null ? null : "Bearer " + token, body);
  }

  private static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }
}
