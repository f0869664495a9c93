package io.tocsin.directory.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SignInThrottleTests {

  @Test
  void theBlockStartsAtOneSecondAndDoublesUpToFifteenMinutes() {
    assertThat(SignInThrottle.block(0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(SignInThrottle.block(3)).isEqualTo(Duration.ofSeconds(8));
    assertThat(SignInThrottle.block(9)).isEqualTo(Duration.ofSeconds(512));
    assertThat(SignInThrottle.block(10)).isEqualTo(Duration.ofMinutes(15));
    assertThat(SignInThrottle.block(500)).isEqualTo(Duration.ofMinutes(15));
  }
}
