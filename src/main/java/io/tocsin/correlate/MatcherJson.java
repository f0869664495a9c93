package io.tocsin.correlate;

import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.LabelMatcher.Operator;
import io.tocsin.platform.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A label matcher in Tocsin's own API: {@code {"name":"alertname","operator":"=~","value":"…"}},
 * the operator as written in Alertmanager's syntax and {@code =} when left out.
 */
public record MatcherJson(
    @Nullable String name, @Nullable String operator, @Nullable String value) {

  public static MatcherJson of(LabelMatcher matcher) {
    return new MatcherJson(matcher.name(), matcher.operator().text(), matcher.value());
  }

  public static List<MatcherJson> of(List<LabelMatcher> matchers) {
    return matchers.stream().map(MatcherJson::of).toList();
  }

  /** The matchers of a request's {@code field}, each checked and named in a refusal. */
  public static List<LabelMatcher> parse(String field, @Nullable List<MatcherJson> given) {
    List<LabelMatcher> matchers = new ArrayList<>();
    List<MatcherJson> all = given == null ? List.of() : given;
    for (int i = 0; i < all.size(); i++) {
      MatcherJson m = all.get(i);
      String path = field + "[" + i + "]";
      if (m == null) {
        throw new InvalidInputException(path, "must be a matcher object, not null");
      }
      matchers.add(
          LabelMatcher.of(
              path,
              m.name() == null ? "" : m.name(),
              Operator.parse(path + ".operator", m.operator()),
              m.value() == null ? "" : m.value()));
    }
    return matchers;
  }
}
