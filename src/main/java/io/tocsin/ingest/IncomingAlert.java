package io.tocsin.ingest;

import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Severity;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * One alert as any wire format delivers it, before it is stored.
 *
 * <p>Times before 1970 are taken as not given: Go's zero time ({@code 0001-01-01T00:00:00Z}) is how
 * {@code amtool} and every sender built on Alertmanager's client say "not set", and Alertmanager
 * reads it so. Stored, it would make a firing alert look resolved since the year 1.
 *
 * @param labels identify the alert (its fingerprint) unless a {@code dedupKey} does
 * @param status firing or resolved; without one, an {@code endsAt} in the past means resolved and a
 *     future one is when the alert expires unless re-sent (Alertmanager API v2 semantics)
 * @param dedupKey the sender's own identity for the alert (PagerDuty, generic JSON)
 * @param summary the one line a responder reads; by default the {@code summary} annotation, then
 *     the {@code alertname} label
 * @param severity the sender's word for it, mapped to a {@link Severity}; by default the {@code
 *     severity} label
 * @param details structured context (PagerDuty's {@code custom_details}), stored as JSON
 * @param acknowledge the sender acknowledged the alert (PagerDuty's {@code acknowledge})
 */
public record IncomingAlert(
    Map<String, String> labels,
    Map<String, String> annotations,
    @Nullable Instant startsAt,
    @Nullable Instant endsAt,
    @Nullable String generatorUrl,
    @Nullable AlertStatus status,
    @Nullable String dedupKey,
    @Nullable String summary,
    @Nullable String severity,
    @Nullable String description,
    @Nullable Object details,
    List<Link> links,
    boolean acknowledge) {

  public IncomingAlert {
    startsAt = given(startsAt);
    endsAt = given(endsAt);
  }

  /** The time a sender gave, or null for none: the zero time and anything before 1970 are none. */
  public static @Nullable Instant given(@Nullable Instant time) {
    return time == null || time.isBefore(Instant.EPOCH) ? null : time;
  }

  /** A link a responder may follow from the alert: a dashboard, a runbook, a log search. */
  public record Link(URI href, @Nullable String text) {}

  /**
   * The alerts of a webhook notification's {@code alerts} array (none when it is missing), each
   * made by {@code toIncoming} with its index; an entry that is not an alert object is refused by
   * its place.
   */
  public static <T> List<IncomingAlert> eachOf(
      @Nullable List<T> alerts, BiFunction<T, Integer, IncomingAlert> toIncoming) {
    List<T> given = alerts == null ? List.of() : alerts;
    return IntStream.range(0, given.size())
        .mapToObj(
            i -> {
              T alert = given.get(i);
              if (alert == null) {
                throw new InvalidInputException("alerts[" + i + "]", "must be an alert object");
              }
              return toIncoming.apply(alert, i);
            })
        .toList();
  }

  /** An alert identified by its labels alone, as Prometheus and Alertmanager send them. */
  public static IncomingAlert labelled(
      Map<String, String> labels,
      Map<String, String> annotations,
      @Nullable Instant startsAt,
      @Nullable Instant endsAt,
      @Nullable String generatorUrl,
      @Nullable AlertStatus status) {
    return new IncomingAlert(
        labels,
        annotations,
        startsAt,
        endsAt,
        generatorUrl,
        status,
        null,
        null,
        null,
        null,
        null,
        List.of(),
        false);
  }

  /** The same alert with other labels. */
  IncomingAlert withLabels(Map<String, String> labels) {
    return new IncomingAlert(
        labels,
        annotations,
        startsAt,
        endsAt,
        generatorUrl,
        status,
        dedupKey,
        summary,
        severity,
        description,
        details,
        links,
        acknowledge);
  }

  /** The identity: the dedup key when the sender gave one, else the label set. */
  public Fingerprint fingerprint() {
    return dedupKey == null
        ? Fingerprint.of(labels)
        : Fingerprint.of(Map.of("dedup_key", dedupKey));
  }
}
