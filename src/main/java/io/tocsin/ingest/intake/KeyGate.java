package io.tocsin.ingest.intake;

import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.integration.IntegrationService.KeyCheck;
import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Admits an ingestion request by its integration key: an unknown key is 401, a key of another kind
 * of integration 403, and a key over its rate limit 503 with {@code Retry-After}. Never 429:
 * Alertmanager and Prometheus drop alerts answered with any 4xx, and a storm must be slowed, not
 * lost.
 */
@Component
public class KeyGate {

  private final IntegrationService integrations;

  KeyGate(IntegrationService integrations) {
    this.integrations = integrations;
  }

  public KeyOwner admit(@Nullable String key, IntegrationKind expected) {
    return admit(key, EnumSet.of(expected));
  }

  /** Admits a key of any of these kinds. */
  public KeyOwner admit(@Nullable String key, Set<IntegrationKind> kinds) {
    return admit(
        key == null || key.isBlank() ? new KeyCheck.Unknown() : integrations.check(key), kinds);
  }

  /** Admits a key already checked, by the answer its check gave. */
  KeyOwner admit(KeyCheck check, Set<IntegrationKind> kinds) {
    if (check instanceof KeyCheck.Unknown) {
      IngestRefusal refused =
          new IngestRefusal(
              HttpStatus.UNAUTHORIZED,
              "integration-key-unknown",
              "Send a valid integration key: as a bearer token or the basic-auth password, or"
                  + " where the format puts it (PagerDuty's routing_key, the heartbeat URL).");
      refused.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"tocsin-ingest\"");
      throw refused;
    }
    KeyOwner owner =
        check instanceof KeyCheck.Accepted accepted
            ? accepted.owner()
            : ((KeyCheck.Limited) check).owner();
    if (!kinds.contains(owner.kind())) {
      throw new IngestRefusal(
          HttpStatus.FORBIDDEN,
          "integration-kind-mismatch",
          "This key belongs to an integration of another kind; this endpoint takes "
              + kinds.stream()
                  .map(kind -> kind.name().toLowerCase(Locale.ROOT))
                  .collect(Collectors.joining(" or "))
              + " keys.");
    }
    if (check instanceof KeyCheck.Limited limited) {
      long seconds = Math.max(1, (limited.retryAfter().toMillis() + 999) / 1000);
      IngestRefusal refused =
          new IngestRefusal(
              HttpStatus.SERVICE_UNAVAILABLE,
              "integration-rate-limited",
              "This integration key is over its rate limit; retry after " + seconds + " s.");
      refused.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
      throw refused;
    }
    return owner;
  }
}
