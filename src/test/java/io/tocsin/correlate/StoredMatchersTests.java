package io.tocsin.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.LabelMatcher.Operator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class StoredMatchersTests {

  private final StoredMatchers stored = new StoredMatchers(JsonMapper.builder().build());

  @Test
  void aStoredListIsCompiledOnceAndReusedOnEveryRead() {
    String text =
        stored.write(List.of(LabelMatcher.of("m", "alertname", Operator.REGEX, "api|web")));

    List<LabelMatcher> first = stored.read(text);

    assertThat(stored.read(text)).isSameAs(first);
    assertThat(first.get(0).matches(Map.of("alertname", "web"))).isTrue();
  }

  @Test
  void aRowSavedBeforeRe2WithALookaheadReadsAsMatchingNoAlert() {
    String lookahead =
        "[{\"name\":\"job\",\"value\":\"api(?=-eu)\",\"isRegex\":true,\"isEqual\":true},"
            + "{\"name\":\"env\",\"value\":\"prod\",\"isRegex\":false,\"isEqual\":true}]";

    List<LabelMatcher> read = stored.read(lookahead);

    assertThat(read).extracting(LabelMatcher::refused).containsExactly(true, false);
    assertThat(read.get(0).matches(Map.of("job", "api-eu"))).isFalse();
    assertThat(read.get(0).toString()).isEqualTo("job=~\"api(?=-eu)\"");
  }
}
