package io.tocsin.platform;

/**
 * A request that contradicts what is stored (a duplicate name, a delete of something still in use).
 * The API answers 409 with the message, which says what conflicts.
 */
public class ConflictException extends RuntimeException {

  public ConflictException(String message) {
    super(message);
  }
}
