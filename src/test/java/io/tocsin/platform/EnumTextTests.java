package io.tocsin.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EnumTextTests {

  enum Phase {
    INVESTIGATING,
    IN_PROGRESS
  }

  @Test
  void canonicalTextIsLowerCase() {
    assertThat(EnumText.canonical(Phase.IN_PROGRESS)).isEqualTo("in_progress");
  }

  @Test
  void parsingAcceptsAnyCaseAndDashes() {
    assertThat(EnumText.parse(Phase.class, "phase", "In-Progress")).isEqualTo(Phase.IN_PROGRESS);
    assertThat(EnumText.parse(Phase.class, "phase", " INVESTIGATING "))
        .isEqualTo(Phase.INVESTIGATING);
  }

  @Test
  void unknownValueNamesTheFieldAndTheAllowedValues() {
    assertThatThrownBy(() -> EnumText.parse(Phase.class, "phase", "ADMIN"))
        .isInstanceOfSatisfying(
            UnknownValueException.class,
            e -> {
              assertThat(e.field()).isEqualTo("phase");
              assertThat(e.value()).isEqualTo("ADMIN");
              assertThat(e.allowed()).containsExactly("investigating", "in_progress");
            })
        .hasMessage("'ADMIN' is not a valid phase: allowed values are investigating, in_progress");
  }
}
