package io.tocsin.correlate;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.LabelMatcher.Operator;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Matchers as the correlation tables keep them: Alertmanager's {name, value, isRegex, isEqual}. */
@Component
class StoredMatchers {

  // Named explicitly, so that the stored form stays Alertmanager's whatever Jackson makes of
  // boolean components whose names start with "is".
  private record Stored(
      @JsonProperty("name") String name,
      @JsonProperty("value") String value,
      @JsonProperty("isRegex") boolean isRegex,
      @JsonProperty("isEqual") boolean isEqual) {}

  private static final TypeReference<List<Stored>> LIST = new TypeReference<>() {};

  private final JsonMapper json;

  StoredMatchers(JsonMapper json) {
    this.json = json;
  }

  String write(List<LabelMatcher> matchers) {
    return json.writeValueAsString(
        matchers.stream()
            .map(
                m ->
                    new Stored(m.name(), m.value(), m.operator().isRegex(), m.operator().isEqual()))
            .toList());
  }

  List<LabelMatcher> read(String text) {
    List<LabelMatcher> matchers = new ArrayList<>();
    List<Stored> stored = json.readValue(text, LIST);
    for (int i = 0; i < stored.size(); i++) {
      Stored m = stored.get(i);
      matchers.add(
          LabelMatcher.of(
              "matchers[" + i + "]", m.name(), Operator.of(m.isRegex(), m.isEqual()), m.value()));
    }
    return matchers;
  }
}
