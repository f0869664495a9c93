package io.tocsin.notify;

import java.util.Map;
import java.util.Set;

/**
 * A way of delivering messages. Each lives in a sub-package of its own and is found as a bean, so a
 * new one (SMS, voice) touches nothing else. Implementations must be thread-safe: each channel has
 * its own worker threads.
 */
public interface Channel {

  ChannelType type();

  /**
   * Checks a new contact method's target and settings and returns the settings to store, or throws
   * {@link io.tocsin.platform.InvalidInputException} naming what is wrong.
   */
  Map<String, String> validate(String target, Map<String, String> settings);

  /** Settings that are secrets: shown when the method is created, masked afterwards. */
  default Set<String> secretSettings() {
    return Set.of();
  }

  /**
   * Whether the target itself is a secret, as a chat tool's incoming-webhook URL is (whoever has it
   * can post): then it is stored encrypted like the secret settings.
   */
  default boolean secretTarget() {
    return false;
  }

  /**
   * Refuses, with an {@link io.tocsin.platform.InvalidInputException}, a stored method that may no
   * longer be sent to; nothing to check by default.
   */
  default void checkDestination(ContactMethod method) {}

  /**
   * What one circuit breaker guards: methods whose messages go to the same place have equal ones,
   * and only they share a breaker.
   */
  Destination destination(ContactMethod method);

  /**
   * A destination as circuit breakers know it. {@code key} tells destinations apart and is never
   * shown; {@code shown} names it in logs, the console and delivery records, so it must not carry
   * secrets such as a Slack URL's path.
   */
  record Destination(String key, String shown) {}

  /** Delivers one message. Must not throw: every failure is a {@link DeliveryResult}. */
  DeliveryResult deliver(Message message);
}
