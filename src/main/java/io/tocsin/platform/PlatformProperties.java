package io.tocsin.platform;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Server-wide settings. {@link io.tocsin.platform.config.ConfigurationCheck} has already rejected
 * bad values by the time this record is bound.
 *
 * @param publicUrl the address people open Tocsin at, the base of the links in messages; empty
 *     means this node on localhost
 */
@ConfigurationProperties("tocsin")
public record PlatformProperties(
    @DefaultValue("development") TocsinMode mode,
    @DefaultValue("./data") Path dataDir,
    @Nullable String secretKey,
    @DefaultValue List<String> previousSecretKeys,
    @DefaultValue("") String publicUrl,
    @DefaultValue @Valid Database database,
    @DefaultValue Cors cors,
    @DefaultValue @Valid Events events)
    implements CheckedSettings {

  @Override
  public List<String> problems() {
    List<String> problems = new ArrayList<>(events.problems());
    String readUrl = database.readUrl();
    if (readUrl != null && !readUrl.isBlank()) {
      if (!readUrl.startsWith("jdbc:postgresql:")) {
        problems.add(
            CheckedSettings.name("tocsin.database.read-url")
                + " is '"
                + readUrl.replaceAll("\\?.*", "")
                + "': expected the PostgreSQL JDBC URL of a streaming replica");
      } else if (database.embedded()) {
        problems.add(
            CheckedSettings.name("tocsin.database.read-url")
                + " is set, but TOCSIN_DATABASE_URL is not a PostgreSQL database: a replica is"
                + " of a PostgreSQL primary");
      }
    }
    return problems;
  }

  /** Where the data lives, and how patiently the server waits for it. */
  public record Database(
      @Nullable String url,
      @Nullable String readUrl,
      @Nullable String user,
      @Nullable String password,
      @DefaultValue("10") @Min(1) @Max(1000) int poolSize,
      @DefaultValue("5s") @DurationMin(nanos = 0, inclusive = false) Duration connectionTimeout,
      @DefaultValue("500ms") @DurationMin(nanos = 0, inclusive = false)
          Duration retryInitialBackoff,
      @DefaultValue("30s") @DurationMin(nanos = 0, inclusive = false) Duration retryMaxBackoff,
      @DefaultValue("5s") @DurationMin(nanos = 0, inclusive = false) Duration probeInterval,
      @DefaultValue("100MB") DataSize minimumFreeDisk,
      @DefaultValue("15s") @DurationMin(nanos = 0, inclusive = false) Duration upkeepInterval) {

    /** True when no external database is configured and the embedded H2 file database is used. */
    public boolean embedded() {
      return url == null || url.isBlank() || url.startsWith("jdbc:h2:");
    }
  }

  /** Which browser origins may call the API from another site. Empty means same-origin only. */
  public record Cors(@DefaultValue List<String> allowedOrigins) {}

  /**
   * Durable events between modules: how often a listener may fail on one publication before it is
   * dead, the wait after a failure (doubling up to the longest), when an unfinished one is handed
   * over again, and how often each node looks for those due (read by its {@code @Scheduled}).
   */
  public record Events(
      @DefaultValue("10") int maxAttempts,
      @DefaultValue("15s") Duration retryBackoff,
      @DefaultValue("10m") Duration retryMaxBackoff,
      @DefaultValue("1m") @DurationMin(nanos = 0, inclusive = false) Duration staleAfter,
      @DefaultValue("15s") @DurationMin(nanos = 0, inclusive = false) @DurationMax(hours = 1)
          Duration redeliveryInterval) {

    List<String> problems() {
      return retryProblems(maxAttempts, retryBackoff, retryMaxBackoff);
    }

    /** The retry settings' problems; empty when listeners can be retried with them. */
    public static List<String> retryProblems(
        int maxAttempts, Duration backoff, Duration maxBackoff) {
      List<String> problems = new ArrayList<>();
      if (maxAttempts < 1) {
        problems.add(
            CheckedSettings.name("tocsin.events.max-attempts")
                + " is "
                + maxAttempts
                + ": a listener needs at least 1 attempt");
      }
      if (backoff.isNegative() || backoff.isZero()) {
        problems.add(
            CheckedSettings.name("tocsin.events.retry-backoff")
                + " is "
                + backoff
                + ": it must be longer than zero");
      }
      if (maxBackoff.compareTo(backoff) < 0) {
        problems.add(
            CheckedSettings.name("tocsin.events.retry-max-backoff")
                + " is "
                + maxBackoff
                + ": it must be at least tocsin.events.retry-backoff ("
                + backoff
                + ")");
      }
      return problems;
    }
  }
}
