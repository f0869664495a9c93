package io.tocsin.notify;

import java.util.Map;

/**
 * A channel that POSTs to a URL: the target must be an http or https URL, and one circuit breaker
 * guards each host.
 */
public abstract class HttpChannel implements Channel {

  @Override
  public final Map<String, String> validate(String target, Map<String, String> settings) {
    HttpDelivery.validUrl("target", target);
    return validSettings(settings);
  }

  /** The settings to store, checked; none by default. */
  protected Map<String, String> validSettings(Map<String, String> settings) {
    return Map.of();
  }

  @Override
  public String destinationHost(ContactMethod method) {
    return HttpDelivery.host(method.target());
  }
}
