package io.tocsin.ingest.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.HarnessTests;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Mail in, end to end: Jakarta Mail's SMTP client (an implementation independent of the SubEthaSMTP
 * listener) sends to an email integration's address, and the alert it makes opens, refreshes and
 * resolves an incident; mail to any other address is refused at RCPT time.
 */
class EmailInIntegrationTests extends HarnessTests {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String DOMAIN = "alerts.example.com";

  private static int smtpPort;

  @Override
  protected Map<String, Object> settings() throws IOException {
    smtpPort = freePort();
    return Map.of(
        "tocsin.email-in.port", smtpPort,
        "tocsin.email-in.host", "127.0.0.1",
        "tocsin.email-in.domain", DOMAIN);
  }

  @Test
  void aMailOpensAnIncidentTheSameSubjectIsTheSameAlertAndResolvedResolvesIt() throws Exception {
    Mailbox nas =
        mailbox(
            "nas",
            """
            {"resolvePattern":"(?i)^(RESOLVED|OK|UP)\\\\b"}""");
    assertThat(nas.address()).endsWith("@" + DOMAIN).startsWith("alerts-");
    assertThat(nas.integration().get("grouping").get("by").asString())
        .as("each subject is its own incident, as each PagerDuty dedup key is")
        .isEqualTo("dedup_key");
    assertThat(api.get("/api/v1/integrations/" + nas.id()).get("email"))
        .as("the integrations API shows the address")
        .hasToString(nas.integration().get("email").toString());

    send(nas.address(), "Disk full on db-1", "Only 2% left on /var.");
    await().atMost(WAIT).until(() -> api.incidents(nas.service()).size() == 1);
    JsonNode incident = api.incidents(nas.service()).get(0);
    assertThat(incident.get("title").asString()).isEqualTo("Disk full on db-1");
    assertThat(incident.get("status").asString()).isEqualTo("open");
    assertThat(alertRow(nas.id(), "description")).isEqualTo("Only 2% left on /var.");
    assertThat(alertRow(nas.id(), "labels"))
        .contains("\"from\":\"nas@example.net\"")
        .contains("\"subject\":\"Disk full on db-1\"");

    send(nas.address(), "  Disk   full on db-1 ", "Still only 2% left.");
    assertThat(alertRow(nas.id(), "times_seen"))
        .as("the 250 came after the commit, and the same subject refreshed the same alert")
        .isEqualTo("2");
    assertThat(alertCount(nas.id())).isEqualTo(1);
    assertThat(api.incidents(nas.service())).hasSize(1);

    send(nas.address(), "RESOLVED: Disk full on db-1", "Back to 40% free.");
    assertThat(alertRow(nas.id(), "status")).isEqualTo("resolved");
    await()
        .atMost(WAIT)
        .until(
            () -> api.incidents(nas.service()).get(0).get("status").asString().equals("resolved"));
    assertThat(alertCount(nas.id())).isEqualTo(1);
  }

  @Test
  void aDedupExpressionMakesSubjectsThatDifferInTheirNumbersOneAlert() throws Exception {
    Mailbox ups =
        mailbox(
            "ups",
            """
            {"dedupPattern":"^UPS (\\\\S+) on battery"}""");

    send(ups.address(), "UPS rack-3 on battery, 80% left", "Mains lost at 02:14.");
    send(ups.address(), "UPS rack-3 on battery, 60% left", "Mains still lost.");
    assertThat(alertCount(ups.id())).isEqualTo(1);
    assertThat(alertRow(ups.id(), "dedup_key")).isEqualTo("rack-3");
    assertThat(alertRow(ups.id(), "times_seen")).isEqualTo("2");
    await().atMost(WAIT).until(() -> api.incidents(ups.service()).size() == 1);
  }

  @Test
  void mailForAnUnknownAddressIsRefusedAtRcptAndNothingIsStored() throws Exception {
    Mailbox printer = mailbox("printer", "");
    long before = emailAlerts();

    for (String unknown :
        List.of(
            "alerts-nosuchtoken@" + DOMAIN,
            printer.address().replace("@" + DOMAIN, "@elsewhere.example.com"))) {
      Throwable refused = catchThrowable(() -> send(unknown, "Paper jam", "Tray 2."));

      assertThat(refused).isInstanceOf(SendFailedException.class);
      assertThat(((SendFailedException) refused).getInvalidAddresses())
          .extracting(Object::toString)
          .containsExactly(unknown);
      assertThat(((MessagingException) refused).getNextException())
          .isInstanceOfSatisfying(
              SMTPAddressFailedException.class,
              rcpt -> assertThat(rcpt.getReturnCode()).isEqualTo(550));
    }
    assertThat(emailAlerts()).as("nothing stored").isEqualTo(before);
    assertThat(api.incidents(printer.service())).isEmpty();

    send(printer.address().toUpperCase(java.util.Locale.ROOT), "Paper jam", "Tray 2.");
    assertThat(emailAlerts()).as("the right address, in any case, is taken").isEqualTo(before + 1);
  }

