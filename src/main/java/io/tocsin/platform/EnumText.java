package io.tocsin.platform;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The one mapping between Java enum constants and their text in the API and in the database: lower
 * case when written, any case when read. Database columns hold {@link #canonical} values under a
 * {@code CHECK} constraint, never a native enum type.
 */
public final class EnumText {

  private EnumText() {}

  public static String canonical(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code text} in any case (and with dashes for underscores) or throws {@link
   * UnknownValueException} naming {@code field} and the allowed values.
   */
  public static <E extends Enum<E>> E parse(Class<E> type, String field, String text) {
    String wanted = text.trim().replace('-', '_');
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(wanted)) {
        return constant;
      }
    }
    throw new UnknownValueException(field, text, allowed(type));
  }

  public static List<String> allowed(Class<? extends Enum<?>> type) {
    return Arrays.stream(type.getEnumConstants()).map(EnumText::canonical).toList();
  }
}
