package io.tocsin.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a sender wrote into an alert (links, images, PagerDuty's {@code custom_details}) as the
 * pages show it. Anyone with an integration key writes it, so a page follows only http and https
 * URLs: a {@code javascript:} link would run in a responder's browser. Templates call it as {@code
 * ${@sent.followable(url)}}.
 */
@Component("sent")
class SentContent {

  private final JsonMapper json;

  SentContent(JsonMapper json) {
    this.json = json;
  }

  /** Whether a page may link to or show {@code url}: an absolute http or https URL. */
  public boolean followable(@Nullable Object url) {
    if (url == null) {
      return false;
    }
    try {
      URI uri = url instanceof URI given ? given : new URI(url.toString().trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** Whether details read best as a list of names and values: a JSON object. */
  public boolean keyed(@Nullable Object details) {
    return details instanceof Map<?, ?>;
  }

  /** A value as text: itself when it is one, else indented JSON. */
  public String text(@Nullable Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    return json.writerWithDefaultPrettyPrinter().writeValueAsString(value);
  }
}
