package io.tocsin.platform;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key this installation signs and derives its secrets with (session cookies, token hashes,
 * webhook signatures). All nodes of one installation must share it.
 */
public final class ServerSecret {

  private final String value;

  public ServerSecret(String value) {
    this.value = value;
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
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(bytes(), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  @Override
  public String toString() {
    return "ServerSecret[hidden]";
  }
}
