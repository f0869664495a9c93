package io.tocsin.ingest;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.tocsin.platform.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One Alertmanager label matcher ({@code name="value"}, {@code name!="value"}, {@code
 * name=~"regex"}, {@code name!~"regex"}): in amtool's {@code filter} text, in silences, in
 * inhibition rules. A missing label matches as the empty string, and regular expressions match the
 * whole value, as in Alertmanager.
 *
 * <p>Regular expressions are RE2's, as in Alertmanager and Prometheus: matching takes time linear
 * in the value, so no silence, rule or filter can stall the alerts behind it, and there are no
 * backreferences or lookarounds, which Alertmanager refuses too. Each is compiled once, when the
 * matcher is made; {@code pattern} is null for {@code =} and {@code !=}, which compare strings.
 */
public record LabelMatcher(
    String name, Operator operator, String value, @Nullable Pattern pattern) {

  /**
   * Longest regular expression accepted. Alertmanager caps only a whole silence's size, and only
   * when configured; a thousand characters holds any alternation of names a person types or a
   * maintenance window of dozens of services, and bounds what each one costs to compile and keep.
   */
  public static final int REGEX_LIMIT = 1_024;

  /**
   * Longest value of {@code =} and {@code !=}: comparing costs nothing, so this only keeps a
   * silence from carrying a document.
   */
  public static final int VALUE_LIMIT = 16_384;

  /** How a matcher compares, with its text in Alertmanager's syntax. */
  public enum Operator {
    EQUAL("="),
    NOT_EQUAL("!="),
    REGEX("=~"),
    NOT_REGEX("!~");

    private final String text;

    Operator(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    /** Alertmanager's structured form: {@code isRegex} and {@code isEqual}. */
    public static Operator of(boolean isRegex, boolean isEqual) {
      if (isRegex) {
        return isEqual ? REGEX : NOT_REGEX;
      }
      return isEqual ? EQUAL : NOT_EQUAL;
    }

    /** An operator from its text; {@code field} names it in the answer when it is none of them. */
    public static Operator parse(String field, @Nullable String text) {
      String wanted = text == null ? "=" : text.trim();
      for (Operator operator : values()) {
        if (operator.text.equals(wanted)) {
          return operator;
        }
      }
      throw new InvalidInputException(field, "must be one of =, !=, =~, !~");
    }

    public boolean isRegex() {
      return this == REGEX || this == NOT_REGEX;
    }

    public boolean isEqual() {
      return this == EQUAL || this == REGEX;
    }
  }

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /**
   * A matcher from its parts, as silences and rules carry them; {@code field} names it in the
   * answer when it is invalid.
   */
  public static LabelMatcher of(String field, String name, Operator operator, String value) {
    if (!LABEL_NAME.matches(name)) {
      throw new InvalidInputException(field + ".name", "'" + name + "' is not a valid label name");
    }
    return checked(name, operator, value, why -> new InvalidInputException(field + ".value", why));
  }

  /**
   * A matcher as a silence or rule stored before today's limits keeps it. One that they refuse now,
   * a regular expression too long or that RE2 does not compile, matches no alert: the silence or
   * rule then mutes nothing, so alerts page rather than every read failing.
   */
  public static LabelMatcher stored(String name, Operator operator, String value) {
    try {
      return checked(name, operator, value, why -> new InvalidInputException("value", why));
    } catch (InvalidInputException e) {
      return new LabelMatcher(name, operator, value, null);
    }
  }

  /** Whether this matcher matches no alert, being stored and refused since: see {@link #stored}. */
  public boolean refused() {
    return operator.isRegex() && pattern == null;
  }

  private static LabelMatcher checked(
      String name,
      Operator operator,
      String value,
      Function<String, InvalidInputException> refusal) {
    if (!operator.isRegex()) {
      if (value.length() > VALUE_LIMIT) {
        throw refusal.apply("must have at most " + VALUE_LIMIT + " characters");
      }
      return new LabelMatcher(name, operator, value, null);
    }
    if (value.length() > REGEX_LIMIT) {
      throw refusal.apply("a regular expression must have at most " + REGEX_LIMIT + " characters");
    }
    try {
      return new LabelMatcher(name, operator, value, Pattern.compile(value));
    } catch (PatternSyntaxException e) {
      throw refusal.apply(
          "the regular expression does not compile: "
              + e.getDescription()
              + " ("
              + e.getPattern()
              + ")");
    }
  }

  /** The matcher in Alertmanager's text syntax, e.g. {@code service=~"api|web"}. */
  @Override
  public String toString() {
    return name + operator.text + '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static final Pattern SHAPE =
      Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(.*?)\\s*");

  public boolean matches(Map<String, String> labels) {
    String actual = labels.getOrDefault(name, "");
    if (refused()) {
      return false;
    }
    return switch (operator) {
      case EQUAL -> actual.equals(value);
      case NOT_EQUAL -> !actual.equals(value);
      case REGEX -> Objects.requireNonNull(pattern).matches(actual);
      case NOT_REGEX -> !Objects.requireNonNull(pattern).matches(actual);
    };
  }

  /** Every matcher of one {@code filter} value: one matcher, or a braced, comma-separated list. */
  public static List<LabelMatcher> parseAll(String filter) {
    String text = filter.trim();
    if (text.startsWith("{") && text.endsWith("}")) {
      text = text.substring(1, text.length() - 1);
    }
    List<LabelMatcher> matchers = new ArrayList<>();
    for (String part : splitOutsideQuotes(text)) {
      if (!part.isBlank()) {
        matchers.add(parse(part, filter));
      }
    }
    return matchers;
  }

  private static LabelMatcher parse(String text, String filter) {
    Matcher shape = SHAPE.matcher(text);
    if (!shape.matches()) {
      throw invalid(
          filter, "expected name=\"value\", name!=\"value\", name=~\"re\" or name!~\"re\"");
    }
    Operator operator = Operator.parse("filter", shape.group(2));
    String value = unquote(shape.group(3), filter);
    return checked(shape.group(1), operator, value, why -> invalid(filter, why));
  }

  private static String unquote(String raw, String filter) {
    if (!raw.startsWith("\"")) {
      if (raw.contains("\"")) {
        throw invalid(filter, "a value with quotes must be a quoted string");
      }
      return raw;
    }
    if (raw.length() < 2 || !raw.endsWith("\"")) {
      throw invalid(filter, "the quoted value is not closed");
    }
    StringBuilder value = new StringBuilder();
    for (int i = 1; i < raw.length() - 1; i++) {
      char c = raw.charAt(i);
      if (c == '\\' && i + 1 < raw.length() - 1) {
        char next = raw.charAt(++i);
        value.append(next == 'n' ? '\n' : next == 't' ? '\t' : next);
      } else if (c == '"') {
        throw invalid(filter, "an unescaped quote inside the value");
      } else {
        value.append(c);
      }
    }
    return value.toString();
  }

  private static List<String> splitOutsideQuotes(String text) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && quoted && i + 1 < text.length()) {
        current.append(c).append(text.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString());
    return parts;
  }

  private static InvalidInputException invalid(String filter, String why) {
    return new InvalidInputException("filter", "'" + filter + "' is not a label matcher: " + why);
  }
}
