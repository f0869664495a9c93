package io.tocsin.notify;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.UserService;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.ServerSecret;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/**
 * People's contact methods, and their verification: a six-digit code sent through the method and
 * typed back within {@link #CODE_LIFETIME}, at most {@link #CODE_ATTEMPTS} tries per code.
 */
@Service
public class ContactMethods {

  static final Duration CODE_LIFETIME = Duration.ofMinutes(15);
  static final int CODE_ATTEMPTS = 5;
  private static final int MAX_PER_USER = 20;

  private final JdbcClient jdbc;
  private final Channels channels;
  private final ContactMethodRows rows;
  private final UserService users;
  private final Outbox outbox;
  private final NotificationRules rules;
  private final ServerSecret secret;
  private final AuditLog audit;
  private final Clock clock;
  private final IdGenerator ids;
  private final SecureRandom random = new SecureRandom();

  ContactMethods(
      JdbcClient jdbc,
      Channels channels,
      ContactMethodRows rows,
      UserService users,
      Outbox outbox,
      NotificationRules rules,
      ServerSecret secret,
      AuditLog audit,
      Clock clock,
      IdGenerator ids) {
    this.jdbc = jdbc;
    this.channels = channels;
    this.rows = rows;
    this.users = users;
    this.outbox = outbox;
    this.rules = rules;
    this.secret = secret;
    this.audit = audit;
    this.clock = clock;
    this.ids = ids;
  }

  public record NewMethod(
      @Nullable String type,
      @Nullable String name,
      @Nullable String target,
      @Nullable Map<String, String> settings) {}

