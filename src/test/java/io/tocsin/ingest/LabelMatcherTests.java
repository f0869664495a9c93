package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tocsin.ingest.LabelMatcher.Operator;
import io.tocsin.platform.InvalidInputException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelMatcherTests {

  // Long enough that java.util.regex, which backtracks through every way to split the value into
  // the repeated groups, takes from half a minute to many minutes on these patterns.
  private static final Map<String, String> LONG_ALERTNAME = Map.of("alertname", "a".repeat(120));

  // The bound is on a hang, not a speed: RE2 answers in time linear in the value, however slow the
  // machine.
  private static final Duration HANG = Duration.ofSeconds(5);

  @Test
  void aRegexThatBacktracksForMinutesStillAnswersInASilence() {
    LabelMatcher matcher = LabelMatcher.of("matchers[0]", "alertname", Operator.REGEX, "(.*.){7}Z");

    assertThat(assertTimeoutPreemptively(HANG, () -> matcher.matches(LONG_ALERTNAME))).isFalse();
  }

  @Test
  void aRegexThatBacktracksForMinutesStillAnswersInAFilter() {
    List<LabelMatcher> filter = LabelMatcher.parseAll("alertname=~\"(.*.){6}Z\"");

    assertThat(assertTimeoutPreemptively(HANG, () -> filter.get(0).matches(LONG_ALERTNAME)))
        .isFalse();
  }

  @Test
  void aRegularExpressionLongerThanTheLimitIsRefusedWhenTheMatcherIsMade() {
    String huge = "a".repeat(200_000);

    assertThatThrownBy(() -> LabelMatcher.of("matchers[0]", "alertname", Operator.REGEX, huge))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("matchers[0].value"))
        .hasMessage("a regular expression must have at most 1024 characters");
    assertThatThrownBy(() -> LabelMatcher.parseAll("alertname=~\"" + huge + "\""))
        .hasMessageContaining("a regular expression must have at most 1024 characters");
  }

  @Test
  void aRegularExpressionAtTheLimitIsAccepted() {
    String atLimit = "a".repeat(LabelMatcher.REGEX_LIMIT);

    assertThat(
            LabelMatcher.of("m", "alertname", Operator.REGEX, atLimit)
                .matches(Map.of("alertname", atLimit)))
        .isTrue();
  }

  @Test
  void anEqualityValueLongerThanItsLimitIsRefused() {
    String huge = "a".repeat(200_000);

    assertThatThrownBy(() -> LabelMatcher.of("matchers[0]", "alertname", Operator.EQUAL, huge))
        .hasMessage("must have at most 16384 characters");
  }

  @Test
  void whatRe2RefusesIsAnInvalidInputWithTheReason() {
    assertThatThrownBy(() -> LabelMatcher.of("matchers[0]", "job", Operator.REGEX, "(a)\\1"))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("matchers[0].value"))
        .hasMessageStartingWith("the regular expression does not compile: ")
        .hasMessageContaining("\\1");
    assertThatThrownBy(() -> LabelMatcher.parseAll("job=~\"foo(?=bar)\""))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("the regular expression does not compile");
  }

  @Test
  void regularExpressionsStayAnchoredAtBothEnds() {
    LabelMatcher matcher = LabelMatcher.of("m", "job", Operator.REGEX, "foo.*");

    assertThat(matcher.matches(Map.of("job", "foobar"))).isTrue();
    assertThat(matcher.matches(Map.of("job", "xfoobar"))).isFalse();
    assertThat(LabelMatcher.of("m", "job", Operator.REGEX, "a|b").matches(Map.of("job", "ab")))
        .isFalse();
    assertThat(
            LabelMatcher.of("m", "job", Operator.NOT_REGEX, "foo.*")
                .matches(Map.of("job", "xfoobar")))
        .isTrue();
  }

  @Test
  void aStoredMatcherThatIsRefusedNowMatchesNoAlert() {
    LabelMatcher lookahead = LabelMatcher.stored("job", Operator.REGEX, "foo(?=bar)");
    LabelMatcher negated = LabelMatcher.stored("job", Operator.NOT_REGEX, "x".repeat(2_000));

    assertThat(lookahead.refused()).isTrue();
    assertThat(lookahead.matches(Map.of("job", "foobar"))).isFalse();
    assertThat(negated.matches(Map.of("job", "anything"))).isFalse();
    assertThat(LabelMatcher.stored("job", Operator.REGEX, "api|web").refused()).isFalse();
  }
}
