package io.tocsin.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.testing.BothDatabasesTests;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Lower-case enum columns are guarded by CHECK constraints that must hold from any connection, not
 * only from the one that ran the migration (an H2 2.4 regression broke exactly that). The data
 * source here opens a new connection for every statement.
 */
class CheckConstraintIntegrationTests extends BothDatabasesTests {

  private JdbcClient jdbc;

  @BeforeEach
  void migrate() {
    Flyway.configure().dataSource(schema().dataSource()).load().migrate();
    jdbc = JdbcClient.create(schema().dataSource());
  }

  @Test
  void aCanonicalRoleIsAcceptedFromAFreshConnection() {
    insertUser("admin");

    assertThat(
            jdbc.sql("SELECT role FROM directory_user WHERE role = 'admin'")
                .query(String.class)
                .list())
        .isNotEmpty();
  }

  @Test
  void anUnknownOrNonCanonicalRoleIsRefusedByTheDatabaseItself() {
    assertThatThrownBy(() -> insertUser("ADMIN"))
        .isInstanceOf(DataIntegrityViolationException.class);
    assertThatThrownBy(() -> insertUser("superuser"))
        .isInstanceOf(DataIntegrityViolationException.class);
  }

  private void insertUser(String role) {
    String email = UUID.randomUUID() + "@example.com";
    jdbc.sql(
            """
            INSERT INTO directory_user
              (id, name, email, email_key, time_zone, role, password_hash, created_at, updated_at)
            VALUES (:id, 'Test', :email, :email, 'UTC', :role, NULL, :now, :now)
            """)
        .param("id", UUID.randomUUID())
        .param("email", email)
        .param("role", role)
        .param("now", OffsetDateTime.now())
        .update();
  }
}
