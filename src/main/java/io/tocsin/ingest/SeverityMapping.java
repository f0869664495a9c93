package io.tocsin.ingest;

import io.tocsin.platform.EnumText;
import io.tocsin.platform.Severity;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Translates what senders write for severity into the four canonical levels: the common words built
 * into {@link Severity}, plus an operator's own ({@code TOCSIN_SEVERITY_MAPPING}, e.g. {@code
 * sev1=critical,sev2=error}), which win over the built-in ones.
 */
@Component
public class SeverityMapping {

  private final Map<String, Severity> custom;

  SeverityMapping(IngestProperties settings) {
    this.custom = parse(settings.severityMapping());
  }

  /** The operator's words, or an exception naming the entry that is not {@code source=level}. */
  static Map<String, Severity> parse(String mapping) {
    Map<String, Severity> custom = new HashMap<>();
    for (String entry : mapping.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int equals = entry.indexOf('=');
      if (equals < 1) {
        throw new IllegalArgumentException(
            "TOCSIN_SEVERITY_MAPPING entry '" + entry.trim() + "' is not source=level");
      }
      custom.put(
          entry.substring(0, equals).trim().toLowerCase(Locale.ROOT),
          EnumText.parse(
              Severity.class, "TOCSIN_SEVERITY_MAPPING", entry.substring(equals + 1).trim()));
    }
    return custom;
  }

  /** The canonical level; {@link Severity#WARNING} for a missing or unknown value. */
  public Severity map(@Nullable String value) {
    if (value == null) {
      return Severity.WARNING;
    }
    Severity mapped = custom.get(value.trim().toLowerCase(Locale.ROOT));
    return mapped != null ? mapped : Severity.fromSender(value);
  }
}
