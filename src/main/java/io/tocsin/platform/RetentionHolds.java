package io.tocsin.platform;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Every module's {@link RetentionHold}, asked at once. */
public record RetentionHolds(List<RetentionHold> holds) {

  public RetentionHolds {
    holds = List.copyOf(holds);
  }

  /** Those of {@code ids} that any module holds. */
  public Set<UUID> held(String kind, Collection<UUID> ids) {
    Set<UUID> held = new HashSet<>();
    if (ids.isEmpty()) {
      return held;
    }
    for (RetentionHold hold : holds) {
      held.addAll(hold.held(kind, ids));
    }
    return held;
  }

  /** Whether any module holds an id of the partition's range. */
  public boolean holdsAny(String kind, TimePartitions.Partition partition) {
    return holds.stream().anyMatch(hold -> hold.holdsAny(kind, partition.from(), partition.to()));
  }
}
