package io.tocsin.directory;

import io.tocsin.platform.EnumText;
import io.tocsin.platform.ListQuery;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code directory_user} table. */
@Repository
class UserRepository {

  private static final String COLUMNS =
      "id, name, email, time_zone, role, password_hash, session_version, created_at, updated_at";

  private static final String INSERT =
      """
      INSERT INTO directory_user
        (id, name, email, email_key, time_zone, role, password_hash, created_at, updated_at)
      VALUES (:id, :name, :email, :emailKey, :timeZone, :role, :passwordHash, :now, :now)
      """;

  private static final String UPDATE =
      """
      UPDATE directory_user
      SET name = :name, email = :email, email_key = :emailKey, time_zone = :timeZone,
          role = :role, updated_at = :now
      WHERE id = :id
      """;

  private static final String UPDATE_PASSWORD =
      """
      UPDATE directory_user SET password_hash = :passwordHash, updated_at = :now WHERE id = :id
      """;

  private static final String END_SESSIONS =
      """
      UPDATE directory_user SET session_version = session_version + 1 WHERE id = :id
      """;

  private static final String COUNT_ADMINS =
      """
      SELECT COUNT(*) FROM directory_user WHERE role = 'admin'
      """;

  private final JdbcClient jdbc;

  UserRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * A row with the password hash, which never leaves the module, and the version that browser
   * sessions of this user must carry.
   */
  record Row(User user, @Nullable String passwordHash, long sessionVersion) {}

  void insert(User user, @Nullable String passwordHash) {
    withUser(jdbc.sql(INSERT), user)
        .param("passwordHash", passwordHash)
        .param("now", user.createdAt().atOffset(ZoneOffset.UTC))
        .update();
  }

  void update(User user) {
    withUser(jdbc.sql(UPDATE), user)
        .param("now", user.updatedAt().atOffset(ZoneOffset.UTC))
        .update();
  }

  /** The user's own columns, as both {@link #INSERT} and {@link #UPDATE} name them. */
  private static JdbcClient.StatementSpec withUser(JdbcClient.StatementSpec statement, User user) {
    return statement
        .param("id", user.id())
        .param("name", user.name())
        .param("email", user.email())
        .param("emailKey", emailKey(user.email()))
        .param("timeZone", user.timeZone().getId())
        .param("role", user.role().canonical());
  }

  void updatePassword(UUID id, String passwordHash, Instant now) {
    jdbc.sql(UPDATE_PASSWORD)
        .param("id", id)
        .param("passwordHash", passwordHash)
        .param("now", now.atOffset(ZoneOffset.UTC))
        .update();
  }

  /** Ends every browser session of the user: those carry the version before this one. */
  void endSessions(UUID id) {
    jdbc.sql(END_SESSIONS).param("id", id).update();
  }

  Optional<Row> find(UUID id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM directory_user WHERE id = :id")
        .param("id", id)
        .query(UserRepository::row)
        .optional();
  }

  /** The row of this email, in any case. */
  Optional<Row> findByEmail(String email) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM directory_user WHERE email_key = :emailKey")
        .param("emailKey", emailKey(email))
        .query(UserRepository::row)
        .optional();
  }

  List<User> list(@Nullable String nameContains, @Nullable UUID after, int limit) {
    return ListQuery.from("SELECT " + COLUMNS + " FROM directory_user")
        .containing("name", nameContains)
        .oldestFirst(jdbc, after, limit, UserRepository::row)
        .stream()
        .map(Row::user)
        .toList();
  }

  void markSetupComplete(Instant now) {
    jdbc.sql("INSERT INTO directory_setup (id, completed_at) VALUES (1, :now)")
        .param("now", now.atOffset(ZoneOffset.UTC))
        .update();
  }

  long countAdmins() {
    return jdbc.sql(COUNT_ADMINS).query(Long.class).single();
  }

  /**
   * Locks every admin row, so that two concurrent demotions or deletions cannot both see "another
   * admin remains" and leave none.
   */
  long lockAdmins() {
    return jdbc.sql("SELECT id FROM directory_user WHERE role = 'admin' FOR UPDATE")
        .query(UUID.class)
        .list()
        .size();
  }

  boolean delete(UUID id) {
    return jdbc.sql("DELETE FROM directory_user WHERE id = :id").param("id", id).update() == 1;
  }

  static String emailKey(String email) {
    return email.trim().toLowerCase(Locale.ROOT);
  }

  private static Row row(ResultSet rs, int n) throws SQLException {
    return new Row(
        new User(
            rs.getObject("id", UUID.class),
            rs.getString("name"),
            rs.getString("email"),
            ZoneId.of(rs.getString("time_zone")),
            EnumText.parse(Role.class, "role", rs.getString("role")),
            rs.getObject("created_at", OffsetDateTime.class).toInstant(),
            rs.getObject("updated_at", OffsetDateTime.class).toInstant()),
        rs.getString("password_hash"),
        rs.getLong("session_version"));
  }
}
