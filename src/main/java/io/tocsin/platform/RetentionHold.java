package io.tocsin.platform;

import java.util.Collection;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What a module still needs of another's data past its retention: an open incident's alerts, a
 * postmortem's. Modules that own the data ask before they delete, without knowing who holds it.
 */
public interface RetentionHold {

  /** Those of {@code ids}, of the given kind, that must stay. */
  Set<UUID> held(String kind, Collection<UUID> ids);

  /**
   * Whether any id of the given kind from {@code from} (inclusive; null: from the first) to {@code
   * to} (exclusive) must stay: asked before a whole partition of them is dropped.
   */
  boolean holdsAny(String kind, @Nullable UUID from, UUID to);
}
