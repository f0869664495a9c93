package io.tocsin.incident;

import io.tocsin.platform.Severity;
import java.util.UUID;

/**
 * Whether an incident of a service would reach a person now: its escalation policy finds someone on
 * call with a verified way to be told at the incident's urgency. Correlation asks before it infers
 * a cause on a service that sent no alert, so that an inference never takes pages away from
 * symptoms that would have reached somebody. Paging implements it; this module only states the
 * question.
 */
public interface CauseReachability {

  boolean reachesSomeone(UUID serviceId, Severity severity);
}
