package io.tocsin.incident;

/** Why an alert belongs to an incident. */
public enum AlertRole {
  /** The alert that opened the incident. */
  TRIGGER,
  /** Another alert of the same service and group key. */
  GROUPED,
  /** An alert of a service that depends on the incident's probable cause. */
  SYMPTOM,
  /** An alert that an inhibition rule mutes while one of the incident's alerts fires. */
  INHIBITED
}
