package io.tocsin.platform;

/**
 * Whether this node may use the database now. Request handling and background workers ask before
 * they start work, so that a database outage turns into 503s and paused passes instead of errors
 * and restarts.
 */
public interface DatabaseAvailability {

  DatabaseStatus status();

  default boolean isReady() {
    return status() instanceof DatabaseStatus.Ready;
  }
}
