package io.tocsin.notify.channel.teams;

import io.tocsin.notify.ChannelType;
import io.tocsin.notify.DeliveryResult;
import io.tocsin.notify.HttpChannel;
import io.tocsin.notify.HttpDelivery;
import io.tocsin.notify.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Microsoft Teams workflow webhook ("When a Teams webhook request is received"), given a message
 * with one Adaptive Card: the incident's title and facts, and its action links as buttons.
 */
@Component
class TeamsChannel extends HttpChannel {

  private final JsonMapper json;

  TeamsChannel(HttpDelivery http, JsonMapper json) {
    super(http);
    this.json = json;
  }

  @Override
  public ChannelType type() {
    return ChannelType.TEAMS;
  }

  /** The webhook URL is the credential: anyone who has it can post to the channel. */
  @Override
  public boolean secretTarget() {
    return true;
  }

  @Override
  public DeliveryResult deliver(Message message) {
    List<Object> cardBody = new ArrayList<>();
    cardBody.add(
        Map.of(
            "type", "TextBlock",
            "text", message.subject(),
            "weight", "Bolder",
            "size", "Medium",
            "wrap", true));
    Message.IncidentView incident = message.incident();
    if (incident == null) {
      cardBody.add(Map.of("type", "TextBlock", "text", message.text(), "wrap", true));
    } else {
      List<Map<String, String>> facts = new ArrayList<>();
      facts.add(Map.of("title", "Severity", "value", incident.severity()));
      facts.add(Map.of("title", "Service", "value", incident.serviceName()));
      facts.add(Map.of("title", "Status", "value", incident.status()));
      facts.add(
          Map.of("title", "Firing alerts", "value", Integer.toString(incident.firingAlerts())));
      if (incident.probableCause() != null) {
        facts.add(Map.of("title", "Probable cause", "value", incident.probableCause()));
      }
      cardBody.add(Map.of("type", "FactSet", "facts", facts));
    }
    List<Object> actions = new ArrayList<>();
    if (incident != null) {
      actions.add(Map.of("type", "Action.OpenUrl", "title", "Open", "url", incident.url()));
    }
    message
        .actions()
        .forEach(
            action ->
                actions.add(
                    Map.of(
                        "type", "Action.OpenUrl", "title", action.label(), "url", action.url())));
    Map<String, Object> card = new LinkedHashMap<>();
    card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
    card.put("type", "AdaptiveCard");
    card.put("version", "1.4");
    card.put("body", cardBody);
    card.put("actions", actions);
    Map<String, Object> body =
        Map.of(
            "type",
            "message",
            "attachments",
            List.of(
                Map.of("contentType", "application/vnd.microsoft.card.adaptive", "content", card)));
    return http.post(
        HttpDelivery.validUrl("target", message.method().target()),
        "application/json",
        json.writeValueAsString(body),
        Map.of("Idempotency-Key", message.idempotencyKey()));
  }
}
