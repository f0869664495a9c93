package io.tocsin.platform;

import java.util.Map;
import java.util.Objects;

/**
 * A request that contradicts what is stored (a duplicate name, a delete of something still in use,
 * a status change the current status does not allow). The API answers 409 with the message, which
 * says what conflicts, and the properties as extra members of the problem body.
 */
public class ConflictException extends RuntimeException {

  private final Map<String, Object> properties;

  public ConflictException(String message) {
    this(message, Map.of());
  }

  public ConflictException(String message, Map<String, Object> properties) {
    super(message);
    this.properties = Map.copyOf(properties);
  }

  /** Never null: every constructor sets a message. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }

  public Map<String, Object> properties() {
    return properties;
  }
}
