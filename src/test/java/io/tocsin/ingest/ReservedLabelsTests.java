package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReservedLabelsTests {

  @Test
  void aSendersTocsinLabelIsKeptUnderItsExportedName() {
    assertThat(
            ReservedLabels.exported(
                Map.of("alertname", "Maintenance", "tocsin_service", "payments")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("alertname", "Maintenance", "exported_tocsin_service", "payments"));
  }

  @Test
  void anExportedNameTheSenderAlsoUsedIsPrefixedAgainAndNothingIsLost() {
    Map<String, String> sent = new LinkedHashMap<>();
    sent.put("tocsin_service", "payments");
    sent.put("exported_tocsin_service", "billing");
    sent.put("tocsin_anything", "x");

    assertThat(ReservedLabels.exported(sent))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "exported_tocsin_service", "billing",
                "exported_exported_tocsin_service", "payments",
                "exported_tocsin_anything", "x"));
  }

  @Test
  void labelsWithoutReservedNamesAreLeftAsTheyAre() {
    Map<String, String> sent = Map.of("alertname", "Down", "TOCSIN_SERVICE", "not reserved");
    assertThat(ReservedLabels.exported(sent)).isSameAs(sent);
  }
}
