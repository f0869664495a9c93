package io.tocsin.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One routing rule of an integration, as a person writes it (the API, configuration as code). An
 * alert that {@code match}es every matcher takes the rule's actions; the first rule that matches
 * ends the routing unless it says {@code continue}. Null means "not given".
 *
 * @param match Alertmanager's matchers on the alert's labels, on PagerDuty's and the generic
 *     format's {@code source}, {@code component}, {@code group} and {@code class}, and on {@code
 *     custom_details.<path>}; none matches every alert
 * @param service the service the alert goes to, by name or id
 * @param serviceFromLabel the label whose value names the service (a service's name or one of its
 *     aliases, in any case); when it names none, {@code service} if given, else the integration's
 *     own service
 * @param severity the severity the alert gets
 * @param severityMap the sender's severity word (its {@code severity}, else its {@code severity}
 *     label) to the severity the alert gets
 * @param setLabels labels added or overwritten
 * @param renameLabels labels renamed, old name to new
 * @param removeLabels labels removed
 * @param grouping how the alert groups into incidents, as an integration's grouping says it ({@code
 *     {"by":"labels","labels":["cluster"]}}); instead of the integration's
 * @param drop the alert is not stored and pages nobody; counted in {@code
 *     tocsin_alerts_dropped_total}
 * @param continueMatching the next rules are tried too, on the alert as this rule left it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteRule(
    @Nullable String name,
    @Nullable List<Match> match,
    @Nullable String service,
    @Nullable String serviceFromLabel,
    @Nullable String severity,
    @Nullable Map<String, String> severityMap,
    @Nullable Map<String, String> setLabels,
    @Nullable Map<String, String> renameLabels,
    @Nullable List<String> removeLabels,
    @Nullable GroupBy grouping,
    @Nullable Boolean drop,
    @JsonProperty("continue") @Nullable Boolean continueMatching) {

  /** A matcher: a label or field name, {@code =}, {@code !=}, {@code =~} or {@code !~}, a value. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Match(@Nullable String name, @Nullable String operator, @Nullable String value) {}

  /** A grouping as written: {@code by} one of service, dedup_key, labels, all. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record GroupBy(@Nullable String by, @Nullable List<String> labels) {}

  /** The same rule sending to {@code service} (an id or a name). */
  public RouteRule withService(@Nullable String service) {
    return new RouteRule(
        name,
        match,
        service,
        serviceFromLabel,
        severity,
        severityMap,
        setLabels,
        renameLabels,
        removeLabels,
        grouping,
        drop,
        continueMatching);
  }
}
