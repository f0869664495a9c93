package io.tocsin.ingest.email;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.directory.integration.EmailRules;
import io.tocsin.ingest.AlertStatus;
import io.tocsin.ingest.IncomingAlert;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How a mail becomes an alert, without a server. */
class MailReaderTests {

  private static final SubjectRules RESOLVING =
      new SubjectRules(new EmailRules(null, "(?i)^(RESOLVED|OK|UP)\\b"));

  @Test
  void anHtmlOnlyMailIsReadAsTextWithoutItsStyleAndAnEncodedSubjectIsDecoded() throws Exception {
    String mime =
        """
        From: Vendor Status <status@vendor.example>
        To: alerts-x@alerts.example.com
        Subject: =?UTF-8?Q?Latenz_h=C3=B6her_als_500_ms?=
        MIME-Version: 1.0
        Content-Type: text/html; charset=UTF-8

        <html><head><style>p { color: red }</style></head><body><p>Latency &gt; 500&nbsp;ms</p>\
        <p>See <a href="https://status.vendor.example">status</a></p></body></html>
        """;

    IncomingAlert alert = MailReader.read(bytes(mime), "bounce@vendor.example", RESOLVING);

    assertThat(alert.summary()).isEqualTo("Latenz höher als 500 ms");
    assertThat(alert.dedupKey()).isEqualTo("Latenz höher als 500 ms");
    assertThat(alert.description()).isEqualTo("Latency > 500 ms\nSee status");
    assertThat(alert.labels()).containsEntry("from", "status@vendor.example");
    assertThat(alert.status()).isEqualTo(AlertStatus.FIRING);
  }

  @Test
  void theMultipartPlainTextIsTheDescriptionAndAResolvingSubjectKeepsTheKeyItResolves()
      throws Exception {
    String mime =
        """
        To: alerts-x@alerts.example.com
        Subject: OK - Disk full on db-1
        MIME-Version: 1.0
        Content-Type: multipart/alternative; boundary="b"

        --b
        Content-Type: text/plain; charset=UTF-8

        Back to 40% free.
        --b
        Content-Type: text/html; charset=UTF-8

        <p>Back to <b>40%</b> free.</p>
        --b--
        """;

    IncomingAlert alert = MailReader.read(bytes(mime), "nagios@example.net", RESOLVING);

    assertThat(alert.status()).isEqualTo(AlertStatus.RESOLVED);
    assertThat(alert.dedupKey()).isEqualTo("Disk full on db-1");
    assertThat(alert.description()).isEqualTo("Back to 40% free.");
    assertThat(alert.labels())
        .as("no From header: the envelope sender")
        .containsEntry("from", "nagios@example.net");
  }

  @Test
  void aSubjectThatOnlyStartsWithTheWordsOfTheResolveExpressionStillFires() {
    assertThat(RESOLVING.read("Uptime check failed").resolves()).isFalse();
    assertThat(RESOLVING.read("UP: api.example.com").dedupKey()).isEqualTo("api.example.com");
    assertThat(new SubjectRules(EmailRules.DEFAULT).read("x".repeat(400)).dedupKey())
        .hasSize(SubjectRules.DEDUP_KEY_LIMIT);
  }

  private static byte[] bytes(String mime) {
    return mime.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
  }
}
