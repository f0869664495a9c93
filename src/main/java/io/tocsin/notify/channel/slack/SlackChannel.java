package io.tocsin.notify.channel.slack;

import io.tocsin.notify.ChannelType;
import io.tocsin.notify.DeliveryResult;
import io.tocsin.notify.HttpChannel;
import io.tocsin.notify.HttpDelivery;
import io.tocsin.notify.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Slack-compatible incoming webhook. It sends {@code text} and one attachment (colour by
 * severity, title linked to the incident, fields, the action links), the shape that Slack,
 * Mattermost and Rocket.Chat all render.
 */
@Component
class SlackChannel extends HttpChannel {

  private final JsonMapper json;

  SlackChannel(HttpDelivery http, JsonMapper json) {
    super(http);
    this.json = json;
  }

  @Override
  public ChannelType type() {
    return ChannelType.SLACK;
  }

  /** The webhook URL is the credential: anyone who has it can post to the channel. */
  @Override
  public boolean secretTarget() {
    return true;
  }

  @Override
  public DeliveryResult deliver(Message message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("text", message.subject());
    Message.IncidentView incident = message.incident();
    Map<String, Object> attachment = new LinkedHashMap<>();
    attachment.put("fallback", message.subject());
    if (incident == null) {
      attachment.put("text", message.text());
    } else {
      attachment.put("color", color(incident.severity()));
      attachment.put("title", "#" + incident.number() + " " + incident.title());
      attachment.put("title_link", incident.url());
      List<Map<String, Object>> fields = new ArrayList<>();
      fields.add(field("Severity", incident.severity()));
      fields.add(field("Service", incident.serviceName()));
      fields.add(field("Status", incident.status()));
      fields.add(field("Firing alerts", Integer.toString(incident.firingAlerts())));
      if (incident.probableCause() != null) {
        fields.add(field("Probable cause", incident.probableCause()));
      }
      attachment.put("fields", fields);
      attachment.put(
          "text",
          message.actions().stream()
              .map(action -> "<" + action.url() + "|" + action.label() + ">")
              .collect(Collectors.joining(" · ")));
    }
    attachment.put("footer", "Tocsin");
    body.put("attachments", List.of(attachment));
    return http.post(
        HttpDelivery.validUrl("target", message.method().target()),
        "application/json",
        json.writeValueAsString(body),
        Map.of("Idempotency-Key", message.idempotencyKey()));
  }

  private static Map<String, Object> field(String title, String value) {
    return Map.of("title", title, "value", value, "short", true);
  }

  private static String color(String severity) {
    switch (severity) {
      case "critical":
        return "#b42318";
      case "error":
        return "#d9480f";
      case "warning":
        return "#f59f00";
      default:
        return "#1c7ed6";
    }
  }
}
