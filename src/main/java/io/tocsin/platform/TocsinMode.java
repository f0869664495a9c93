package io.tocsin.platform;

/** How strictly the server treats its own configuration. */
public enum TocsinMode {
  /**
   * Starts with the embedded database and a generated secret key; for evaluation and development.
   */
  DEVELOPMENT,
  /** Refuses to start on settings that are unsafe to run in production. */
  PRODUCTION
}
