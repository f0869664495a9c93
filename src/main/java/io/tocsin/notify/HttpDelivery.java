package io.tocsin.notify;

import io.tocsin.platform.InvalidInputException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * POSTs for the HTTP channels, and what their answers mean: 2xx delivered; 408, 429 and 5xx worth
 * another try (with the {@code Retry-After} the server asked for); any other 4xx permanent; a
 * timeout or a refused connection worth another try.
 */
@Component
public class HttpDelivery {

  private static final int SNIPPET = 200;

  private final HttpClient client;
  private final Duration timeout;
  private final Clock clock;

  HttpDelivery(@Value("${tocsin.notify.http-timeout:10s}") Duration timeout, Clock clock) {
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.timeout = timeout;
    this.clock = clock;
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

  /** The host of a URL, for its circuit breaker. */
  public static String host(String url) {
    String host = URI.create(url).getHost();
    return host == null ? url : host.toLowerCase(Locale.ROOT);
  }

  public DeliveryResult post(
      URI uri, String contentType, String body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", contentType)
            .header("User-Agent", "Tocsin")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    try {
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      int status = response.statusCode();
      String detail = "HTTP " + status + snippet(response.body());
      if (status >= 200 && status < 300) {
        return new DeliveryResult.Delivered("HTTP " + status);
      }
      if (status == 408 || status == 429 || status >= 500) {
        return new DeliveryResult.Retryable(
            detail, retryAfter(response.headers().firstValue("Retry-After").orElse(null)));
      }
      return new DeliveryResult.Permanent(detail);
    } catch (HttpTimeoutException e) {
      return new DeliveryResult.Retryable("no answer within " + timeout.toSeconds() + " s", null);
    } catch (IOException e) {
      return new DeliveryResult.Retryable(
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
          null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new DeliveryResult.Retryable("interrupted", null);
    }
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

  private static String snippet(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String line = body.strip().replaceAll("\\s+", " ");
    return ": " + (line.length() > SNIPPET ? line.substring(0, SNIPPET) + "…" : line);
  }
}
