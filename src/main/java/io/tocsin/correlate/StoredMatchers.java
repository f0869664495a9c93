package io.tocsin.correlate;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.LabelMatcher.Operator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Matchers as the correlation tables keep them: Alertmanager's {name, value, isRegex, isEqual}.
 * Silences and rules are read for every alert, so each stored list is parsed and its regular
 * expressions compiled once, then kept while it is among the most recently read.
 */
@Component
class StoredMatchers {

  /** Far more matcher lists than silences and rules in force at once, so reads rarely miss. */
  private static final int KEPT = 4_096;

  // Named explicitly, so that the stored form stays Alertmanager's whatever Jackson makes of
  // boolean components whose names start with "is".
  private record Stored(
      @JsonProperty("name") String name,
      @JsonProperty("value") String value,
      @JsonProperty("isRegex") boolean isRegex,
      @JsonProperty("isEqual") boolean isEqual) {}

  private static final TypeReference<List<Stored>> LIST = new TypeReference<>() {};

  private final JsonMapper json;
  private final Map<String, List<LabelMatcher>> compiled =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, List<LabelMatcher>> eldest) {
              return size() > KEPT;
            }
          });

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
    List<LabelMatcher> kept = compiled.get(text);
    if (kept != null) {
      return kept;
    }
    List<LabelMatcher> matchers = new ArrayList<>();
    for (Stored m : json.readValue(text, LIST)) {
      matchers.add(LabelMatcher.stored(m.name(), Operator.of(m.isRegex(), m.isEqual()), m.value()));
    }
    List<LabelMatcher> read = List.copyOf(matchers);
    compiled.put(text, read);
    return read;
  }
}
