package io.tocsin.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.TocsinApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class StartupConfigurationTests {

  @Test
  void productionModeRefusesToStartWithOneMessageListingEveryProblemAndNoStackTrace(
      @TempDir Path dataDir, CapturedOutput output) {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(TocsinApplication.class)
                    .run(
                        "--tocsin.mode=production",
                        "--tocsin.log-format=text",
                        "--tocsin.data-dir=" + dataDir,
                        "--tocsin.database.url=",
                        "--tocsin.secret-key=short",
                        "--tocsin.cors.allowed-origins=*",
                        "--server.port=0"))
        .isInstanceOf(InvalidConfigurationException.class);

    assertThat(output.getOut())
        .contains("Tocsin cannot start: 3 configuration problems")
        .contains("  - TOCSIN_DATABASE_URL (tocsin.database.url) is not set")
        .contains("  - TOCSIN_SECRET_KEY (tocsin.secret-key) is 5 characters long")
        .contains("  - TOCSIN_CORS_ALLOWED_ORIGINS (tocsin.cors.allowed-origins) allows '*'")
        .doesNotContain("\tat ")
        .doesNotContain("Exception:");
  }

  @Test
  void badSettingsOfSeveralModulesStopTheStartInTheSameOneMessage(
      @TempDir Path dataDir, CapturedOutput output) {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(TocsinApplication.class)
                    .run(
                        "--tocsin.log-format=text",
                        "--tocsin.data-dir=" + dataDir,
                        "--tocsin.rate-limit.api-token-per-minute=0",
                        "--tocsin.ingest.max-body-size=huge",
                        "--tocsin.escalation.poll-interval=soon",
                        "--tocsin.notify.workers=65",
                        "--server.port=0"))
        .isInstanceOf(InvalidConfigurationException.class);

    assertThat(output.getOut())
        .contains("Tocsin cannot start: 4 configuration problems")
        .contains(
            "  - TOCSIN_RATE_LIMIT_API_TOKEN_PER_MINUTE (tocsin.rate-limit.api-token-per-minute)"
                + " is '0': must be greater than or equal to 1")
        .contains(
            "  - TOCSIN_INGEST_MAX_BODY_SIZE (tocsin.ingest.max-body-size) is 'huge': not a size"
                + " such as 512KB or 1MB")
        .contains(
            "  - TOCSIN_ESCALATION_POLL_INTERVAL (tocsin.escalation.poll-interval) is 'soon': not"
                + " a duration such as 500ms, 30s, 5m or 24h")
        .contains(
            "  - TOCSIN_NOTIFY_WORKERS (tocsin.notify.workers) is '65': must be less than or equal"
                + " to 64")
        .doesNotContain("\tat ");
  }

  @Test
  void developmentModeGeneratesTheSecretKeyOnceAndKeepsItPrivate(@TempDir Path dataDir)
      throws IOException {
    Path file = dataDir.resolve(PlatformConfiguration.SECRET_KEY_FILE);

    String first = PlatformConfiguration.readOrCreate(file);
    String second = PlatformConfiguration.readOrCreate(file);

    assertThat(first).hasSizeGreaterThanOrEqualTo(ConfigurationCheck.MINIMUM_SECRET_KEY_LENGTH);
    assertThat(second).isEqualTo(first);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }
}
