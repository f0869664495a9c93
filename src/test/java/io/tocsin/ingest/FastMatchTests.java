package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The quick answers of routing's matchers are always the regular expression's own. */
class FastMatchTests {

  private static final List<String> PATTERNS =
      List.of(
          "info|debug",
          "pay.*|checkout",
          "search.*",
          "Never7.*|Other-7",
          "ab*c",
          "a?b",
          ".*",
          "x.y|z",
          "a|",
          "(?i)payments",
          "db-[0-9]+",
          "^api$",
          "api-(eu|us)",
          "a\\.b",
          "");

  private static final List<String> VALUES =
      List.of(
          "",
          "info",
          "debug",
          "infos",
          "pay",
          "payments",
          "checkout",
          "checkouts",
          "search",
          "search-api",
          "Never7x",
          "Other-7",
          "Other-77",
          "ac",
          "abbc",
          "b",
          "ab",
          "xzy",
          "xay",
          "z",
          "a",
          "PAYMENTS",
          "db-12",
          "db-",
          "api",
          "api-eu",
          "a.b",
          "axb");

  @Test
  void everyQuickAnswerIsTheRegularExpressionsAnswer() {
    Random random = new Random(20261206);
    for (String pattern : PATTERNS) {
      for (LabelMatcher.Operator operator :
          List.of(LabelMatcher.Operator.REGEX, LabelMatcher.Operator.NOT_REGEX)) {
        LabelMatcher matcher = LabelMatcher.of("m", "job", operator, pattern);
        FastMatch fast = FastMatch.of(matcher);
        for (String value : VALUES) {
          Map<String, String> labels = Map.of("job", value);
          assertThat(fast.matches(labels))
              .as(operator.text() + "\"" + pattern + "\" on \"" + value + "\"")
              .isEqualTo(matcher.matches(labels));
        }
        for (int i = 0; i < 200; i++) {
          String value = randomValue(random);
          Map<String, String> labels = Map.of("job", value);
          assertThat(fast.matches(labels))
              .as(operator.text() + "\"" + pattern + "\" on \"" + value + "\"")
              .isEqualTo(matcher.matches(labels));
        }
        assertThat(fast.matches(Map.of()))
            .as("a missing label is the empty string")
            .isEqualTo(matcher.matches(Map.of()));
      }
    }
  }

  private static String randomValue(Random random) {
    String alphabet = "abcdinfopaychecksrtNevr7Oth-xyz.";
    StringBuilder value = new StringBuilder();
    int length = random.nextInt(10);
    for (int i = 0; i < length; i++) {
      value.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return value.toString();
  }
}
