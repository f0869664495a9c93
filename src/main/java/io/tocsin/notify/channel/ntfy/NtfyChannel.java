package io.tocsin.notify.channel.ntfy;

import io.tocsin.notify.ChannelType;
import io.tocsin.notify.DeliveryResult;
import io.tocsin.notify.HttpChannel;
import io.tocsin.notify.HttpDelivery;
import io.tocsin.notify.Message;
import io.tocsin.platform.InvalidInputException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * ntfy push: a JSON publish to the server's root with the topic, a priority from the severity
 * (critical pages are urgent and break through do-not-disturb on phones that allow it), a click
 * link to the incident, and the action links as ntfy {@code http} actions, which POST from the
 * phone without opening anything.
 */
@Component
class NtfyChannel extends HttpChannel {

  static final String TOPIC = "topic";
  static final String TOKEN = "token";

  private final JsonMapper json;

  NtfyChannel(HttpDelivery http, JsonMapper json) {
    super(http);
    this.json = json;
  }

  @Override
  public ChannelType type() {
    return ChannelType.NTFY;
  }

  @Override
  protected Map<String, String> validSettings(Map<String, String> settings) {
    String topic = settings.getOrDefault(TOPIC, "").trim();
    if (!topic.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new InvalidInputException(
          "settings.topic", "must be 1 to 64 letters, digits, '-' or '_'");
    }
    Map<String, String> stored = new LinkedHashMap<>();
    stored.put(TOPIC, topic);
    String token = settings.getOrDefault(TOKEN, "").trim();
    if (!token.isEmpty()) {
      stored.put(TOKEN, token);
    }
    return stored;
  }

  @Override
  public Set<String> secretSettings() {
    return Set.of(TOKEN);
  }

  @Override
  public DeliveryResult deliver(Message message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("topic", message.method().settings().get(TOPIC));
    body.put("title", message.subject());
    body.put("message", message.text());
    Message.IncidentView incident = message.incident();
    body.put("priority", incident == null ? 3 : priority(incident.severity()));
    if (incident != null) {
      body.put("click", incident.url());
      body.put(
          "tags", List.of(incident.severity().equals("critical") ? "rotating_light" : "warning"));
    }
    List<Map<String, Object>> actions = new ArrayList<>();
    for (Message.Action action : message.actions()) {
      actions.add(
          Map.of(
              "action",
              "http",
              "label",
              action.label(),
              "url",
              action.url(),
              "method",
              "POST",
              "headers",
              Map.of("Accept", "application/json"),
              "clear",
              true));
    }
    if (!actions.isEmpty()) {
      // ntfy shows at most three actions.
      body.put("actions", actions.subList(0, Math.min(3, actions.size())));
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Idempotency-Key", message.idempotencyKey());
    String token = message.method().settings().get(TOKEN);
    if (token != null) {
      headers.put("Authorization", "Bearer " + token);
    }
    URI server = HttpDelivery.validUrl("target", message.method().target());
    return http.post(server, "application/json", json.writeValueAsString(body), headers);
  }

  private static int priority(String severity) {
    switch (severity) {
      case "critical":
        return 5;
      case "error":
        return 4;
      case "warning":
        return 3;
      default:
        return 2;
    }
  }
}
