package io.tocsin.platform.config;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertyResolver;

/**
 * ConfigurationCheck reads every setting once, before any bean exists, and stops the start with one
 * message listing all problems. It runs right after logging is set up so that the message comes out
 * in the configured log format.
 *
 * <p>Besides the rules here, it checks every module's settings record ({@link SettingsRecords}).
 *
 * <p>Messages name the environment variable first (that is what operators set) and the Spring
 * property in parentheses, and quote the bad value unless it is a secret.
 */
public final class ConfigurationCheck
    implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

  static final int MINIMUM_SECRET_KEY_LENGTH = 32;

  /**
   * Values published in our own examples and in common tutorials. A server running with one of
   * these signs its tokens with a key that anybody can read.
   */
  static final Set<String> EXAMPLE_SECRET_KEYS =
      Set.of(
          "change-me-to-a-random-string-of-at-least-32-characters",
          "changeme-changeme-changeme-changeme",
          "0123456789abcdef0123456789abcdef",
          "00000000000000000000000000000000",
          "secretsecretsecretsecretsecretsecret",
          "please-change-this-secret-key-in-production");

  private static final Log log = LogFactory.getLog(ConfigurationCheck.class);

  @Override
  public int getOrder() {
    return LoggingApplicationListener.DEFAULT_ORDER + 1;
  }

  @Override
  public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
    List<String> problems = problems(event.getEnvironment());
    if (!problems.isEmpty()) {
      throw new InvalidConfigurationException(problems);
    }
  }

  /** Every problem with the given settings, in a stable order; empty when the server may start. */
  public static List<String> problems(Environment settings) {
    List<String> problems = new ArrayList<>();
    String modeText = value(settings, "tocsin.mode");
    boolean production = "production".equalsIgnoreCase(modeText);
    if (modeText != null && !production && !"development".equalsIgnoreCase(modeText)) {
      problems.add(
          name("TOCSIN_MODE", "tocsin.mode")
              + " is '"
              + modeText
              + "': allowed values are development, production");
    }
    String logFormat = value(settings, "tocsin.log-format");
    if (logFormat != null && !LogFormat.isKnown(logFormat)) {
      problems.add(
          name("TOCSIN_LOG_FORMAT", "tocsin.log-format")
              + " is '"
              + logFormat
              + "': allowed values are json, text");
    }

    String databaseUrl = value(settings, "tocsin.database.url");
    if (databaseUrl != null
        && !databaseUrl.startsWith("jdbc:postgresql:")
        && !databaseUrl.startsWith("jdbc:h2:")) {
      problems.add(
          name("TOCSIN_DATABASE_URL", "tocsin.database.url")
              + " is '"
              + withoutQuery(databaseUrl)
              + "': expected a PostgreSQL JDBC URL such as"
              + " jdbc:postgresql://db.example.com:5432/tocsin");
    } else if (production && (databaseUrl == null || databaseUrl.startsWith("jdbc:h2:"))) {
      problems.add(
          name("TOCSIN_DATABASE_URL", "tocsin.database.url")
              + (databaseUrl == null ? " is not set" : " points at the embedded H2 database")
              + ": production mode needs PostgreSQL (the embedded database is for evaluation and"
              + " single-node use)");
    }

    String secretKey = value(settings, "tocsin.secret-key");
    String secretProblem = secretKeyProblem(secretKey);
    if (secretProblem != null) {
      if (production) {
        problems.add(name("TOCSIN_SECRET_KEY", "tocsin.secret-key") + secretProblem);
      } else if (secretKey != null) {
        log.warn("TOCSIN_SECRET_KEY" + secretProblem + "; production mode would refuse to start");
      }
    }

    problems.addAll(corsProblems(value(settings, "tocsin.cors.allowed-origins"), production));
    problems.addAll(trustedProxyProblems(value(settings, "tocsin.web.trusted-proxies")));
    String tokenLifetime = value(settings, "tocsin.security.max-token-lifetime");
    if (tokenLifetime != null && !isPositiveDuration(tokenLifetime)) {
      problems.add(
          name("TOCSIN_SECURITY_MAX_TOKEN_LIFETIME", "tocsin.security.max-token-lifetime")
              + " is '"
              + tokenLifetime
              + "': expected a positive duration such as 90d or 720h, or nothing for no limit");
    }

    boolean needsDataDir = databaseUrl == null || secretKey == null;
    String dataDir = value(settings, "tocsin.data-dir");
    if (needsDataDir && dataDir != null) {
      String dataDirProblem = dataDirProblem(Path.of(dataDir));
      if (dataDirProblem != null) {
        problems.add(
            name("TOCSIN_DATA_DIR", "tocsin.data-dir")
                + " is '"
                + dataDir
                + "': "
                + dataDirProblem);
      }
    }
    // One problem per setting: a value the checks above refused is not reported again.
    for (String problem : SettingsRecords.problems(settings)) {
      String setting = problem.substring(0, Math.max(0, problem.indexOf(')') + 1));
      if (setting.isEmpty() || problems.stream().noneMatch(known -> known.startsWith(setting))) {
        problems.add(problem);
      }
    }
    return problems;
  }

  private static @Nullable String secretKeyProblem(@Nullable String secretKey) {
    if (secretKey == null) {
      return " is not set: production mode needs a secret key of at least "
          + MINIMUM_SECRET_KEY_LENGTH
          + " random characters (for example from 'openssl rand -base64 48')";
    }
    if (EXAMPLE_SECRET_KEYS.contains(secretKey)) {
      return " is a published example value: generate a random one, for example with"
          + " 'openssl rand -base64 48'";
    }
    if (secretKey.length() < MINIMUM_SECRET_KEY_LENGTH) {
      return " is "
          + secretKey.length()
          + " characters long: it needs at least "
          + MINIMUM_SECRET_KEY_LENGTH;
    }
    return null;
  }

  private static List<String> corsProblems(@Nullable String origins, boolean production) {
    if (origins == null) {
      return List.of();
    }
    List<String> problems = new ArrayList<>();
    String property = name("TOCSIN_CORS_ALLOWED_ORIGINS", "tocsin.cors.allowed-origins");
    for (String origin : Arrays.stream(origins.split(",")).map(String::trim).toList()) {
      if (origin.isEmpty()) {
        continue;
      }
      if (origin.equals("*")) {
        if (production) {
          problems.add(
              property
                  + " allows '*': production mode needs the exact origins of the sites that call"
                  + " the API, such as https://status.example.com");
        }
      } else if (!isOrigin(origin)) {
        problems.add(
            property
                + " contains '"
                + origin
                + "': an origin is scheme://host[:port] with no path, such as"
                + " https://status.example.com");
      }
    }
    return problems;
  }

  private static List<String> trustedProxyProblems(@Nullable String ranges) {
    if (ranges == null) {
      return List.of();
    }
    List<String> problems = new ArrayList<>();
    for (String range : Arrays.stream(ranges.split(",")).map(String::trim).toList()) {
      if (!range.isEmpty() && !isCidr(range)) {
        // Tomcat reads an entry without a slash as a regular expression, so a bare address is
        // refused rather than silently matched as a pattern.
        problems.add(
            name("TOCSIN_WEB_TRUSTED_PROXIES", "tocsin.web.trusted-proxies")
                + " contains '"
                + range
                + "': expected an address range in CIDR notation, such as 10.0.0.0/8 or"
                + " 192.0.2.7/32");
      }
    }
    return problems;
  }

  private static boolean isPositiveDuration(String text) {
    try {
      Duration duration = DurationStyle.detectAndParse(text);
      return !duration.isNegative() && !duration.isZero();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean isCidr(String range) {
    int slash = range.indexOf('/');
    if (slash < 0 || !range.substring(slash + 1).matches("[0-9]{1,3}")) {
      return false;
    }
    String address = range.substring(0, slash);
    int bits = Integer.parseInt(range.substring(slash + 1));
    if (address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
      return bits <= 32
          && Arrays.stream(address.split("\\.")).allMatch(part -> Integer.parseInt(part) <= 255);
    }
    // Only a literal with a colon reaches the parser, so no name is ever looked up.
    if (!address.contains(":") || !address.matches("[0-9A-Fa-f:.]+")) {
      return false;
    }
    try {
      return InetAddress.getByName(address) instanceof Inet6Address && bits <= 128;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean isOrigin(String origin) {
    try {
      URI uri = new URI(origin);
      String scheme = uri.getScheme();
      return scheme != null
          && (scheme.equals("http") || scheme.equals("https"))
          && uri.getHost() != null
          && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
          && uri.getRawQuery() == null
          && uri.getRawFragment() == null
          && uri.getRawUserInfo() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static @Nullable String dataDirProblem(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException | SecurityException e) {
      return "it cannot be created (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
    }
    if (!Files.isWritable(dataDir)) {
      return "it is not writable by this process";
    }
    return null;
  }

  private static @Nullable String value(PropertyResolver settings, String property) {
    String value = settings.getProperty(property);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static String withoutQuery(String url) {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query) + "?…";
  }

  private static String name(String environmentVariable, String property) {
    return environmentVariable + " (" + property + ")";
  }

  /** The two log formats; kept here because both this check and the logging setup read it. */
  enum LogFormat {
    JSON,
    TEXT;

    static boolean isKnown(String text) {
      return Arrays.stream(values()).anyMatch(f -> f.name().equalsIgnoreCase(text.trim()));
    }

    static LogFormat of(@Nullable String text) {
      return text == null || text.isBlank() ? JSON : valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
  }
}
