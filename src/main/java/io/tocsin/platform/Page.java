package io.tocsin.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One page of a list, in the order of creation, and the cursor that continues it ({@code null} on
 * the last page). Ids are time-ordered (see {@link TimeOrderedIds}), so "after this id" is a stable
 * position even while rows are added.
 */
public record Page<T>(List<T> items, @Nullable String nextCursor) {

  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;

  /**
   * Builds a page from up to {@code limit + 1} rows: the extra row only says whether another page
   * follows.
   */
  public static <T> Page<T> of(List<T> rowsPlusOne, int limit, Function<T, UUID> id) {
    if (rowsPlusOne.size() <= limit) {
      return new Page<>(List.copyOf(rowsPlusOne), null);
    }
    List<T> items = List.copyOf(rowsPlusOne.subList(0, limit));
    return new Page<>(items, id.apply(items.get(limit - 1)).toString());
  }

  /** Every item of a list read a page at a time: {@code page} reads the page after an id. */
  public static <T> List<T> all(Function<@Nullable UUID, Page<T>> page, Function<T, UUID> id) {
    List<T> all = new ArrayList<>();
    UUID after = null;
    while (true) {
      Page<T> next = page.apply(after);
      all.addAll(next.items());
      if (next.nextCursor() == null || next.items().isEmpty()) {
        return all;
      }
      after = id.apply(next.items().get(next.items().size() - 1));
    }
  }

  /** The id a cursor points after, or a 422 naming the parameter when it is not one of ours. */
  public static @Nullable UUID after(@Nullable String cursor) {
    if (cursor == null || cursor.isBlank()) {
      return null;
    }
    try {
      return UUID.fromString(cursor.trim());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("cursor", "is not a cursor returned by this list");
    }
  }

  /** A requested page size clamped to 1..{@link #MAX_LIMIT}. */
  public static int limit(@Nullable Integer requested) {
    if (requested == null) {
      return DEFAULT_LIMIT;
    }
    return Math.max(1, Math.min(MAX_LIMIT, requested));
  }

  public <R> Page<R> map(Function<T, R> mapper) {
    return new Page<>(items.stream().map(mapper).toList(), nextCursor);
  }
}
