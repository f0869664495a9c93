package io.tocsin.notify;

import io.tocsin.platform.EnumText;
import io.tocsin.platform.ServerSecret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Signed links that act on an incident as a message's recipient, without a session. A token names
 * the message, one action and an expiry, and carries an HMAC of them under the server secret: it
 * cannot be forged or turned into another action, the same message gets the same link on every
 * re-send, and nothing is stored until it is used (once).
 */
@Component
public class ActionLinks {

  /** What a link does. */
  public enum Action {
    ACKNOWLEDGE('a', "Acknowledge"),
    RESOLVE('r', "Resolve"),
    ESCALATE('e', "Escalate");

    private final char code;
    private final String label;

    Action(char code, String label) {
      this.code = code;
      this.label = label;
    }

    public String label() {
      return label;
    }

    public String text() {
      return EnumText.canonical(this);
    }

    static Optional<Action> of(char code) {
      for (Action action : values()) {
        if (action.code == code) {
          return Optional.of(action);
        }
      }
      return Optional.empty();
    }
  }

  /** A link's parts, once its signature checked out. */
  public record Link(UUID messageId, Action action, Instant expires) {}

  private final ServerSecret secret;
  private final Clock clock;
  private final Duration lifetime;

  ActionLinks(ServerSecret secret, Clock clock, NotifyProperties settings) {
    this.secret = secret;
    this.clock = clock;
    this.lifetime = settings.actionLinkLifetime();
  }

  /** The token of a message's link; it expires {@code lifetime} after the message was created. */
  String token(UUID messageId, Instant created, Action action) {
    String payload =
        messageId.toString().replace("-", "")
            + action.code
            + Long.toString(created.plus(lifetime).getEpochSecond(), 36);
    return payload + "." + signature(payload);
  }

  /** The link a token stands for, if it is genuine; expiry is the caller's to check. */
  public Optional<Link> read(String token) {
    int dot = token.indexOf('.');
    // 32 hex digits of the message id, the action's letter, and at least one digit of expiry.
    if (dot < 34) {
      return Optional.empty();
    }
    String payload = token.substring(0, dot);
    byte[] given = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
    // A link sent before the operator changed the server key still works until it expires.
    boolean genuine =
        secret.signatures("action-link:" + payload).stream()
            .map(signature -> signature.substring(0, 32).getBytes(StandardCharsets.US_ASCII))
            .anyMatch(expected -> MessageDigest.isEqual(given, expected));
    if (!genuine) {
      return Optional.empty();
    }
    try {
      String hex = payload.substring(0, 32);
      UUID message =
          new UUID(
              Long.parseUnsignedLong(hex.substring(0, 16), 16),
              Long.parseUnsignedLong(hex.substring(16), 16));
      Instant expires =
          Instant.ofEpochSecond(Long.parseLong(payload.substring(33).toLowerCase(Locale.ROOT), 36));
      return Action.of(payload.charAt(32)).map(action -> new Link(message, action, expires));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  public boolean expired(Link link) {
    return !clock.instant().isBefore(link.expires());
  }

  private String signature(String payload) {
    return secret.sign("action-link:" + payload).substring(0, 32);
  }
}
