package io.tocsin.platform;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * One page of a list query: optional filters, a cursor on the time-ordered {@code id} column, and
 * one row more than the page size so that {@link Page#of} can tell whether another page follows.
 * The SQL stays visible at the call site; this only appends the conditions every list repeats.
 */
public final class ListQuery {

  private final StringBuilder sql;
  private final List<Object> params = new ArrayList<>();

  private ListQuery(String select) {
    this.sql = new StringBuilder(select).append(" WHERE 1 = 1");
  }

  /** Starts from {@code SELECT ... FROM table} (no WHERE clause). */
  public static ListQuery from(String select) {
    return new ListQuery(select);
  }

  /** Adds {@code AND condition} with its {@code ?} values, unless {@code value} is null. */
  public ListQuery where(String condition, @Nullable Object value) {
    if (value != null) {
      sql.append(" AND ").append(condition);
      long placeholders = condition.chars().filter(c -> c == '?').count();
      for (int i = 0; i < placeholders; i++) {
        params.add(value);
      }
    }
    return this;
  }

  /** Adds {@code AND condition} with one value for each {@code ?}, in order. */
  public ListQuery whereAll(String condition, List<?> values) {
    sql.append(" AND ").append(condition);
    params.addAll(values);
    return this;
  }

  /** Adds {@code AND column IN (...)}, unless {@code values} is null or empty. */
  public ListQuery whereIn(String column, @Nullable Collection<?> values) {
    if (values != null && !values.isEmpty()) {
      sql.append(" AND ")
          .append(column)
          .append(" IN (")
          .append(String.join(", ", Collections.nCopies(values.size(), "?")))
          .append(")");
      params.addAll(values);
    }
    return this;
  }

  /**
   * Keeps rows whose {@code column} contains {@code text}, ignoring case, with the user's {@code
   * %}, {@code _} and {@code \} taken literally.
   */
  public ListQuery containing(String column, @Nullable String text) {
    if (text == null || text.isBlank()) {
      return this;
    }
    String escaped =
        text.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    return where("LOWER(" + column + ") LIKE ? ESCAPE '\\'", "%" + escaped + "%");
  }

  /** The page after {@code cursor}, oldest first. */
  public <T> List<T> oldestFirst(
      JdbcClient jdbc, @Nullable UUID cursor, int limit, RowMapper<T> rows) {
    return where("id > ?", cursor).fetch(jdbc, "id", limit, rows);
  }

  /** The page before {@code cursor}, newest first. */
  public <T> List<T> newestFirst(
      JdbcClient jdbc, @Nullable UUID cursor, int limit, RowMapper<T> rows) {
    return where("id < ?", cursor).fetch(jdbc, "id DESC", limit, rows);
  }

  /**
   * Up to {@code limit + 1} rows in {@code order}, for a list whose cursor is more than an id (the
   * caller adds its own condition for the position).
   */
  public <T> List<T> fetch(JdbcClient jdbc, String order, int limit, RowMapper<T> rows) {
    sql.append(" ORDER BY ").append(order).append(" LIMIT ?");
    params.add(limit + 1);
    return jdbc.sql(sql.toString()).params(params).query(rows).list();
  }
}
