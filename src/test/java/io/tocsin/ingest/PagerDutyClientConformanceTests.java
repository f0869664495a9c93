package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dikhan.pagerduty.client.events.PagerDutyEventsClient;
import com.github.dikhan.pagerduty.client.events.domain.AcknowledgeIncident;
import com.github.dikhan.pagerduty.client.events.domain.ChangeEvent;
import com.github.dikhan.pagerduty.client.events.domain.ChangeEventPayload;
import com.github.dikhan.pagerduty.client.events.domain.EventResult;
import com.github.dikhan.pagerduty.client.events.domain.ImageContext;
import com.github.dikhan.pagerduty.client.events.domain.LinkContext;
import com.github.dikhan.pagerduty.client.events.domain.Payload;
import com.github.dikhan.pagerduty.client.events.domain.ResolveIncident;
import com.github.dikhan.pagerduty.client.events.domain.Severity;
import com.github.dikhan.pagerduty.client.events.domain.TriggerIncident;
import com.github.dikhan.pagerduty.client.events.exceptions.NotifyEventException;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestDatabase;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * PagerDuty's own Java client ({@code com.github.dikhan:pagerduty-client}) against Tocsin, with
 * nothing changed but its Events API URLs: what a PagerDuty user gets after switching.
 */
// PostgreSQL only: the classes still on H2 send each of its statements there (.ci/sql-coverage).
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class PagerDutyClientConformanceTests extends HarnessTests {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private static PagerDutyEventsClient client;

  @Override
  protected void seed() {
    // The client's only setting for another server: the URLs of its two endpoints.
    client =
        PagerDutyEventsClient.create(
            tocsin.uri("/v2/enqueue").toString(), tocsin.uri("/v2/change/enqueue").toString());
  }

  @Test
  void triggerRetriggerAcknowledgeAndResolveWorkPerDedupKeyAsInPagerDuty()
      throws NotifyEventException {
    String service = api.bareService("storage");
    String routingKey = routingKey(service);

    EventResult triggered = client.trigger(trigger(routingKey, "disk-db-1", "Disk full on db-1"));
    assertThat(triggered.getStatus()).isEqualTo("success");
    assertThat(triggered.getMessage()).isEqualTo("Event processed");
    assertThat(triggered.getDedupKey()).isEqualTo("disk-db-1");
    JsonNode disk =
        await()
            .atMost(WAIT)
            .until(() -> api.findIncident(service, "Disk full on db-1"), Optional::isPresent)
            .orElseThrow();

    assertThat(client.trigger(trigger(routingKey, "disk-db-1", "Disk full on db-1")).getStatus())
        .isEqualTo("success");
    await().atMost(WAIT).until(() -> alertOf(disk).get("details").get("timesSeen").asInt() == 2);
    JsonNode alert = alertOf(disk);
    assertThat(api.incidents(service))
        .as("a re-trigger is the same incident and pages nobody")
        .hasSize(1);
    assertThat(alert.get("details").get("dedupKey").asString()).isEqualTo("disk-db-1");
    assertThat(alert.get("details").get("details").get("free").asString()).isEqualTo("0 bytes");
    assertThat(alert.get("details").get("links").get(0).get("href").asString())
        .isEqualTo("https://grafana.example.com/d/disk");
    assertThat(alert.get("details").get("images").get(0).get("alt").asString())
        .isEqualTo("Disk usage");

    EventResult unrelated =
        client.trigger(trigger(routingKey, "cert-web-1", "Certificate expires on web-1"));
    assertThat(unrelated.getDedupKey()).isEqualTo("cert-web-1");
    await().atMost(WAIT).until(() -> api.incidents(service).size() == 2);

    EventResult acknowledged =
        client.acknowledge(
            AcknowledgeIncident.AcknowledgeIncidentBuilder.newBuilder(routingKey, "disk-db-1")
                .build());
    assertThat(acknowledged.getStatus()).isEqualTo("success");
    await()
        .atMost(WAIT)
        .until(() -> api.status(service, "Disk full on db-1").equals("acknowledged"));
    assertThat(api.status(service, "Certificate expires on web-1")).isEqualTo("open");

    EventResult resolved =
        client.resolve(
            ResolveIncident.ResolveIncidentBuilder.newBuilder(routingKey, "disk-db-1").build());
    assertThat(resolved.getDedupKey()).isEqualTo("disk-db-1");
    await().atMost(WAIT).until(() -> api.status(service, "Disk full on db-1").equals("resolved"));
    assertThat(api.status(service, "Certificate expires on web-1")).isEqualTo("open");

    // A person resolves the other in Tocsin while its sender still has it triggered: the next
    // trigger opens a new incident, a recurrence of that one, as at PagerDuty.
    String certificate = api.incident(service, "Certificate expires on web-1").get("id").asString();
    api.ok("PATCH", "/api/v1/incidents/" + certificate, "{\"status\":\"resolved\"}");
    client.trigger(trigger(routingKey, "cert-web-1", "Certificate expires on web-1"));
    JsonNode recurrence = api.awaitOpenIncident(service);
    assertThat(recurrence.get("recurrenceOf").get("id").asString()).isEqualTo(certificate);
    assertThat(alertOf(recurrence).get("details").get("dedupKey").asString())
        .isEqualTo("cert-web-1");
  }

  @Test
  void aChangeEventIsRecordedForItsService() throws NotifyEventException {
    String service = api.bareService("deploys");
    JSONObject details = new JSONObject();
    details.put("version", "1.2.3");

    EventResult recorded =
        client.trackChange(
            ChangeEvent.ChangeEventBuilder.newBuilder(
                    routingKey(service),
                    ChangeEventPayload.Builder.newBuilder()
                        .setSummary("Deployed checkout 1.2.3")
                        .setSource("ci")
                        .setTimestamp(OffsetDateTime.now())
                        .setCustomDetails(details)
                        .build())
                .setLinks(List.of(new LinkContext("https://ci.example.com/builds/7", "Build 7")))
                .build());

    assertThat(recorded.getStatus()).isEqualTo("success");
    assertThat(recorded.getMessage()).isEqualTo("Change event processed");
    JsonNode change = api.get("/api/v1/services/" + service + "/changes").get("items").get(0);
    assertThat(change.get("summary").asString()).isEqualTo("Deployed checkout 1.2.3");
    assertThat(change.toString()).contains("1.2.3").contains("https://ci.example.com/builds/7");
  }

  @Test
  void anUnknownRoutingKeyIsAnInvalidEventWithPagerDutysMessage() throws NotifyEventException {
    EventResult refused =
        client.trigger(trigger("R0212P1QXGEIQE2NMTQ7L7WXD00DWHIN", "x", "Nobody hears this"));

    assertThat(refused.getStatus()).isEqualTo("invalid event");
    assertThat(refused.getMessage()).isEqualTo("Invalid routing key");
    assertThat(refused.getErrors()).contains("No integration has this routing key");
  }

  private static TriggerIncident trigger(String routingKey, String dedupKey, String summary) {
    JSONObject details = new JSONObject();
    details.put("free", "0 bytes");
    ImageContext image = new ImageContext("https://grafana.example.com/render/disk.png");
    image.setAlt("Disk usage");
    return TriggerIncident.TriggerIncidentBuilder.newBuilder(
            routingKey,
            Payload.Builder.newBuilder()
                .setSummary(summary)
                .setSource("db-1")
                .setSeverity(Severity.CRITICAL)
                .setTimestamp(OffsetDateTime.now())
                .setCustomDetails(details)
                .build())
        .setDedupKey(dedupKey)
        .setClient("Monitor")
        .setClientUrl("https://monitor.example.com")
        .setLinks(List.of(new LinkContext("https://grafana.example.com/d/disk", "Disk")))
        .setImages(List.of(image))
        .build();
  }

  private static String routingKey(String service) {
    return api.create(
            "/api/v1/services/" + service + "/integrations",
            "{\"name\":\"pagerduty\",\"kind\":\"pagerduty\"}")
        .get("key")
        .asString();
  }

  private static JsonNode alertOf(JsonNode incident) {
    return api.get("/api/v1/incidents/" + incident.get("id").asString() + "/alerts")
        .get("items")
        .get(0);
  }
}