  @Test
  void anInvalidExpressionIsRefusedWith422NamingTheFieldAndNothingIsSaved() {
    String service = api.bareService("vendor");
    HttpResponse<String> created =
        api.send(
            "POST",
            "/api/v1/services/" + service + "/integrations",
            "{\"name\":\"vendor-mail\",\"kind\":\"email\",\"email\":{\"dedupPattern\":\"(unclosed\"}}");
    assertThat(created.statusCode()).isEqualTo(422);
    assertThat(created.body()).contains("email.dedupPattern").contains("(unclosed");
    assertThat(api.get("/api/v1/services/" + service + "/integrations")).isEmpty();

    String id =
        integration(service, "{\"name\":\"vendor-mail\",\"kind\":\"email\"}").get("id").asString();
    HttpResponse<String> resolve =
        api.send(
            "PATCH", "/api/v1/integrations/" + id, "{\"email\":{\"resolvePattern\":\"(?<bad\"}}");
    assertThat(resolve.statusCode()).isEqualTo(422);
    assertThat(resolve.body()).contains("email.resolvePattern");
    HttpResponse<String> noGroup =
        api.send("PATCH", "/api/v1/integrations/" + id, "{\"email\":{\"dedupPattern\":\"^UPS\"}}");
    assertThat(noGroup.statusCode()).isEqualTo(422);
    assertThat(noGroup.body()).contains("email.dedupPattern").contains("has no group");
    HttpResponse<String> otherKind =
        api.send(
            "POST",
            "/api/v1/services/" + service + "/integrations",
            "{\"name\":\"x\",\"kind\":\"generic\",\"email\":{\"dedupPattern\":\"(.*)\"}}");
    assertThat(otherKind.statusCode()).isEqualTo(422);
    assertThat(otherKind.body()).contains("only an email integration has email settings");

    JsonNode unchanged = api.get("/api/v1/integrations/" + id).get("email");
    assertThat(unchanged.get("dedupPattern").isNull()).isTrue();
    assertThat(unchanged.get("resolvePattern").isNull()).isTrue();
  }

  @Test
  void configurationAsCodeCarriesTheSubjectRulesAndChecksThemAsTheApiDoes() {
    String service = api.bareService("backup");
    JsonNode created =
        integration(
            service,
            """
            {"name":"backup-mail","kind":"email",
             "email":{"dedupPattern":"^UPS ([a-z0-9-]+) on battery"}}
            """);
    String id = created.get("id").asString();
    HttpResponse<String> exported = api.send("GET", "/api/v1/config/export", null);
    assertThat(exported.statusCode()).isEqualTo(200);
    assertThat(exported.body()).contains("kind: email").contains("([a-z0-9-]+) on battery");

    HttpResponse<String> changed =
        api.send(
            "POST",
            "/api/v1/config/import?dryRun=false",
            exported.body().replace("([a-z0-9-]+) on battery", "([a-z0-9-]+) down"));
    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    JsonNode email = api.get("/api/v1/integrations/" + id).get("email");
    assertThat(email.get("dedupPattern").asString()).isEqualTo("^UPS ([a-z0-9-]+) down");
    assertThat(email.get("address").asString())
        .as("the same integration: its address is kept")
        .isEqualTo(address(created));

    HttpResponse<String> invalid =
        api.send(
            "POST",
            "/api/v1/config/import?dryRun=true",
            exported.body().replace("([a-z0-9-]+) on battery", "(unclosed"));
    assertThat(invalid.statusCode()).isEqualTo(422);
    assertThat(invalid.body()).contains("integrations[backup-mail].email.dedupPattern");
  }

  /** A service with an email integration: its id, the integration as created, and its address. */
  private record Mailbox(String service, UUID id, String address, JsonNode integration) {}

  /**
   * A new service named after {@code name} with the email integration {@code <name>-mail}, whose
   * {@code email} settings are the JSON object {@code email}, or the defaults when it is empty.
   */
  private static Mailbox mailbox(String name, String email) {
    String service = api.bareService(name);
    JsonNode integration =
        integration(
            service,
            "{\"name\":\""
                + name
                + "-mail\",\"kind\":\"email\""
                + (email.isEmpty() ? "" : ",\"email\":" + email)
                + "}");
    return new Mailbox(
        service,
        UUID.fromString(integration.get("id").asString()),
        address(integration),
        integration);
  }

  /** Creates an integration of {@code service} as the integrations API takes it. */
  private static JsonNode integration(String service, String json) {
    return api.create("/api/v1/services/" + service + "/integrations", json);
  }

  private static String address(JsonNode emailIntegration) {
    return emailIntegration.get("email").get("address").asString();
  }

  private static void send(String to, String subject, String body) throws MessagingException {
    Properties properties = new Properties();
    properties.put("mail.smtp.host", "127.0.0.1");
    properties.put("mail.smtp.port", String.valueOf(smtpPort));
    properties.put("mail.smtp.connectiontimeout", "5000");
    properties.put("mail.smtp.timeout", "20000");
    MimeMessage message = new MimeMessage(Session.getInstance(properties));
    message.setFrom("NAS <nas@example.net>");
    message.setRecipients(Message.RecipientType.TO, to);
    message.setSubject(subject);
    message.setText(body);
    Transport.send(message);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static JdbcClient jdbc() {
    return tocsin.bean(JdbcClient.class);
  }

  private static long alertCount(UUID integrationId) {
    return jdbc()
        .sql("SELECT COUNT(*) FROM ingest_alert WHERE integration_id = :id")
        .param("id", integrationId)
        .query(Long.class)
        .single();
  }

  private static long emailAlerts() {
    return jdbc()
        .sql("SELECT COUNT(*) FROM ingest_alert WHERE source = 'email'")
        .query(Long.class)
        .single();
  }

  /** One column of the integration's only alert, as text. */
  private static String alertRow(UUID integrationId, String column) {
    return jdbc()
        .sql("SELECT " + column + " FROM ingest_alert WHERE integration_id = :id")
        .param("id", integrationId)
        .query((rs, n) -> rs.getString(1))
        .single();
  }
}
