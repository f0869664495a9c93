package io.tocsin.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTests {

  @Test
  void idsDrawnInTheSameMillisecondSortInTheOrderTheyWereDrawn() {
    TimeOrderedIds ids =
        new TimeOrderedIds(Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC));
    List<UUID> drawn = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      drawn.add(ids.generateId());
    }

    assertThat(drawn).isSorted().doesNotHaveDuplicates();
    assertThat(drawn).allMatch(id -> id.version() == 7 && id.variant() == 2);
  }
}
