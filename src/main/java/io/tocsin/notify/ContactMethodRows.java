package io.tocsin.notify;

import io.tocsin.platform.EnumText;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Reading contact methods, for the API and for the workers that deliver through them. */
@Component
class ContactMethodRows {

  static final String COLUMNS =
      "id, user_id, type, name, target, settings, verified_at, created_at";
  private static final TypeReference<Map<String, String>> SETTINGS = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;

  ContactMethodRows(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  Optional<ContactMethod> find(UUID id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM notify_contact_method WHERE id = :id")
        .param("id", id)
        .query(this::method)
        .optional();
  }

  ContactMethod method(ResultSet rs, int n) throws SQLException {
    OffsetDateTime verified = rs.getObject("verified_at", OffsetDateTime.class);
    return new ContactMethod(
        rs.getObject("id", UUID.class),
        rs.getObject("user_id", UUID.class),
        EnumText.parse(ChannelType.class, "type", rs.getString("type")),
        rs.getString("name"),
        rs.getString("target"),
        json.readValue(rs.getString("settings"), SETTINGS),
        verified == null ? null : verified.toInstant(),
        rs.getObject("created_at", OffsetDateTime.class).toInstant());
  }
}
