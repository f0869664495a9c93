package io.tocsin.incident;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TimelineCountTests {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "1|1 alert",
        "2|2 alerts",
        "999|999 alerts",
        "1000|1,000 alerts",
        "46769|46,769 alerts",
        "187076|187,076 alerts",
        "1234567|1,234,567 alerts",
        "2147483647|2,147,483,647 alerts"
      })
  void aTimelineEntryCountsItsAlertsInThousandsAsPeopleReadThem(int count, String text) {
    assertThat(IncidentRecords.alerts(count)).isEqualTo(text);
  }
}
