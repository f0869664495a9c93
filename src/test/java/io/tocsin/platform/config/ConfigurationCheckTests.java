package io.tocsin.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;

class ConfigurationCheckTests {

  private static final String GOOD_SECRET = "k3J9w0Qx8vT2mZ7pL4sN6yR1cB5hD0fG";
  private static final String POSTGRES = "jdbc:postgresql://db.internal:5432/tocsin";

  @TempDir Path dataDir;
  private MockEnvironment settings;

  @BeforeEach
  void defaults() {
    settings = new MockEnvironment().withProperty("tocsin.data-dir", dataDir.toString());
  }

  @Test
  void defaultDevelopmentSettingsHaveNoProblems() {
    assertThat(ConfigurationCheck.problems(settings)).isEmpty();
  }

  @Test
  void productionReportsEveryUnsafeSettingAtOnce() {
    settings
        .withProperty("tocsin.mode", "Production")
        .withProperty("tocsin.cors.allowed-origins", "*");

    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_DATABASE_URL (tocsin.database.url) is not set: production mode needs PostgreSQL"
                + " (the embedded database is for evaluation and single-node use)",
            "TOCSIN_SECRET_KEY (tocsin.secret-key) is not set: production mode needs a secret key"
                + " of at least 32 random characters (for example from 'openssl rand -base64 48')",
            "TOCSIN_CORS_ALLOWED_ORIGINS (tocsin.cors.allowed-origins) allows '*': production mode"
                + " needs the exact origins of the sites that call the API, such as"
                + " https://status.example.com");
  }

  @Test
  void aReadReplicaMustBeAPostgresUrlOfAPostgresPrimary() {
    settings.withProperty("tocsin.database.read-url", "jdbc:mysql://replica/tocsin?password=x");
    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_DATABASE_READ_URL (tocsin.database.read-url) is 'jdbc:mysql://replica/tocsin':"
                + " expected the PostgreSQL JDBC URL of a streaming replica");

    settings.withProperty("tocsin.database.read-url", "jdbc:postgresql://replica:5432/tocsin");
    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_DATABASE_READ_URL (tocsin.database.read-url) is set, but TOCSIN_DATABASE_URL"
                + " is not a PostgreSQL database: a replica is of a PostgreSQL primary");

    settings.withProperty("tocsin.database.url", POSTGRES);
    assertThat(ConfigurationCheck.problems(settings)).isEmpty();
  }

  @Test
  void productionRefusesTheEmbeddedDatabaseEvenWhenNamedExplicitly() {
    production().withProperty("tocsin.database.url", "jdbc:h2:file:./data/tocsin");

    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_DATABASE_URL (tocsin.database.url) points at the embedded H2 database:"
                + " production mode needs PostgreSQL (the embedded database is for evaluation and"
                + " single-node use)");
  }

  @Test
  void productionRefusesAShortSecretKeyWithoutQuotingIt() {
    production().withProperty("tocsin.secret-key", "hunter2hunter2");

    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_SECRET_KEY (tocsin.secret-key) is 14 characters long: it needs at least 32");
  }

  @Test
  void productionRefusesTheSecretKeyFromEnvExample() throws IOException {
    String example =
        Files.readAllLines(Path.of("deploy/compose/.env.example")).stream()
            .filter(line -> line.startsWith("TOCSIN_SECRET_KEY="))
            .findFirst()
            .orElseThrow()
            .substring("TOCSIN_SECRET_KEY=".length());
    production().withProperty("tocsin.secret-key", example);

    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_SECRET_KEY (tocsin.secret-key) is a published example value: generate a random"
                + " one, for example with 'openssl rand -base64 48'");
  }

  @Test
  void productionWithPostgresARandomKeyAndExactOriginsStarts() {
    production()
        .withProperty(
            "tocsin.cors.allowed-origins", "https://status.example.com, http://localhost:3000");

    assertThat(ConfigurationCheck.problems(settings)).isEmpty();
  }

  @Test
  void developmentAllowsAnyOrigin() {
    settings.withProperty("tocsin.cors.allowed-origins", "*");

    assertThat(ConfigurationCheck.problems(settings)).isEmpty();
  }

  @Test
  void unknownModeAndLogFormatNameTheAllowedValues() {
    settings.withProperty("tocsin.mode", "prod").withProperty("tocsin.log-format", "xml");

    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_MODE (tocsin.mode) is 'prod': allowed values are development, production",
            "TOCSIN_LOG_FORMAT (tocsin.log-format) is 'xml': allowed values are json, text");
  }

  @Test
  void aDatabaseUrlOfAnotherKindIsRefusedWithoutEchoingItsQuery() {
    settings.withProperty("tocsin.database.url", "jdbc:mysql://db/tocsin?password=s3cret");

    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_DATABASE_URL (tocsin.database.url) is 'jdbc:mysql://db/tocsin?…': expected a"
                + " PostgreSQL JDBC URL such as jdbc:postgresql://db.example.com:5432/tocsin");
  }

  @Test
  void anOriginWithAPathIsRefusedInAnyMode() {
    settings.withProperty("tocsin.cors.allowed-origins", "https://status.example.com/app");

    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_CORS_ALLOWED_ORIGINS (tocsin.cors.allowed-origins) contains"
                + " 'https://status.example.com/app': an origin is scheme://host[:port] with no"
                + " path, such as https://status.example.com");
  }

  @Test
  void trustedProxiesMustBeCidrRangesNotBareAddressesOrNames() {
    settings.withProperty(
        "tocsin.web.trusted-proxies", "10.0.0.0/8, 192.0.2.7, proxy.example.com/32, fd00::/8");

    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_WEB_TRUSTED_PROXIES (tocsin.web.trusted-proxies) contains '192.0.2.7':"
                + " expected an address range in CIDR notation, such as 10.0.0.0/8 or"
                + " 192.0.2.7/32",
            "TOCSIN_WEB_TRUSTED_PROXIES (tocsin.web.trusted-proxies) contains"
                + " 'proxy.example.com/32': expected an address range in CIDR notation, such as"
                + " 10.0.0.0/8 or 192.0.2.7/32");
  }

  @Test
  void theLongestTokenLifetimeMustBeAPositiveDuration() {
    settings.withProperty("tocsin.security.max-token-lifetime", "forever");

    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_SECURITY_MAX_TOKEN_LIFETIME (tocsin.security.max-token-lifetime) is"
                + " 'forever': expected a positive duration such as 90d or 720h, or nothing for no"
                + " limit");
    assertThat(
            ConfigurationCheck.problems(
                settings.withProperty("tocsin.security.max-token-lifetime", "90d")))
        .isEmpty();
  }

  @Test
  void aDataDirectoryThatCannotBeCreatedIsRefused() throws IOException {
    Path file = Files.createFile(dataDir.resolve("not-a-directory"));
    settings.withProperty("tocsin.data-dir", file.resolve("data").toString());

    assertThat(ConfigurationCheck.problems(settings))
        .singleElement()
        .asString()
        .startsWith(
            "TOCSIN_DATA_DIR (tocsin.data-dir) is '"
                + file.resolve("data")
                + "': it cannot be created");
  }

  @Test
  void badSettingsOfEveryModuleAreNamedTogether() {
    settings
        .withProperty("tocsin.database.pool-size", "many")
        .withProperty("tocsin.events.stale-after", "0s")
        .withProperty("tocsin.rate-limit.api-token-per-minute", "0")
        .withProperty("tocsin.admin.time-zone", "Mars/Olympus")
        .withProperty("tocsin.ingest.writers", "65")
        .withProperty("tocsin.ingest.max-body-size", "huge")
        .withProperty("tocsin.ingest.severity-mapping", "sev1=fatal")
        .withProperty("tocsin.email-in.port", "70000")
        .withProperty("tocsin.correlation.inference-window", "-1m")
        .withProperty("tocsin.escalation.poll-interval", "soon")
        .withProperty("tocsin.escalation.group-delay", "11m")
        .withProperty("tocsin.notify.workers", "0")
        .withProperty("tocsin.notify.retry-cap", "1s")
        .withProperty("tocsin.notify.allowed-destinations", "10.0.0/8")
        .withProperty("tocsin.smtp.security", "ssl")
        .withProperty("tocsin.smtp.port", "0");

    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_DATABASE_POOL_SIZE (tocsin.database.pool-size) is 'many': not a whole number",
            "TOCSIN_EVENTS_STALE_AFTER (tocsin.events.stale-after) is '0s': must be longer than 0",
            "TOCSIN_RATE_LIMIT_API_TOKEN_PER_MINUTE (tocsin.rate-limit.api-token-per-minute) is"
                + " '0': must be greater than or equal to 1",
            "TOCSIN_ADMIN_TIME_ZONE (tocsin.admin.time-zone) is 'Mars/Olympus': expected an IANA"
                + " time zone such as Europe/Berlin or UTC",
            "TOCSIN_INGEST_MAX_BODY_SIZE (tocsin.ingest.max-body-size) is 'huge': not a size such"
                + " as 512KB or 1MB",
            "TOCSIN_INGEST_WRITERS (tocsin.ingest.writers) is '65': must be less than or equal to"
                + " 64",
            "TOCSIN_SEVERITY_MAPPING (tocsin.ingest.severity-mapping) is 'sev1=fatal': 'fatal' is"
                + " not a valid TOCSIN_SEVERITY_MAPPING: allowed values are critical, error,"
                + " warning, info",
            "TOCSIN_EMAIL_IN_PORT (tocsin.email-in.port) is '70000': must be less than or equal"
                + " to 65535",
            "TOCSIN_CORRELATION_INFERENCE_WINDOW (tocsin.correlation.inference-window) is '-1m':"
                + " must be longer than 0",
            "TOCSIN_ESCALATION_POLL_INTERVAL (tocsin.escalation.poll-interval) is 'soon': not a"
                + " duration such as 500ms, 30s, 5m or 24h",
            "TOCSIN_ESCALATION_GROUP_DELAY (tocsin.escalation.group-delay) is '11m': must be"
                + " shorter than or equal to 10 minutes",
            "TOCSIN_NOTIFY_WORKERS (tocsin.notify.workers) is '0': must be greater than or equal"
                + " to 1",
            "TOCSIN_NOTIFY_RETRY_CAP (tocsin.notify.retry-cap) is PT1S: it must be at least"
                + " tocsin.notify.retry-base (PT2S)",
            "TOCSIN_NOTIFY_ALLOWED_DESTINATIONS (tocsin.notify.allowed-destinations) contains"
                + " '10.0.0/8': not an address range; write CIDR ranges such as 10.0.0.0/8 or"
                + " fd00::/8, separated by commas",
            "TOCSIN_SMTP_PORT (tocsin.smtp.port) is '0': must be greater than or equal to 1",
            "TOCSIN_SMTP_SECURITY (tocsin.smtp.security) is 'ssl': allowed values are starttls,"
                + " tls, none");
  }

  @Test
  void anEnvironmentVariableReachesItsSettingWithoutALineInApplicationProperties() {
    settings
        .getPropertySources()
        .addFirst(
            new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.of("TOCSIN_NOTIFY_BREAKER_OPEN_FOR", "0s")));

    assertThat(ConfigurationCheck.problems(settings))
        .containsExactly(
            "TOCSIN_NOTIFY_BREAKER_OPEN_FOR (tocsin.notify.breaker-open-for) is '0s': must be"
                + " longer than 0");
  }

  @Test
  void settingsAtTheEdgesOfEveryModulesLimitsHaveNoProblems() {
    settings
        .withProperty("tocsin.database.pool-size", "1")
        .withProperty("tocsin.events.stale-after", "2s")
        .withProperty("tocsin.rate-limit.api-token-per-minute", "1000000")
        .withProperty("tocsin.admin.time-zone", "America/New_York")
        .withProperty("tocsin.security.max-token-lifetime", "90d")
        .withProperty("tocsin.ingest.writers", "64")
        .withProperty("tocsin.ingest.max-body-size", "64KB")
        .withProperty("tocsin.ingest.resolve-timeout", "30d")
        .withProperty("tocsin.ingest.severity-mapping", "sev1=critical, sev2=error")
        .withProperty("tocsin.email-in.port", "2525")
        .withProperty("tocsin.correlation.inference-min-services", "2")
        .withProperty("tocsin.escalation.first-page-delay", "0s")
        .withProperty("tocsin.escalation.group-delay", "10m")
        .withProperty("tocsin.escalation.poll-interval", "20ms")
        .withProperty("tocsin.notify.workers", "1")
        .withProperty("tocsin.notify.retry-base", "100ms")
        .withProperty("tocsin.notify.retry-cap", "100ms")
        .withProperty("tocsin.notify.allowed-destinations", "127.0.0.0/8, ::1/128")
        .withProperty("tocsin.smtp.security", "TLS")
        .withProperty("tocsin.smtp.from", "tocsin@example.com");

    assertThat(ConfigurationCheck.problems(settings)).isEmpty();
  }

  private MockEnvironment production() {
    return settings
        .withProperty("tocsin.mode", "production")
        .withProperty("tocsin.database.url", POSTGRES)
        .withProperty("tocsin.secret-key", GOOD_SECRET);
  }
}
