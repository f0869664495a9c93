package io.tocsin.platform;

import java.util.List;
import java.util.Objects;

/**
 * A value outside a fixed set (a status, a role, a severity). The API answers it with 422 and the
 * allowed values, never with a 500: the outage DESIGN.md starts from was an enum mismatch.
 */
public final class UnknownValueException extends RuntimeException {

  private final String field;
  private final String value;
  private final List<String> allowed;

  public UnknownValueException(String field, String value, List<String> allowed) {
    super(
        "'"
            + value
            + "' is not a valid "
            + field
            + ": allowed values are "
            + String.join(", ", allowed));
    this.field = field;
    this.value = value;
    this.allowed = List.copyOf(allowed);
  }

  /** Never null: every constructor sets a message. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }

  public String field() {
    return field;
  }

  public String value() {
    return value;
  }

  public List<String> allowed() {
    return allowed;
  }
}
