package io.tocsin.ingest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.tocsin.directory.integration.Grouping;
import io.tocsin.platform.Severity;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One change to one stored alert, as {@link AlertsChanged} reports it. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = AlertChange.AlertFired.class, name = "fired"),
  @JsonSubTypes.Type(value = AlertChange.AlertRefreshed.class, name = "refreshed"),
  @JsonSubTypes.Type(value = AlertChange.AlertAcknowledged.class, name = "acknowledged"),
  @JsonSubTypes.Type(value = AlertChange.AlertResolved.class, name = "resolved")
})
public sealed interface AlertChange {

  /** The stored occurrence. */
  UUID alertId();

  UUID serviceId();

  String fingerprint();

  /**
   * A new occurrence: nothing with this fingerprint was firing for the integration, or {@code
   * previousOccurrence} was ended to start this one because the incident it was on was resolved
   * while it still fired (see {@link AlertIngestion#renew}). {@code dedupKey} is the sender's own
   * identity of the alert, when it gave one (PagerDuty, generic JSON); {@code grouping} the one a
   * routing rule gave it, instead of its integration's.
   *
   * <p>No annotations: nothing that correlates reads them (the summary is taken out already), and
   * each batch's changes are written as its publication, up to a thousand alerts at a time. A
   * publication written before they were left out still reads.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record AlertFired(
      UUID alertId,
      UUID integrationId,
      UUID serviceId,
      String fingerprint,
      Severity severity,
      String summary,
      Map<String, String> labels,
      Instant startsAt,
      @Nullable Instant endsAt,
      @Nullable String dedupKey,
      @Nullable UUID previousOccurrence,
      @Nullable Grouping grouping)
      implements AlertChange {}

  /** A repeat of a firing alert; severity and summary may have changed. */
  record AlertRefreshed(
      UUID alertId,
      UUID serviceId,
      String fingerprint,
      Severity severity,
      String summary,
      int timesSeen,
      Instant lastSeenAt)
      implements AlertChange {}

  /** The sender acknowledged the alert (PagerDuty's {@code acknowledge}); it keeps firing. */
  record AlertAcknowledged(UUID alertId, UUID serviceId, String fingerprint, Instant at)
      implements AlertChange {}

  /** The occurrence ended: resolved by its sender, or its {@code endsAt} passed unrefreshed. */
  record AlertResolved(UUID alertId, UUID serviceId, String fingerprint, Instant endsAt)
      implements AlertChange {}
}
