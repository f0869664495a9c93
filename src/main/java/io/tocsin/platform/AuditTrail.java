package io.tocsin.platform;

import org.jspecify.annotations.Nullable;

/**
 * The audit trail as the platform writes to it: the directory module keeps the trail (who acted is
 * its to know), and the platform's own admin actions, such as discarding a dead event publication,
 * are recorded through this.
 */
public interface AuditTrail {

  /** Records an action of the signed-in user of this request, in the caller's transaction. */
  void record(String kind, @Nullable String target, String summary);
}
