package io.tocsin.notify;

import io.tocsin.platform.Digests;
import io.tocsin.platform.InvalidInputException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * A channel that POSTs to a URL: the target must be an http or https URL that {@link
 * DestinationPolicy} allows, and one circuit breaker guards each URL.
 */
public abstract class HttpChannel implements Channel {

  protected final HttpDelivery http;

  protected HttpChannel(HttpDelivery http) {
    this.http = http;
  }

  @Override
  public final Map<String, String> validate(String target, Map<String, String> settings) {
    http.allowedUrl("target", target);
    return validSettings(settings);
  }

  /** The settings to store, checked; none by default. */
  protected Map<String, String> validSettings(Map<String, String> settings) {
    return Map.of();
  }

  @Override
  public final void checkDestination(ContactMethod method) {
    http.allowedUrl("target", method.target());
  }

  /**
   * The whole URL: scheme, host, port and path. Shared endpoints (hooks.slack.com, a Teams host)
   * tell people apart by the path alone, and one person's failing URL must not hold back another's
   * messages to the same host. The path carries Slack's and Teams' secrets, so the breaker is named
   * by a digest of it and shown with a short one.
   */
  @Override
  public final Destination destination(ContactMethod method) {
    URI url;
    try {
      url = HttpDelivery.validUrl("target", method.target());
    } catch (InvalidInputException e) {
      // Stored before URLs were checked: its messages fail on their own, under a breaker of
      // their own.
      String digest = Digests.sha256(method.target());
      return new Destination(digest, "an invalid URL #" + digest.substring(0, 8));
    }
    String scheme = url.getScheme().toLowerCase(Locale.ROOT);
    int port = url.getPort() != -1 ? url.getPort() : scheme.equals("https") ? 443 : 80;
    String origin = scheme + "://" + url.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    String rest = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    if (rest.isEmpty() || rest.equals("/")) {
      return new Destination(origin, origin);
    }
    String digest = Digests.sha256(rest);
    return new Destination(origin + " " + digest, origin + " path#" + digest.substring(0, 8));
  }
}
