package io.tocsin.platform.config;

import io.tocsin.platform.PlatformProperties;
import io.tocsin.platform.SecretCipher;
import io.tocsin.platform.ServerSecret;
import io.tocsin.platform.TimeOrderedIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.IdGenerator;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

/**
 * The clock, the id generator, the server secret and the cipher of stored secrets that every module
 * may inject.
 */
@Configuration(proxyBeanMethods = false)
class PlatformConfiguration {

  static final String SECRET_KEY_FILE = "secret.key";
  private static final Log log = LogFactory.getLog(PlatformConfiguration.class);

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /**
   * The one Bean Validation validator of the process: the settings check built it before any bean
   * existed, and request bodies are validated with it too, instead of Hibernate Validator
   * bootstrapping a second time while the context starts. Its messages are English, as the rest of
   * the API's problem details are.
   */
  @Bean
  SpringValidatorAdapter defaultValidator() {
    return new SpringValidatorAdapter(SettingsRecords.validator());
  }

  @Bean
  IdGenerator idGenerator(Clock clock) {
    return new TimeOrderedIds(clock);
  }

  @Bean
  ServerSecret serverSecret(PlatformProperties properties) {
    String configured = properties.secretKey();
    String current =
        configured != null && !configured.isBlank()
            ? configured.trim()
            : readOrCreate(properties.dataDir().resolve(SECRET_KEY_FILE));
    return new ServerSecret(current, properties.previousSecretKeys());
  }

  /**
   * The cipher of stored secrets: it writes under the current server secret and still reads what
   * was written under the previous ones, until the startup rewrite has moved every value over.
   */
  @Bean
  SecretCipher secretCipher(ServerSecret current) {
    return new SecretCipher(current, current.previous());
  }

  /**
   * Reads the generated key, or creates it on first start. Created with CREATE_NEW so that two
   * processes starting on the same data directory agree on one key.
   */
  static String readOrCreate(Path file) {
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      byte[] random = new byte[48];
      new SecureRandom().nextBytes(random);
      String key = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      try {
        Files.writeString(file, key + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
      } catch (FileAlreadyExistsException e) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      restrictToOwner(file);
      log.info(
          "Generated a secret key in "
              + file.toAbsolutePath()
              + ". Set TOCSIN_SECRET_KEY to share one key between nodes.");
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or create the secret key file " + file, e);
    }
  }

  private static void restrictToOwner(Path file) throws IOException {
    if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }
}
