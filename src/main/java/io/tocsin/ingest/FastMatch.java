package io.tocsin.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A label matcher that answers the common regular expressions without running them, as Prometheus'
 * own matchers do: an alternation of plain words ({@code info|debug}) is a set lookup, and one
 * whose every branch starts with plain characters ({@code pay.*|checkout}) cannot match a value
 * that starts with none of them. Anything else, and every value that passes the quick test, goes to
 * RE2 as before, so the answer is always the matcher's own. Routing tries every alert against every
 * rule, and RE2 costs a microsecond or so per value.
 */
final class FastMatch {

  /** Characters that mean themselves in a regular expression, outside any class or group. */
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_\\-:/ =@,;'\"%&!<>~`#]*");

  /** Characters that make a pattern too rich to take apart here. */
  private static final Pattern RICH = Pattern.compile(".*[()\\[\\]{}\\\\^$].*", Pattern.DOTALL);

  private final LabelMatcher matcher;
  private final @Nullable Set<String> words;
  private final @Nullable List<String> prefixes;

  private FastMatch(
      LabelMatcher matcher, @Nullable Set<String> words, @Nullable List<String> prefixes) {
    this.matcher = matcher;
    this.words = words;
    this.prefixes = prefixes;
  }

  static FastMatch of(LabelMatcher matcher) {
    if (!matcher.operator().isRegex()
        || matcher.refused()
        || RICH.matcher(matcher.value()).matches()) {
      return new FastMatch(matcher, null, null);
    }
    String[] branches = matcher.value().split("\\|", -1);
    boolean allPlain = true;
    List<String> prefixes = new ArrayList<>();
    for (String branch : branches) {
      if (PLAIN.matcher(branch).matches()) {
        prefixes.add(branch);
        continue;
      }
      allPlain = false;
      int end = 0;
      while (end < branch.length() && PLAIN.matcher(branch.substring(end, end + 1)).matches()) {
        end++;
      }
      // A quantifier after the run applies to its last character, which may then be absent.
      if (end < branch.length() && "*?+".indexOf(branch.charAt(end)) >= 0) {
        end--;
      }
      if (end <= 0) {
        return new FastMatch(matcher, null, null);
      }
      prefixes.add(branch.substring(0, end));
    }
    if (allPlain) {
      return new FastMatch(matcher, Set.copyOf(prefixes), null);
    }
    return new FastMatch(matcher, null, List.copyOf(prefixes));
  }

  LabelMatcher matcher() {
    return matcher;
  }

  boolean matches(Map<String, String> labels) {
    if (words == null && prefixes == null) {
      return matcher.matches(labels);
    }
    String value = labels.getOrDefault(matcher.name(), "");
    boolean regex = matcher.operator() == LabelMatcher.Operator.REGEX;
    if (words != null) {
      return words.contains(value) == regex;
    }
    for (String prefix : Objects.requireNonNull(prefixes)) {
      if (value.startsWith(prefix)) {
        return matcher.matches(labels);
      }
    }
    return !regex;
  }
}
