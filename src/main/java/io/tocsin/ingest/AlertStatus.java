package io.tocsin.ingest;

/** Whether an alert's condition holds. */
public enum AlertStatus {
  /** The condition holds now. */
  FIRING,
  /** The condition stopped holding; final for this occurrence. */
  RESOLVED
}
