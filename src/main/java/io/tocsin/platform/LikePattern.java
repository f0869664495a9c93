package io.tocsin.platform;

import java.util.Locale;

/**
 * The argument of {@code LOWER(column) LIKE ? ESCAPE '\'} for a case-insensitive "contains" filter,
 * with the user's {@code %}, {@code _} and {@code \} taken literally.
 */
public final class LikePattern {

  private LikePattern() {}

  public static String containing(String text) {
    String escaped =
        text.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    return "%" + escaped + "%";
  }
}
