package io.tocsin.platform;

import java.nio.charset.StandardCharsets;

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

  @Override
  public String toString() {
    return "ServerSecret[hidden]";
  }
}
