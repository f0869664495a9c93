package io.tocsin.platform;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Splits values for {@code IN (:ids)} lists: one statement per few hundred values stays far below
 * PostgreSQL's 65,535 bind parameters and lets both databases plan it as an index lookup.
 */
public final class InLists {

  /** The most values one {@code IN} list carries. */
  public static final int SIZE = 500;

  private InLists() {}

  public static <T> List<List<T>> of(Collection<T> values) {
    List<T> all = List.copyOf(values);
    List<List<T>> chunks = new ArrayList<>();
    for (int i = 0; i < all.size(); i += SIZE) {
      chunks.add(all.subList(i, Math.min(all.size(), i + SIZE)));
    }
    return chunks;
  }
}
