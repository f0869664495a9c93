package io.tocsin.platform;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key this installation signs and derives its secrets with (session cookies, token hashes,
 * webhook signatures). All nodes of one installation must share it. While an operator changes it,
 * the keys it replaces ({@code TOCSIN_PREVIOUS_SECRET_KEYS}) still verify what they signed, so that
 * no monitoring system's integration key stops working on the day of the change.
 */
public final class ServerSecret {

  private final String value;
  private final List<ServerSecret> previous;
  private final Mac keyed;

  public ServerSecret(String value) {
    this(value, List.of());
  }

  public ServerSecret(String value, List<String> previous) {
    this.value = value;
    this.keyed = keyed();
    this.previous =
        previous.stream()
            .map(String::trim)
            .filter(key -> !key.isEmpty() && !key.equals(value))
            .distinct()
            .map(ServerSecret::new)
            .toList();
  }

  /** The keys this one replaces, which still verify but never sign. */
  public List<ServerSecret> previous() {
    return previous;
  }

  public byte[] bytes() {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * HMAC-SHA256 of {@code text} under this secret, in hex: how tokens and keys are stored (an
   * attacker with the database but not the secret cannot test guesses) and how values every node
   * must agree on are derived.
   */
  public String sign(String text) {
    Mac mac;
    try {
      // A copy of one keyed instance: looking the algorithm up and keying it on every call was
      // most of the cost of checking an integration key, paid by every ingestion request.
      mac = (Mac) keyed.clone();
    } catch (CloneNotSupportedException e) {
      mac = keyed();
    }
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  private Mac keyed() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(bytes(), "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  /**
   * {@link #sign} of {@code text} under this key, then under each previous key: what a stored hash
   * may be while rows written before a key change have not yet been rewritten.
   */
  public List<String> signatures(String text) {
    return Stream.concat(Stream.of(this), previous.stream()).map(key -> key.sign(text)).toList();
  }

  @Override
  public String toString() {
    return "ServerSecret[hidden]";
  }
}
