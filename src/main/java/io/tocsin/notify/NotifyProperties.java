package io.tocsin.notify;

import io.tocsin.platform.CheckedSettings;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of notification delivery. The SMTP server's are {@code tocsin.smtp.*}, in the email
 * channel.
 *
 * @param workers delivery threads per channel on each node
 * @param batchSize messages one thread claims at a time
 * @param pollInterval how often an idle thread looks for due messages
 * @param lease how long a claimed message is a thread's before another node may take it over
 * @param breakerOpenFor how long a failing destination's circuit breaker stays open
 * @param rateLimit at most this many pages per person and channel within {@code rateLimitWindow};
 *     the rest go in one summary
 * @param retryBase the first wait after a failed delivery; it doubles up to {@code retryCap}
 * @param giveUpAfter how long a message is retried before it becomes a dead letter
 * @param httpTimeout how long a webhook, Slack, Teams or ntfy delivery may take
 * @param actionLinkLifetime how long the acknowledge/resolve/escalate links in a message work
 * @param allowedDestinations CIDR ranges of private addresses that webhook, Slack, Teams and ntfy
 *     methods may post to; none by default, so a responder cannot point a method at Tocsin's own
 *     network
 */
@ConfigurationProperties("tocsin.notify")
public record NotifyProperties(
    @DefaultValue("4") @Min(1) @Max(64) int workers,
    @DefaultValue("2") @Min(1) @Max(1000) int batchSize,
    @DefaultValue("1s") @DurationMin(nanos = 0, inclusive = false) @DurationMax(minutes = 1)
        Duration pollInterval,
    @DefaultValue("2m") @DurationMin(nanos = 0, inclusive = false) Duration lease,
    @DefaultValue("30s") @DurationMin(nanos = 0, inclusive = false) Duration breakerOpenFor,
    @DefaultValue("5") @Min(1) int rateLimit,
    @DefaultValue("1m") @DurationMin(nanos = 0, inclusive = false) Duration rateLimitWindow,
    @DefaultValue("2s") @DurationMin(nanos = 0, inclusive = false) Duration retryBase,
    @DefaultValue("5m") Duration retryCap,
    @DefaultValue("24h") @DurationMin(nanos = 0, inclusive = false) @DurationMax(days = 30)
        Duration giveUpAfter,
    @DefaultValue("10s") @DurationMin(nanos = 0, inclusive = false) @DurationMax(minutes = 5)
        Duration httpTimeout,
    @DefaultValue("24h") @DurationMin(nanos = 0, inclusive = false) @DurationMax(days = 30)
        Duration actionLinkLifetime,
    @DefaultValue("") String allowedDestinations)
    implements CheckedSettings {

  @Override
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (retryCap.compareTo(retryBase) < 0) {
      problems.add(
          CheckedSettings.name("tocsin.notify.retry-cap")
              + " is "
              + retryCap
              + ": it must be at least tocsin.notify.retry-base ("
              + retryBase
              + ")");
    }
    for (String part : allowedDestinations.split(",")) {
      String range = part.trim();
      try {
        if (!range.isEmpty()) {
          DestinationPolicy.Range.parse(range);
        }
      } catch (IllegalArgumentException e) {
        problems.add(
            CheckedSettings.name(DestinationPolicy.SETTING)
                + " contains '"
                + range
                + "': not an address range; write CIDR ranges such as 10.0.0.0/8 or fd00::/8,"
                + " separated by commas");
      }
    }
    return problems;
  }
}
