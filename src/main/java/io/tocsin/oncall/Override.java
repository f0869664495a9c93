package io.tocsin.oncall;

import io.tocsin.platform.InvalidInputException;
import java.time.Instant;
import java.util.UUID;

/** {@code user} instead of whoever the layers have, for [start, end). */
public record Override(UUID user, Instant start, Instant end) {

  public Override {
    if (!end.isAfter(start)) {
      throw new InvalidInputException("overrides", "an override must end after it starts");
    }
  }
}
