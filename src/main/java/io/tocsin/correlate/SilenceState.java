package io.tocsin.correlate;

/** Where a silence is in its window: not yet started, muting, or over. */
public enum SilenceState {
  PENDING,
  ACTIVE,
  EXPIRED
}