  @Transactional
  public ContactMethod create(UUID userId, NewMethod input) {
    users.get(userId);
    if (input.type() == null) {
      throw new InvalidInputException("type", "is required");
    }
    ChannelType type = EnumText.parse(ChannelType.class, "type", input.type());
    String target = input.target() == null ? "" : input.target().trim();
    if (target.isEmpty() || target.length() > 2000) {
      throw new InvalidInputException("target", "must have 1 to 2000 characters");
    }
    Map<String, String> settings =
        channels.get(type).validate(target, input.settings() == null ? Map.of() : input.settings());
    String name =
        input.name() == null || input.name().isBlank() ? type.text() : input.name().trim();
    if (name.length() > 100) {
      throw new InvalidInputException("name", "must have at most 100 characters");
    }
    long count =
        jdbc.sql("SELECT COUNT(*) FROM notify_contact_method WHERE user_id = :user")
            .param("user", userId)
            .query(Long.class)
            .single();
    if (count >= MAX_PER_USER) {
      throw new ConflictException("A user has at most " + MAX_PER_USER + " contact methods.");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    UUID id = ids.generateId();
    jdbc.sql(
            """
            INSERT INTO notify_contact_method
              (id, user_id, type, name, target, settings, code_attempts, created_at, updated_at)
            VALUES (:id, :user, :type, :name, :target, :settings, 0, :now, :now)
            """)
        .param("id", id)
        .param("user", userId)
        .param("type", type.text())
        .param("name", name)
        .param("target", rows.storedTarget(id, type, target))
        .param("settings", rows.storedSettings(id, type, settings))
        .param("now", utc(now))
        .update();
    audit.record("contact_method.created", "user " + userId, type.text() + " '" + name + "'");
    return get(userId, id);
  }

  public List<ContactMethod> list(UUID userId) {
    return jdbc.sql(
            "SELECT "
                + ContactMethodRows.COLUMNS
                + " FROM notify_contact_method WHERE user_id = :user ORDER BY id")
        .param("user", userId)
        .query(rows::method)
        .list();
  }

  /** A user's method; 404 for another user's, so that ids reveal nothing. */
  public ContactMethod get(UUID userId, UUID id) {
    return find(id)
        .filter(method -> method.userId().equals(userId))
        .orElseThrow(() -> new NotFoundException("There is no contact method " + id + "."));
  }

  Optional<ContactMethod> find(UUID id) {
    return rows.find(id);
  }

  /** The settings as the API shows them after creation: secrets masked. */
  public Map<String, String> visibleSettings(ContactMethod method) {
    Map<String, String> shown = new LinkedHashMap<>(method.settings());
    channels
        .find(method.type())
        .ifPresent(
            channel ->
                channel
                    .secretSettings()
                    .forEach(key -> shown.computeIfPresent(key, (k, v) -> "********")));
    return shown;
  }

  @Transactional
  public void delete(UUID userId, UUID id) {
    ContactMethod method = get(userId, id);
    jdbc.sql("DELETE FROM notify_contact_method WHERE id = :id").param("id", id).update();
    audit.record(
        "contact_method.deleted",
        "user " + userId,
        method.type().text() + " '" + method.name() + "'");
  }

  /** Sends a new code through the method; the previous code stops working. */
  @Transactional
  public void sendCode(UUID userId, UUID id) {
    ContactMethod method = get(userId, id);
    String code = String.format("%06d", random.nextInt(1_000_000));
    jdbc.sql(
            """
            UPDATE notify_contact_method SET code_hash = :hash, code_expires_at = :expires,
                   code_attempts = 0, updated_at = :now
            WHERE id = :id
            """)
        .param("hash", codeHash(id, code))
        .param("expires", utc(clock.instant().plus(CODE_LIFETIME)))
        .param("now", utc(clock.instant()))
        .param("id", id)
        .update();
    outbox.enqueueDirect(method, Message.Kind.VERIFICATION, Map.of("code", code));
  }

  /**
   * Checks a typed-back code. The first verified method of a user without rules gets the default
   * rules: every page through it at once.
   */
  @Transactional
  public ContactMethod verify(UUID userId, UUID id, @Nullable String code) {
    ContactMethod method = get(userId, id);
    if (method.verified()) {
      return method;
    }
    record Pending(@Nullable String hash, @Nullable OffsetDateTime expires, int attempts) {}
    Pending pending =
        jdbc.sql(
                "SELECT code_hash, code_expires_at, code_attempts FROM notify_contact_method"
                    + " WHERE id = :id FOR UPDATE")
            .param("id", id)
            .query(
                (rs, n) ->
                    new Pending(
                        rs.getString("code_hash"),
                        rs.getObject("code_expires_at", OffsetDateTime.class),
                        rs.getInt("code_attempts")))
            .single();
    if (pending.hash() == null
        || pending.expires() == null
        || pending.expires().toInstant().isBefore(clock.instant())) {
      throw new InvalidInputException("code", "has expired or was never sent: ask for a new one");
    }
    if (pending.attempts() >= CODE_ATTEMPTS) {
      throw new InvalidInputException("code", "was tried too often: ask for a new one");
    }
    String given = code == null ? "" : code.trim();
    if (!MessageDigest.isEqual(
        pending.hash().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        codeHash(id, given).getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
      jdbc.sql("UPDATE notify_contact_method SET code_attempts = code_attempts + 1 WHERE id = :id")
          .param("id", id)
          .update();
      throw new InvalidInputException("code", "is not the code that was sent");
    }
    Instant now = clock.instant();
    jdbc.sql(
            """
            UPDATE notify_contact_method SET verified_at = :now, code_hash = NULL,
                   code_expires_at = NULL, updated_at = :now
            WHERE id = :id
            """)
        .param("now", utc(now))
        .param("id", id)
        .update();
    rules.defaultsFor(userId, id);
    audit.record(
        "contact_method.verified",
        "user " + userId,
        method.type().text() + " '" + method.name() + "'");
    return get(userId, id);
  }

  /** Sends a test message through the method, verified or not. */
  @Transactional
  public UUID sendTest(UUID userId, UUID id) {
    ContactMethod method = get(userId, id);
    if (method.readable()) {
      // An unreadable method has no destination to check; its delivery records why it failed.
      channels.get(method.type()).checkDestination(method);
    }
    return outbox.enqueueDirect(method, Message.Kind.TEST, Map.of());
  }

  private String codeHash(UUID id, String code) {
    return secret.sign("contact-method-code:" + id + ":" + code);
  }

  static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
