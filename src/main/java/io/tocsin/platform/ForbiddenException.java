package io.tocsin.platform;

import java.util.Objects;

/**
 * A request its sender may not make on this particular thing, although their role allows the kind
 * of request: a responder acting on another team's service. The API answers 403 with a problem of
 * the given type and the message, which names the owner to ask; the console shows the message.
 */
public class ForbiddenException extends RuntimeException {

  private final String type;

  public ForbiddenException(String type, String message) {
    super(message);
    this.type = type;
  }

  /** The problem type's last segment, such as {@code outside-team}. */
  public String type() {
    return type;
  }

  /** Never null: the constructor sets a message. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }
}
