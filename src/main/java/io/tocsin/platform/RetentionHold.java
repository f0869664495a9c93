package io.tocsin.platform;

import java.util.Collection;
import java.util.Set;
import java.util.UUID;

/**
 * What a module still needs of another's data past its retention: an open incident's alerts, a
 * postmortem's. Modules that own the data ask before they delete, without knowing who holds it.
 */
public interface RetentionHold {

  /** Those of {@code ids}, of the given kind, that must stay. */
  Set<UUID> held(String kind, Collection<UUID> ids);
}
