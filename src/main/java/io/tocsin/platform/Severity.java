package io.tocsin.platform;

import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** How urgent an alert is, in Tocsin's four canonical levels. */
public enum Severity {
  /** Wake someone up now. */
  CRITICAL,
  /** Something is broken; page during working hours or soon. */
  ERROR,
  /** Something will break if nobody looks. */
  WARNING,
  /** For the record. */
  INFO;

  /** What senders commonly write, mapped to the canonical level. */
  private static final Map<String, Severity> ALIASES =
      Map.ofEntries(
          Map.entry("critical", CRITICAL),
          Map.entry("crit", CRITICAL),
          Map.entry("page", CRITICAL),
          Map.entry("p1", CRITICAL),
          Map.entry("fatal", CRITICAL),
          Map.entry("emergency", CRITICAL),
          Map.entry("error", ERROR),
          Map.entry("err", ERROR),
          Map.entry("high", ERROR),
          Map.entry("major", ERROR),
          Map.entry("p2", ERROR),
          Map.entry("warning", WARNING),
          Map.entry("warn", WARNING),
          Map.entry("medium", WARNING),
          Map.entry("minor", WARNING),
          Map.entry("p3", WARNING),
          Map.entry("info", INFO),
          Map.entry("informational", INFO),
          Map.entry("low", INFO),
          Map.entry("none", INFO),
          Map.entry("p4", INFO),
          Map.entry("p5", INFO));

  /**
   * The canonical level of a sender's value; {@link #WARNING} when it is missing or unknown, so
   * that an alert is never dropped for its severity.
   */
  public static Severity fromSender(@Nullable String value) {
    if (value == null) {
      return WARNING;
    }
    return ALIASES.getOrDefault(value.trim().toLowerCase(Locale.ROOT), WARNING);
  }

  /** The more severe of the two. */
  public static Severity higher(Severity a, Severity b) {
    return a.ordinal() <= b.ordinal() ? a : b;
  }
}
