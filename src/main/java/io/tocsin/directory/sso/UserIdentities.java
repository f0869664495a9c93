package io.tocsin.directory.sso;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Which user each provider's subject is. */
@Repository
class UserIdentities {

  private final JdbcClient jdbc;

  UserIdentities(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  Optional<UUID> user(String provider, String subject) {
    return jdbc.sql(
            "SELECT user_id FROM directory_user_identity WHERE provider = :provider"
                + " AND subject = :subject")
        .param("provider", provider)
        .param("subject", subject)
        .query(UUID.class)
        .optional();
  }

  void link(String provider, String subject, UUID user, Instant now) {
    jdbc.sql(
            """
            INSERT INTO directory_user_identity
              (provider, subject, user_id, created_at, last_sign_in_at)
            VALUES (:provider, :subject, :user, :now, :now)
            """)
        .param("provider", provider)
        .param("subject", subject)
        .param("user", user)
        .param("now", now.atOffset(ZoneOffset.UTC))
        .update();
  }

  void signedIn(String provider, String subject, Instant now) {
    jdbc.sql(
            "UPDATE directory_user_identity SET last_sign_in_at = :now"
                + " WHERE provider = :provider AND subject = :subject")
        .param("provider", provider)
        .param("subject", subject)
        .param("now", now.atOffset(ZoneOffset.UTC))
        .update();
  }
}
