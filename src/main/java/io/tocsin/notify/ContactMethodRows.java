package io.tocsin.notify;

import io.tocsin.platform.EnumText;
import io.tocsin.platform.SecretCipher;
import io.tocsin.platform.UnreadableSecretException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reading and writing contact methods' rows, for the API and for the workers that deliver through
 * them. The secrets among their values (a channel's {@link Channel#secretSettings()}, and the
 * target where {@link Channel#secretTarget()}) are stored encrypted with the {@link SecretCipher},
 * each bound to its row and field, and decrypted here on every read.
 */
@Component
class ContactMethodRows {

  static final String COLUMNS =
      "id, user_id, type, name, target, settings, verified_at, created_at";

  /** What stands in for a value this node cannot decrypt. */
  static final String UNREADABLE = "********";

  private static final TypeReference<Map<String, String>> SETTINGS = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final SecretCipher cipher;
  private final Channels channels;

  ContactMethodRows(JdbcClient jdbc, JsonMapper json, SecretCipher cipher, Channels channels) {
    this.jdbc = jdbc;
    this.json = json;
    this.cipher = cipher;
    this.channels = channels;
  }

  Optional<ContactMethod> find(UUID id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM notify_contact_method WHERE id = :id")
        .param("id", id)
        .query(this::method)
        .optional();
  }

  /** The target column's value for a method: encrypted when the channel's target is a secret. */
  String storedTarget(UUID id, ChannelType type, String target) {
    return secretTarget(type) ? cipher.encrypt(target, context(id, "target")) : target;
  }

  /** The settings column's value for a method: JSON, with the secret settings encrypted. */
  String storedSettings(UUID id, ChannelType type, Map<String, String> settings) {
    Set<String> secret = secretSettings(type);
    Map<String, String> stored = new LinkedHashMap<>();
    settings.forEach(
        (key, value) ->
            stored.put(
                key,
                secret.contains(key)
                    ? cipher.encrypt(value, context(id, "settings." + key))
                    : value));
    return json.writeValueAsString(stored);
  }

  ContactMethod method(ResultSet rs, int n) throws SQLException {
    UUID id = rs.getObject("id", UUID.class);
    String unreadable = null;
    String target;
    try {
      target = cipher.decrypt(rs.getString("target"), context(id, "target"));
    } catch (UnreadableSecretException e) {
      target = UNREADABLE;
      unreadable = e.getMessage();
    }
    Map<String, String> settings =
        new LinkedHashMap<>(json.readValue(rs.getString("settings"), SETTINGS));
    for (Map.Entry<String, String> setting : settings.entrySet()) {
      try {
        setting.setValue(
            cipher.decrypt(setting.getValue(), context(id, "settings." + setting.getKey())));
      } catch (UnreadableSecretException e) {
        setting.setValue(UNREADABLE);
        unreadable = unreadable == null ? e.getMessage() : unreadable;
      }
    }
    OffsetDateTime verified = rs.getObject("verified_at", OffsetDateTime.class);
    return new ContactMethod(
        id,
        rs.getObject("user_id", UUID.class),
        EnumText.parse(ChannelType.class, "type", rs.getString("type")),
        rs.getString("name"),
        target,
        settings,
        verified == null ? null : verified.toInstant(),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        unreadable);
  }

  /** One look at a page of rows: those that need {@link #rewrite}, and where the page ended. */
  record Scan(List<UUID> stale, @Nullable UUID last) {}

  /** The {@code limit} rows after {@code after}, in id order: which of them need a rewrite. */
  Scan scan(@Nullable UUID after, int limit) {
    record Stored(UUID id, ChannelType type, String target, Map<String, String> settings) {}
    List<Stored> page =
        jdbc.sql(
                "SELECT id, type, target, settings FROM notify_contact_method"
                    + (after == null ? "" : " WHERE id > :after")
                    + " ORDER BY id LIMIT :limit")
            .params(after == null ? Map.of("limit", limit) : Map.of("after", after, "limit", limit))
            .query(
                (rs, n) ->
                    new Stored(
                        rs.getObject("id", UUID.class),
                        EnumText.parse(ChannelType.class, "type", rs.getString("type")),
                        rs.getString("target"),
                        json.readValue(rs.getString("settings"), SETTINGS)))
            .list();
    return new Scan(
        page.stream()
            .filter(row -> stale(row.type(), row.target(), row.settings()))
            .map(Stored::id)
            .toList(),
        page.isEmpty() ? null : page.get(page.size() - 1).id());
  }

  /**
   * Re-reads the row under a lock and writes its secrets under the current key; false when there
   * was nothing to do. Idempotent, and safe when several nodes start at once: the second one to
   * lock the row finds nothing left to do. Must run in a transaction.
   *
   * @throws UnreadableSecretException when a value is under a key this node does not have
   */
  boolean rewrite(UUID id) {
    record Locked(ChannelType type, String target, Map<String, String> settings) {}
    Optional<Locked> row =
        jdbc.sql(
                "SELECT type, target, settings FROM notify_contact_method WHERE id = :id FOR UPDATE")
            .param("id", id)
            .query(
                (rs, n) ->
                    new Locked(
                        EnumText.parse(ChannelType.class, "type", rs.getString("type")),
                        rs.getString("target"),
                        json.readValue(rs.getString("settings"), SETTINGS)))
            .optional();
    if (row.isEmpty() || !stale(row.get().type(), row.get().target(), row.get().settings())) {
      return false;
    }
    ChannelType type = row.get().type();
    String target = cipher.decrypt(row.get().target(), context(id, "target"));
    Map<String, String> settings = new LinkedHashMap<>();
    row.get()
        .settings()
        .forEach(
            (key, value) ->
                settings.put(key, cipher.decrypt(value, context(id, "settings." + key))));
    jdbc.sql(
            "UPDATE notify_contact_method SET target = :target, settings = :settings WHERE id = :id")
        .param("target", storedTarget(id, type, target))
        .param("settings", storedSettings(id, type, settings))
        .param("id", id)
        .update();
    return true;
  }

  /** Whether a row holds a secret in plaintext or under a key other than the current one. */
  private boolean stale(ChannelType type, String target, Map<String, String> settings) {
    if (stale(target, secretTarget(type))) {
      return true;
    }
    Set<String> secret = secretSettings(type);
    return settings.entrySet().stream()
        .anyMatch(setting -> stale(setting.getValue(), secret.contains(setting.getKey())));
  }

  private boolean stale(String value, boolean secret) {
    return SecretCipher.isEncrypted(value) ? !cipher.isCurrent(value) : secret;
  }

  private boolean secretTarget(ChannelType type) {
    return channels.find(type).map(Channel::secretTarget).orElse(false);
  }

  private Set<String> secretSettings(ChannelType type) {
    return channels.find(type).map(Channel::secretSettings).orElse(Set.of());
  }

  /** Binds a value to its row and field: a value copied into another row does not decrypt. */
  private static String context(UUID id, String field) {
    return "notify_contact_method:" + id + ":" + field;
  }
}
