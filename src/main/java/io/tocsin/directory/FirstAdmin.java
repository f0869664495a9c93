package io.tocsin.directory;

import io.tocsin.platform.ConflictException;
import io.tocsin.platform.DatabaseReady;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.ServerSecret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * FirstAdmin makes sure a new installation gets an admin without any built-in password: from {@code
 * TOCSIN_ADMIN_EMAIL} and {@code TOCSIN_ADMIN_PASSWORD} when both are set, otherwise by logging a
 * setup token that {@code POST /api/v1/setup} accepts until the first admin exists.
 *
 * <p>The token is derived from the server secret, so every node of the installation accepts the
 * same one and nothing needs storing.
 */
@Component
class FirstAdmin {

  private static final Log log = LogFactory.getLog(FirstAdmin.class);

  private final UserService users;
  private final ServerSecret secret;
  private final @Nullable String email;
  private final @Nullable String password;
  private final String name;
  private final String timeZone;

  FirstAdmin(UserService users, ServerSecret secret, DirectoryProperties settings) {
    this.users = users;
    this.secret = secret;
    this.email = blankToNull(settings.admin().email());
    this.password = blankToNull(settings.admin().password());
    this.name = settings.admin().name();
    this.timeZone = settings.admin().timeZone();
  }

  @EventListener
  void onDatabaseReady(DatabaseReady ready) {
    if (users.anyAdmin()) {
      return;
    }
    if (email != null && password != null) {
      try {
        users.createFirstAdmin(name, email, password, timeZone);
        log.info("Created the first admin " + email + " from TOCSIN_ADMIN_EMAIL.");
        return;
      } catch (ConflictException e) {
        return;
      } catch (InvalidInputException e) {
        log.error(
            "TOCSIN_ADMIN_* cannot create the first admin: "
                + e.field()
                + " "
                + e.getMessage()
                + ". Falling back to the setup token.");
      }
    }
    log.warn(
        "No admin exists yet. Create the first one with: curl -X POST"
            + " http://<this server>/api/v1/setup -H 'Content-Type: application/json' -d"
            + " '{\"token\":\""
            + setupToken()
            + "\",\"name\":\"...\",\"email\":\"...\",\"password\":\"...\",\"timeZone\":\"UTC\"}'"
            + " (the token works until the first admin exists), or restart with"
            + " TOCSIN_ADMIN_EMAIL and TOCSIN_ADMIN_PASSWORD.");
  }

  /** Whether {@code candidate} is this installation's setup token, compared in constant time. */
  boolean isSetupToken(String candidate) {
    return MessageDigest.isEqual(
        setupToken().getBytes(StandardCharsets.UTF_8),
        candidate.trim().getBytes(StandardCharsets.UTF_8));
  }

  String setupToken() {
    return secret.sign("tocsin first-admin setup").substring(0, 32);
  }

  private static @Nullable String blankToNull(@Nullable String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
