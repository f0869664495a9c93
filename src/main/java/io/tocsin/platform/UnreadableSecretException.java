package io.tocsin.platform;

/**
 * A stored secret that this node cannot decrypt: its key is not among the configured ones, or the
 * value was altered. The message is what a delivery record shows.
 */
public final class UnreadableSecretException extends RuntimeException {

  private final String keyId;

  UnreadableSecretException(String keyId, String message) {
    super(message, null, false, false);
    this.keyId = keyId;
  }

  /** The key the value names. */
  public String keyId() {
    return keyId;
  }
}
