package io.tocsin.platform;

import java.util.function.Function;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Where the heavy read-only queries go that may show data a moment old: reports. A streaming
 * replica when {@code TOCSIN_DATABASE_READ_URL} names one, so that many people looking at the
 * console during a storm take nothing from the primary that ingests it; the primary otherwise, and
 * whenever the replica cannot be reached.
 *
 * <p>Never for anything that decides what to write or whom to page: a replica lags.
 */
public interface ReadDatabase {

  /**
   * Runs a read on the replica; when the replica fails it (unreachable, or lost in the middle),
   * runs it again on the primary. The query must only read.
   */
  <T> T read(Function<JdbcClient, T> query);
}
