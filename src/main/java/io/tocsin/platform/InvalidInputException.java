package io.tocsin.platform;

import java.util.Objects;

/**
 * Input that is well-formed but not acceptable (a field out of range, an unknown time zone). The
 * API answers 422 with the field named in {@code errors[]}.
 */
public class InvalidInputException extends RuntimeException {

  private final String field;

  public InvalidInputException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** Never null: every constructor sets a message. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }

  public String field() {
    return field;
  }
}
