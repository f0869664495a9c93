package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.platform.Severity;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FingerprintTests {

  @Test
  void theEmptyLabelSetHasTheFnvOffsetAsFingerprint() {
    assertThat(Fingerprint.of(Map.of()).value()).isEqualTo("cbf29ce484222325");
  }

  @Test
  void theFingerprintIgnoresTheOrderOfLabels() {
    Map<String, String> one = new LinkedHashMap<>();
    one.put("alertname", "DatabaseUnavailable");
    one.put("cluster", "eu-1");
    Map<String, String> other = new LinkedHashMap<>();
    other.put("cluster", "eu-1");
    other.put("alertname", "DatabaseUnavailable");

    assertThat(Fingerprint.of(one)).isEqualTo(Fingerprint.of(other));
    assertThat(Fingerprint.of(one).value()).matches("[0-9a-f]{16}");
  }

  @Test
  void theSeparatorKeepsNameAndValueBoundariesApart() {
    assertThat(Fingerprint.of(Map.of("ab", "c"))).isNotEqualTo(Fingerprint.of(Map.of("a", "bc")));
  }

  @Test
  void severitiesFromSendersMapToTheFourCanonicalLevels() {
    assertThat(Severity.fromSender("P1")).isEqualTo(Severity.CRITICAL);
    assertThat(Severity.fromSender("page")).isEqualTo(Severity.CRITICAL);
    assertThat(Severity.fromSender("High")).isEqualTo(Severity.ERROR);
    assertThat(Severity.fromSender("warn")).isEqualTo(Severity.WARNING);
    assertThat(Severity.fromSender("low")).isEqualTo(Severity.INFO);
    assertThat(Severity.fromSender(null)).isEqualTo(Severity.WARNING);
    assertThat(Severity.fromSender("something-new")).isEqualTo(Severity.WARNING);
  }
}
