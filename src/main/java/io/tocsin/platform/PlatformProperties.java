package io.tocsin.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Server-wide settings. Every value here comes from an environment variable named in {@code
 * application.properties}; {@link io.tocsin.platform.config.ConfigurationCheck} has already
 * rejected bad values by the time this record is bound.
 */
@ConfigurationProperties("tocsin")
public record PlatformProperties(
    @DefaultValue("development") TocsinMode mode,
    @DefaultValue("./data") Path dataDir,
    @Nullable String secretKey,
    @DefaultValue List<String> previousSecretKeys,
    @DefaultValue Database database,
    @DefaultValue Cors cors) {

  /** Where the data lives, and how patiently the server waits for it. */
  public record Database(
      @Nullable String url,
      @Nullable String user,
      @Nullable String password,
      @DefaultValue("10") int poolSize,
      @DefaultValue("5s") Duration connectionTimeout,
      @DefaultValue("500ms") Duration retryInitialBackoff,
      @DefaultValue("30s") Duration retryMaxBackoff,
      @DefaultValue("5s") Duration probeInterval,
      @DefaultValue("100MB") DataSize minimumFreeDisk) {

    /** True when no external database is configured and the embedded H2 file database is used. */
    public boolean embedded() {
      return url == null || url.isBlank() || url.startsWith("jdbc:h2:");
    }
  }

  /** Which browser origins may call the API from another site. Empty means same-origin only. */
  public record Cors(@DefaultValue List<String> allowedOrigins) {}
}
