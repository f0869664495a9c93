package io.tocsin.platform;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long each kind of data is kept ({@code TOCSIN_RETENTION_*}, such as {@code 90d}); a kind
 * without a duration is kept for ever. What an open incident or a postmortem still needs is kept
 * whatever its age.
 *
 * @param alerts resolved alerts, counted from when they were last seen
 * @param incidents resolved incidents without a postmortem, with their timelines; for ever unless
 *     set
 * @param messages notifications that are over (delivered, cancelled, dead, summarized), with their
 *     delivery attempts
 * @param audit the audit trail
 * @param interval how often the sweep runs, on one node of the cluster
 * @param batchSize rows deleted per transaction: small, so that no lock is held for long
 */
@ConfigurationProperties("tocsin.retention")
public record RetentionProperties(
    @DefaultValue("90d") @Nullable Duration alerts,
    @Nullable Duration incidents,
    @DefaultValue("90d") @Nullable Duration messages,
    @DefaultValue("365d") @Nullable Duration audit,
    @DefaultValue("1h") Duration interval,
    @DefaultValue("500") int batchSize)
    implements CheckedSettings {

  /**
   * The longest window a replay of alert history reads: resolved alerts are kept at least that
   * long, so that a week's replay always finds its alerts.
   */
  public static final Duration REPLAY_WINDOW = Duration.ofDays(31);

  @Override
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (alerts != null && alerts.compareTo(REPLAY_WINDOW) < 0) {
      problems.add(
          CheckedSettings.name("tocsin.retention.alerts")
              + " is "
              + alerts.toDays()
              + " days: alerts are kept at least 31 days (31d), the longest replay window");
    }
    kinds()
        .forEach(
            (kind, keep) -> {
              if (keep.isPresent() && keep.get().compareTo(Duration.ofDays(1)) < 0) {
                problems.add(
                    CheckedSettings.name("tocsin.retention." + kind)
                        + " is "
                        + keep.get()
                        + ": keep data at least a day (1d), or leave it empty to keep it for ever");
              }
            });
    if (interval.compareTo(Duration.ofMinutes(1)) < 0) {
      problems.add(
          CheckedSettings.name("tocsin.retention.interval") + " must be at least a minute (1m)");
    }
    if (batchSize < 1 || batchSize > 10_000) {
      problems.add(
          CheckedSettings.name("tocsin.retention.batch-size") + " must be 1 to 10000 rows");
    }
    return problems;
  }

  /** Each kind and how long it is kept; empty for ever. */
  public Map<String, Optional<Duration>> kinds() {
    Map<String, Optional<Duration>> kinds = new LinkedHashMap<>();
    kinds.put("alerts", Optional.ofNullable(alerts));
    kinds.put("incidents", Optional.ofNullable(incidents));
    kinds.put("messages", Optional.ofNullable(messages));
    kinds.put("audit", Optional.ofNullable(audit));
    return kinds;
  }
}
