package io.tocsin.notify;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A way to reach a person: an email address, or a URL with the channel's own settings (the
 * webhook's signing secret, ntfy's topic). Only verified methods carry pages.
 */
public record ContactMethod(
    UUID id,
    UUID userId,
    ChannelType type,
    String name,
    String target,
    Map<String, String> settings,
    @Nullable Instant verifiedAt,
    Instant createdAt) {

  public boolean verified() {
    return verifiedAt != null;
  }
}
