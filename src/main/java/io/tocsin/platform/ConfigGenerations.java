package io.tocsin.platform;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Configuration that every correlation transaction reads (silences, inhibition rules, services with
 * their dependencies, integrations' grouping) kept in memory on each node, without a node ever
 * acting on another's stale copy.
 *
 * <p>Each kind has a generation in {@code platform_config_generation}, raised in the transaction
 * that changes it. A transaction reads all generations once, at its first cached read, and a cache
 * whose copy is of another generation reads anew: a change committed on one node is seen by the
 * next transaction on every node, at one small read per transaction instead of one query per kind.
 * The transaction that makes a change reads around the cache until it ends, since what it sees is
 * not committed yet.
 */
@Component
public class ConfigGenerations {

  private final JdbcClient jdbc;

  ConfigGenerations(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Records a change of {@code kind} in the current transaction. */
  public void changed(String kind) {
    int updated =
        jdbc.sql(
                "UPDATE platform_config_generation SET generation = generation + 1"
                    + " WHERE kind = :kind")
            .param("kind", kind)
            .update();
    if (updated != 1) {
      throw new IllegalStateException("no configuration generation '" + kind + "'");
    }
    Snapshot snapshot = snapshot();
    if (snapshot != null) {
      snapshot.changedHere.add(kind);
    }
  }

  /** A value of {@code kind} read by {@code load}, kept until {@code kind} changes. */
  public <T> Cache<T> cache(String kind, Supplier<T> load) {
    return new Cache<>(this, kind, load);
  }

  /** The generation this transaction sees; -1 when it must not use a cached value. */
  private long generation(String kind) {
    Snapshot snapshot = snapshot();
    if (snapshot == null) {
      if (!TransactionSynchronizationManager.isSynchronizationActive()) {
        return -1;
      }
      snapshot = new Snapshot(read());
      TransactionSynchronizationManager.bindResource(this, snapshot);
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
              TransactionSynchronizationManager.unbindResourceIfPossible(ConfigGenerations.this);
            }
          });
    }
    if (snapshot.changedHere.contains(kind)) {
      return -1;
    }
    Long generation = snapshot.generations.get(kind);
    return generation == null ? -1 : generation;
  }

  private @Nullable Snapshot snapshot() {
    return (Snapshot) TransactionSynchronizationManager.getResource(this);
  }

  private Map<String, Long> read() {
    Map<String, Long> generations = new HashMap<>();
    jdbc.sql("SELECT kind, generation FROM platform_config_generation")
        .query(
            rs -> {
              generations.put(rs.getString("kind"), rs.getLong("generation"));
            });
    return generations;
  }

  private static final class Snapshot {
    private final Map<String, Long> generations;
    private final Set<String> changedHere = new HashSet<>();

    Snapshot(Map<String, Long> generations) {
      this.generations = generations;
    }
  }

  /**
   * One cached value. Outside a transaction, and in one that changed its kind, every read loads.
   * The value is shared between threads, so it must not be changed once loaded.
   */
  public static final class Cache<T> {

    private final ConfigGenerations generations;
    private final String kind;
    private final Supplier<T> load;
    private final AtomicReference<Kept<T>> kept = new AtomicReference<>();

    private Cache(ConfigGenerations generations, String kind, Supplier<T> load) {
      this.generations = generations;
      this.kind = kind;
      this.load = load;
    }

    public T get() {
      long generation = generations.generation(kind);
      if (generation < 0) {
        return load.get();
      }
      Kept<T> current = kept.get();
      if (current != null && current.generation() == generation) {
        return current.value();
      }
      // Loaded after the generation was read, so at least as new as it: a transaction that read an
      // older generation first may keep a newer value under it, never the other way round.
      T value = load.get();
      Kept<T> loaded = new Kept<>(generation, value);
      kept.accumulateAndGet(
          loaded,
          (old, fresh) -> old == null || fresh.generation() >= old.generation() ? fresh : old);
      return value;
    }

    private record Kept<T>(long generation, T value) {}
  }
}
