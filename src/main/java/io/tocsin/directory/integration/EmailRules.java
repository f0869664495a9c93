package io.tocsin.directory.integration;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.tocsin.platform.InvalidInputException;
import org.jspecify.annotations.Nullable;

/**
 * How an email integration reads a mail's subject. Without a {@code dedupPattern} the whole subject
 * (trimmed, spaces collapsed) is the dedup key, so the same mail twice is one alert; with one, its
 * first group is. A subject the {@code resolvePattern} matches resolves the alert of its dedup key
 * instead of firing it. Both are RE2 expressions, as label matchers are: they run on text a
 * stranger sends, so they must match in linear time.
 *
 * @param dedupPattern finds the dedup key in the subject: its first group; {@code null} for the
 *     whole subject
 * @param resolvePattern a subject it matches resolves; {@code null} when mail never resolves
 */
public record EmailRules(@Nullable String dedupPattern, @Nullable String resolvePattern) {

  /** Long enough for any real expression, short enough to stay readable in an export. */
  static final int MAX_PATTERN_LENGTH = 1000;

  /** The rules of a new email integration that nobody configured. */
  public static final EmailRules DEFAULT = new EmailRules(null, null);

  /**
   * Rules as a person wrote them, checked: each must compile, and the dedup expression must have a
   * group. {@code field} names them in the error, as {@code email} or {@code
   * services[nas].integrations[mail].email}; a blank expression is none.
   */
  public static EmailRules of(
      String field, @Nullable String dedupPattern, @Nullable String resolvePattern) {
    String dedup = blankToNull(dedupPattern);
    String resolve = blankToNull(resolvePattern);
    if (dedup != null && compile(field + ".dedupPattern", dedup).groupCount() < 1) {
      throw new InvalidInputException(
          field + ".dedupPattern",
          "'" + dedup + "' has no group: its first group (...) is the dedup key");
    }
    if (resolve != null) {
      compile(field + ".resolvePattern", resolve);
    }
    return new EmailRules(dedup, resolve);
  }

  private static Pattern compile(String field, String expression) {
    if (expression.length() > MAX_PATTERN_LENGTH) {
      throw new InvalidInputException(
          field, "has " + expression.length() + " characters; the limit is " + MAX_PATTERN_LENGTH);
    }
    try {
      return Pattern.compile(expression);
    } catch (PatternSyntaxException e) {
      throw new InvalidInputException(
          field, "'" + expression + "' is not a valid regular expression: " + e.getDescription());
    }
  }

  private static @Nullable String blankToNull(@Nullable String text) {
    return text == null || text.isBlank() ? null : text;
  }
}
