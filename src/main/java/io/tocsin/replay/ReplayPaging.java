package io.tocsin.replay;

import io.tocsin.directory.User;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.NotificationRules.Urgency;
import io.tocsin.oncall.EscalationPolicies.Policy;
import io.tocsin.oncall.EscalationPolicies.ResolvedTarget;
import io.tocsin.oncall.EscalationPolicies.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * How a replay pages, as the configuration it runs under says: the escalation policy of each
 * service, who each target is at an instant, how long the first page waits, and when each person's
 * rules send a page through which channel.
 */
interface ReplayPaging {

  Optional<Policy> policyOf(UUID serviceId);

  /** Resolves targets as of {@code at}. */
  Function<Target, ResolvedTarget> resolverAt(Instant at);

  /** How long the first page of a new incident of the service waits (its hold, or none). */
  Duration firstPageWait(UUID serviceId);

  /**
   * The people who follow the service's incidents without being paged (subscribers, and the members
   * of subscribed teams): each hears of an incident opening and resolving through the first of
   * their low-urgency steps.
   */
  List<User> subscribersOf(UUID serviceId);

  /** The person's verified steps for pages of this urgency, in order. */
  List<Step> steps(User person, Urgency urgency);

  /** At most this many messages per person and channel within {@link #rateWindow()}. */
  int rateLimit();

  Duration rateWindow();

  /** A page's message through a channel, {@code delay} after the page. */
  record Step(ChannelType channel, Duration delay) {}
}
