package io.tocsin.platform;

import java.util.Objects;

/** A referenced thing that does not exist (or that the caller may not know exists): 404. */
public class NotFoundException extends RuntimeException {

  public NotFoundException(String message) {
    super(message);
  }

  /** Never null: every constructor sets a message. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }
}
