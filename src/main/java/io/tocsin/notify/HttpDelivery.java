package io.tocsin.notify;

import io.tocsin.platform.InvalidInputException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SchemePortResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.io.HttpClientConnectionOperator;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.impl.EnglishReasonPhraseCatalog;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * POSTs for the HTTP channels, and what their answers mean: 2xx delivered; 408, 429 and 5xx worth
 * another try (with the {@code Retry-After} the server asked for); any other 4xx permanent; a
 * timeout or a refused connection worth another try; an address that {@link DestinationPolicy}
 * forbids permanent.
 *
 * <p>A delivery's record reaches the person who chose the URL, so it says only the status code and
 * its standard reason phrase, or one of a few fixed words for a connection that failed: never the
 * body or the server's own reason phrase, and never an exception's text, which would let a
 * responder read internal services or tell a closed port from a filtered one.
 *
 * <p>Apache HttpClient rather than the JDK's client: the check on private addresses sits in the
 * socket it connects, on the very address it connects to after name resolution, while TLS still
 * verifies and sends (SNI) the host name.
 */
@Component
public class HttpDelivery implements AutoCloseable {

  private final CloseableHttpClient client;
  private final Duration timeout;
  private final Clock clock;
  private final DestinationPolicy policy;

  HttpDelivery(
      NotifyProperties settings, Clock clock, DestinationPolicy policy, HostResolver resolver) {
    this.timeout = settings.httpTimeout();
    this.clock = clock;
    this.policy = policy;
    PoolingHttpClientConnectionManagerBuilder connections =
        new PoolingHttpClientConnectionManagerBuilder() {
          @Override
          protected HttpClientConnectionOperator createConnectionOperator(
              SchemePortResolver ports, DnsResolver dns, TlsSocketStrategy tls) {
            return new DefaultHttpClientConnectionOperator(
                proxy -> new GuardedSocket(proxy, policy),
                ports,
                dns,
                RegistryBuilder.<TlsSocketStrategy>create()
                    .register(URIScheme.HTTPS.id, tls)
                    .build());
          }
        };
    connections
        .setDnsResolver(new Names(resolver))
        .setMaxConnTotal(100)
        .setMaxConnPerRoute(20)
        .setDefaultConnectionConfig(
            ConnectionConfig.custom()
                .setConnectTimeout(Timeout.ofSeconds(5))
                .setSocketTimeout(Timeout.of(timeout))
                .setTimeToLive(TimeValue.ofMinutes(1))
                .build());
    this.client =
        HttpClients.custom()
            .setConnectionManager(connections.build())
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setRedirectsEnabled(false)
                    .setResponseTimeout(Timeout.of(timeout))
                    .setConnectionRequestTimeout(Timeout.of(timeout))
                    .build())
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableAuthCaching()
            .disableContentCompression()
            .evictIdleConnections(TimeValue.ofSeconds(30))
            .build();
  }

  /** A URL a contact method may post to: absolute http or https, with a host. */
  public static URI validUrl(String field, String text) {
    try {
      URI uri = new URI(text.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw new InvalidInputException(field, "must be an http or https URL");
      }
      return uri;
    } catch (java.net.URISyntaxException e) {
      throw new InvalidInputException(field, "must be an http or https URL");
    }
  }

  /**
   * A {@link #validUrl} whose host is not, and does not resolve to, an address that {@link
   * DestinationPolicy} forbids; refused naming {@code field}.
   */
  public URI allowedUrl(String field, String text) {
    URI url = validUrl(field, text);
    policy.check(field, url);
    return url;
  }

  public DeliveryResult post(
      URI uri, String contentType, String body, Map<String, String> headers) {
    HttpPost request = new HttpPost(uri);
    request.setHeader("User-Agent", "Tocsin");
    headers.forEach(request::setHeader);
    request.setEntity(
        new ByteArrayEntity(
            body.getBytes(StandardCharsets.UTF_8), ContentType.create(contentType)));
    // The timeouts bound each wait; this bounds the whole exchange, so a server that answers one
    // byte at a time cannot hold a delivery thread.
    AtomicBoolean late = new AtomicBoolean();
    CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              if (!request.isCancelled()) {
                late.set(true);
                request.cancel();
              }
            });
    try {
      return client.execute(
          request,
          response -> {
            int status = response.getCode();
            String detail = "HTTP " + status + reason(status);
            if (status >= 200 && status < 300) {
              return new DeliveryResult.Delivered(detail);
            }
            if (status == 408 || status == 429 || status >= 500) {
              Header retryAfter = response.getFirstHeader("Retry-After");
              return new DeliveryResult.Retryable(
                  detail, retryAfter(retryAfter == null ? null : retryAfter.getValue()));
            }
            return new DeliveryResult.Permanent(detail);
          });
    } catch (IOException e) {
      return failed(e, late.get());
    } finally {
      request.cancel();
    }
  }

  /** A fixed account of a failed connection: a few words, never the exception's own text. */
  private DeliveryResult failed(IOException e, boolean late) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof RefusedDestination) {
        return new DeliveryResult.Permanent(DestinationPolicy.REFUSED);
      }
    }
    String reason;
    if (late || e instanceof InterruptedIOException) {
      // Connect, read and whole-exchange timeouts alike.
      reason = "timed out: no answer within " + timeout.toSeconds() + " s";
    } else if (e instanceof UnknownHostException) {
      reason = "host not found";
    } else if (e instanceof SSLException) {
      reason = "TLS failure";
    } else if (e instanceof NoRouteToHostException
        || String.valueOf(e.getMessage()).contains("unreachable")) {
      reason = "unreachable";
    } else if (e instanceof ConnectException) {
      reason = "connection refused";
    } else {
      reason = "connection failed";
    }
    return new DeliveryResult.Retryable(reason, null);
  }

  private static String reason(int status) {
    String phrase = EnglishReasonPhraseCatalog.INSTANCE.getReason(status, Locale.ENGLISH);
    return phrase == null ? "" : " " + phrase;
  }

  /** {@code Retry-After} as seconds or as an HTTP date; nothing when absent or unreadable. */
  @Nullable Duration retryAfter(@Nullable String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim();
    if (value.chars().allMatch(Character::isDigit) && value.length() < 10) {
      return Duration.ofSeconds(Long.parseLong(value));
    }
    try {
      Duration until =
          Duration.between(
              clock.instant(),
              ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      return until.isNegative() ? Duration.ZERO : until;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @Override
  public void close() throws IOException {
    client.close();
  }

  /** Names resolved by the {@link HostResolver}, so that a test can play a rebinding server. */
  private record Names(HostResolver resolver) implements DnsResolver {

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
      return resolver.resolve(DestinationPolicy.unbracketed(host));
    }

    @Override
    public String resolveCanonicalHostname(String host) {
      return host;
    }
  }

  /**
   * A socket that connects only to addresses the policy permits. It sees the address after name
   * resolution, whatever the URL said, so neither DNS rebinding nor a numeric trick gets past it.
   */
  private static final class GuardedSocket extends Socket {

    private final DestinationPolicy policy;

    GuardedSocket(@Nullable Proxy proxy, DestinationPolicy policy) {
      super(proxy == null ? Proxy.NO_PROXY : proxy);
      this.policy = policy;
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (!(endpoint instanceof InetSocketAddress address)
          || address.getAddress() == null
          || !policy.permits(address.getAddress())) {
        throw new RefusedDestination();
      }
      super.connect(endpoint, timeout);
    }
  }

  /** A destination the policy forbids, found when connecting. */
  private static final class RefusedDestination extends IOException {
    RefusedDestination() {
      super(DestinationPolicy.REFUSED, null);
    }
  }
}
