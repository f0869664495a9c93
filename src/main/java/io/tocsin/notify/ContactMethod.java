package io.tocsin.notify;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A way to reach a person: an email address, or a URL with the channel's own settings (the
 * webhook's signing secret, ntfy's topic). Only verified methods carry pages. Secrets are plain
 * here; the database holds them encrypted.
 */
public record ContactMethod(
    UUID id,
    UUID userId,
    ChannelType type,
    String name,
    String target,
    Map<String, String> settings,
    @Nullable Instant verifiedAt,
    Instant createdAt,
    @Nullable String unreadable) {

  /**
   * False when this node cannot decrypt the method's stored secrets ({@code unreadable} says why):
   * the method is still listed, with placeholders for what cannot be read, and nothing is sent
   * through it.
   */
  public boolean readable() {
    return unreadable == null;
  }

  public boolean verified() {
    return verifiedAt != null;
  }
}
