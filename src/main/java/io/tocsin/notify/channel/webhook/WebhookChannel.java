package io.tocsin.notify.channel.webhook;

import io.tocsin.notify.ChannelType;
import io.tocsin.notify.DeliveryResult;
import io.tocsin.notify.HttpChannel;
import io.tocsin.notify.HttpDelivery;
import io.tocsin.notify.Message;
import io.tocsin.platform.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * A JSON POST of {@link WebhookPayload} (schema version 1) to the person's URL. The body is signed:
 * {@code X-Tocsin-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">} under the method's own
 * secret, with the timestamp in {@code X-Tocsin-Timestamp}, so that a receiver can check both who
 * sent it and that it is fresh. {@code Idempotency-Key} is the same on every re-send.
 */
@Component
class WebhookChannel extends HttpChannel {

  static final String SECRET = "secret";

  private final JsonMapper json;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  WebhookChannel(HttpDelivery http, JsonMapper json, Clock clock) {
    super(http);
    this.json = json;
    this.clock = clock;
  }

  @Override
  public ChannelType type() {
    return ChannelType.WEBHOOK;
  }

  @Override
  protected Map<String, String> validSettings(Map<String, String> settings) {
    String secret = settings.get(SECRET);
    if (secret != null && secret.trim().length() < 16) {
      throw new InvalidInputException("settings.secret", "must have at least 16 characters");
    }
    if (secret == null || secret.isBlank()) {
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
    Map<String, String> stored = new LinkedHashMap<>();
    stored.put(SECRET, secret.trim());
    return stored;
  }

  @Override
  public Set<String> secretSettings() {
    return Set.of(SECRET);
  }

  @Override
  public DeliveryResult deliver(Message message) {
    String body = json.writeValueAsString(WebhookPayload.of(message, clock.instant()));
    String timestamp = Long.toString(clock.instant().getEpochSecond());
    return http.post(
        HttpDelivery.validUrl("target", message.method().target()),
        "application/json",
        body,
        Map.of(
            "Idempotency-Key",
            message.idempotencyKey(),
            "X-Tocsin-Timestamp",
            timestamp,
            "X-Tocsin-Signature",
            "v1=" + sign(message.method().settings().getOrDefault(SECRET, ""), timestamp, body)));
  }

  static String sign(String secret, String timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of()
          .formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }
}
