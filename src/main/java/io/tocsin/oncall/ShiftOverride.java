package io.tocsin.oncall;

import io.tocsin.platform.InvalidInputException;
import java.time.Instant;
import java.util.UUID;

/** {@code user} instead of whoever the layers have, for [start, end): a shift taken over. */
public record ShiftOverride(UUID user, Instant start, Instant end) {

  public ShiftOverride {
    if (!end.isAfter(start)) {
      throw new InvalidInputException("overrides", "an override must end after it starts");
    }
  }
}
