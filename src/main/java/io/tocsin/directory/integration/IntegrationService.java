package io.tocsin.directory.integration;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.DirectoryProperties;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.platform.ConfigGenerations;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import io.tocsin.platform.RateLimiter;
import io.tocsin.platform.ServerSecret;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.IdGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * IntegrationService creates integrations and their keys, shows each key exactly once, stores only
 * its HMAC, and rotates keys with a grace period: after a rotation the old key keeps working until
 * the chosen time, so senders can be reconfigured without losing a single alert.
 */
@Service
public class IntegrationService {

  /** Marks Tocsin integration keys so that secret scanners and people can recognise them. */
  public static final String PREFIX = "tik_";

  /**
   * How long this node keeps accepting a key it has checked without checking it again. A key
   * rotated away or deleted stops working at once on the node that changed it, and within this time
   * on the others.
   */
  public static final Duration ACCEPTED_KEY_TTL = Duration.ofSeconds(10);

  /** Far more integrations than any installation has; past it the memory is simply cleared. */
  private static final int MAX_ACCEPTED_KEYS = 10_000;

  private static final TypeReference<List<String>> LABEL_NAMES = new TypeReference<>() {};

  private static final String COLUMNS =
      """
      i.id, i.service_id, i.name, i.kind, i.group_by, i.group_labels, i.created_at, i.updated_at,
      i.email_local_part, i.email_dedup_pattern, i.email_resolve_pattern,
      (SELECT COUNT(*) FROM directory_integration_key k
        WHERE k.integration_id = i.id AND (k.expires_at IS NULL OR k.expires_at > :now)) AS active_keys
      """;

  private final JdbcClient jdbc;
  private final ServiceCatalog services;
  private final AuditLog audit;
  private final ServerSecret secret;
  private final Clock clock;
  private final IdGenerator ids;
  private final JsonMapper json;
  private final SecureRandom random = new SecureRandom();
  private final RateLimiter limits;
  private final Map<String, AcceptedKey> accepted = new ConcurrentHashMap<>();
  private final String emailDomain;
  private final ConfigGenerations generations;
  private final ConfigGenerations.Cache<Map<UUID, Optional<Grouping>>> groupings;

  IntegrationService(
      JdbcClient jdbc,
      ServiceCatalog services,
      AuditLog audit,
      ServerSecret secret,
      Clock clock,
      IdGenerator ids,
      JsonMapper json,
      DirectoryProperties settings,
      ConfigGenerations generations) {
    this.emailDomain = settings.emailIn().domain().trim().toLowerCase(Locale.ROOT);
    this.limits = new RateLimiter(settings.rateLimit().integrationKeyPerMinute(), clock);
    this.jdbc = jdbc;
    this.services = services;
    this.audit = audit;
    this.secret = secret;
    this.clock = clock;
    this.ids = ids;
    this.json = json;
    this.generations = generations;
    this.groupings = generations.cache(KIND, ConcurrentHashMap::new);
  }

  /** The kind of configuration integrations are, for {@link ConfigGenerations}. */
  private static final String KIND = "directory.integration";

  /** An integration with its key: the only time the key is ever shown. */
  public record WithKey(Integration integration, String key) {}

  /** Who a presented key speaks for. */
  public record KeyOwner(UUID integrationId, UUID serviceId, IntegrationKind kind) {}

  /**
   * The answer to a presented key. The HTTP status for {@link Limited} is the caller's choice:
   * alert senders drop alerts answered with any 4xx, so ingestion answers 503.
   */
  public sealed interface KeyCheck {
    /** A current key, within its rate limit. */
    record Accepted(KeyOwner owner) implements KeyCheck {}

    /** A current key over its rate limit: come back after {@code retryAfter}. */
    record Limited(KeyOwner owner, Duration retryAfter) implements KeyCheck {}

    /** No current key matches: never existed, rotated away, or deleted. */
    record Unknown() implements KeyCheck {}
  }

  /** Creates an integration; without a {@code grouping}, that of {@link Grouping#defaultFor}. */
  @Transactional
  public WithKey create(
      UUID serviceId, String name, IntegrationKind kind, @Nullable Grouping grouping) {
    return create(serviceId, name, kind, grouping, null);
  }

  /**
   * Creates an integration; an email integration gets its own address and {@code email} rules (none
   * given: {@link EmailRules#DEFAULT}), which no other kind may have.
   */
  @Transactional
  public WithKey create(
      UUID serviceId,
      String name,
      IntegrationKind kind,
      @Nullable Grouping grouping,
      @Nullable EmailRules email) {
    refuseEmailRules(kind, email);
    EmailRules rules = email == null ? EmailRules.DEFAULT : email;
    if (!services.exists(serviceId)) {
      throw new NotFoundException("There is no service " + serviceId + ".");
    }
    String trimmed = validName(name);
    Grouping chosen = grouping == null ? Grouping.defaultFor(kind) : grouping;
    UUID id = ids.generateId();
    OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
    jdbc.sql(
            """
            INSERT INTO directory_integration
              (id, service_id, name, kind, group_by, group_labels, created_at, updated_at,
               email_local_part, email_dedup_pattern, email_resolve_pattern)
            VALUES (:id, :serviceId, :name, :kind, :groupBy, :groupLabels, :now, :now,
                    :localPart, :dedupPattern, :resolvePattern)
            """)
        .param("id", id)
        .param("serviceId", serviceId)
        .param("name", trimmed)
        .param("kind", EnumText.canonical(kind))
        .param("groupBy", EnumText.canonical(chosen.by()))
        .param("groupLabels", json.writeValueAsString(chosen.labels()))
        .param("now", now)
        .param("localPart", kind == IntegrationKind.EMAIL ? newLocalPart() : null)
        .param("dedupPattern", kind == IntegrationKind.EMAIL ? rules.dedupPattern() : null)
        .param("resolvePattern", kind == IntegrationKind.EMAIL ? rules.resolvePattern() : null)
        .update();
    generations.changed(KIND);
    String key = newKey(id);
    audit.record(
        "integration.created",
        "integration " + id,
        "created "
            + EnumText.canonical(kind)
            + " integration '"
            + trimmed
            + "' for service "
            + serviceId
            + ", grouped by "
            + describe(chosen));
    return new WithKey(get(id), key);
  }

  /**
   * Issues a new key; existing keys stop working at {@code graceUntil}, or at once when it is
   * {@code null}.
   */
  @Transactional
  public String rotateKey(UUID id, @Nullable Instant graceUntil) {
    Integration integration = get(id);
    Instant now = clock.instant();
    if (graceUntil != null && graceUntil.isBefore(now)) {
      throw new InvalidInputException("graceUntil", "must not be in the past");
    }
    Instant until = graceUntil == null ? now : graceUntil;
    jdbc.sql(
            """
            UPDATE directory_integration_key SET expires_at = :until
            WHERE integration_id = :id AND (expires_at IS NULL OR expires_at > :until)
            """)
        .param("until", until.atOffset(ZoneOffset.UTC))
        .param("id", id)
        .update();
    forgetAcceptedKeys();
    String key = newKey(id);
    audit.record(
        "integration.key_rotated",
        "integration " + id,
        "rotated the key of '" + integration.name() + "'; previous keys work until " + until);
    return key;
  }

  /** Checks a presented key and takes one request from its rate limit. */
  public KeyCheck check(String presentedKey) {
    Optional<KeyOwner> owner = authenticate(presentedKey);
    if (owner.isEmpty()) {
      return new KeyCheck.Unknown();
    }
    Optional<Duration> wait = limits.acquire(owner.get().integrationId().toString());
    return wait.<KeyCheck>map(retryAfter -> new KeyCheck.Limited(owner.get(), retryAfter))
        .orElseGet(() -> new KeyCheck.Accepted(owner.get()));
  }

  /**
   * The integration a presented key belongs to, if the key is current. Accepted keys are remembered
   * for {@link #ACCEPTED_KEY_TTL}: a Prometheus under load sends a request every few milliseconds
   * with the same key, and looking it up each time was a fifth of the cost of a single-alert
   * request. Unknown keys are never remembered.
   */
  public Optional<KeyOwner> authenticate(String presentedKey) {
    if (!presentedKey.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String hash = secret.sign(presentedKey);
    Instant now = clock.instant();
    AcceptedKey remembered = accepted.get(hash);
    if (remembered != null && remembered.until().isAfter(now)) {
      return Optional.of(remembered.owner());
    }
    record Row(UUID keyId, String keyHash, AcceptedKey accepted) {}
    Optional<Row> found =
        jdbc.sql(
                """
                SELECT k.id AS key_id, k.key_hash, i.id, i.service_id, i.kind, k.expires_at
                FROM directory_integration_key k
                JOIN directory_integration i ON i.id = k.integration_id
                WHERE k.key_hash IN (:hashes) AND (k.expires_at IS NULL OR k.expires_at > :now)
                """)
            .param("hashes", secret.signatures(presentedKey))
            .param("now", now.atOffset(ZoneOffset.UTC))
            .query(
                (rs, n) -> {
                  OffsetDateTime expires = rs.getObject("expires_at", OffsetDateTime.class);
                  Instant until = now.plus(ACCEPTED_KEY_TTL);
                  if (expires != null && expires.toInstant().isBefore(until)) {
                    until = expires.toInstant();
                  }
                  return new Row(
                      rs.getObject("key_id", UUID.class),
                      rs.getString("key_hash"),
                      new AcceptedKey(
                          new KeyOwner(
                              rs.getObject("id", UUID.class),
                              rs.getObject("service_id", UUID.class),
                              EnumText.parse(IntegrationKind.class, "kind", rs.getString("kind"))),
                          until));
                })
            .optional();
    found
        .filter(row -> !row.keyHash().equals(hash))
        .ifPresent(
            row ->
                // Hashed under a key the operator has replaced: move it to the current key on its
                // first use, since only a sender ever holds the key itself.
                jdbc.sql(
                        "UPDATE directory_integration_key SET key_hash = :hash"
                            + " WHERE id = :id AND key_hash = :old")
                    .param("hash", hash)
                    .param("id", row.keyId())
                    .param("old", row.keyHash())
                    .update());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    if (accepted.size() >= MAX_ACCEPTED_KEYS) {
      accepted.clear();
    }
    accepted.put(hash, found.get().accepted());
    return Optional.of(found.get().accepted().owner());
  }

  /**
   * Forgets every remembered key, now and again when the surrounding transaction commits (a request
   * between the two would otherwise remember the state being replaced).
   */
  private void forgetAcceptedKeys() {
    accepted.clear();
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
              accepted.clear();
            }
          });
    }
  }

  private record AcceptedKey(KeyOwner owner, Instant until) {}

  /**
   * How the integration groups its alerts, from this node's copy: correlation asks for every alert,
   * and an integration's grouping changes only when a person changes it.
   */
  public Grouping grouping(UUID id) {
    return groupings
        .get()
        .computeIfAbsent(
            id,
            key -> {
              try {
                return Optional.of(get(key).grouping());
              } catch (NotFoundException e) {
                return Optional.empty();
              }
            })
        .orElseThrow(() -> new NotFoundException("There is no integration " + id + "."));
  }

  public Integration get(UUID id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM directory_integration i WHERE i.id = :id")
        .param("id", id)
        .param("now", clock.instant().atOffset(ZoneOffset.UTC))
        .query(this::row)
        .optional()
        .orElseThrow(() -> new NotFoundException("There is no integration " + id + "."));
  }

  public List<Integration> listForService(UUID serviceId) {
    services.get(serviceId);
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM directory_integration i WHERE i.service_id = :serviceId ORDER BY i.id")
        .param("serviceId", serviceId)
        .param("now", clock.instant().atOffset(ZoneOffset.UTC))
        .query(this::row)
        .list();
  }

  /** Every service's integrations, a page at a time, for the administration page. */
  public Page<Integration> list(@Nullable UUID after, int limit) {
    JdbcClient.StatementSpec query =
        jdbc.sql(
                "SELECT "
                    + COLUMNS
                    + " FROM directory_integration i"
                    + (after == null ? "" : " WHERE i.id > :after")
                    + " ORDER BY i.id LIMIT :limit")
            .param("now", clock.instant().atOffset(ZoneOffset.UTC))
            .param("limit", limit + 1);
    if (after != null) {
      query = query.param("after", after);
    }
    return Page.of(query.query(this::row).list(), limit, Integration::id);
  }

  /** How many integrations each of these services has; a service without any is left out. */
  public Map<UUID, Integer> countByService(Collection<UUID> serviceIds) {
    if (serviceIds.isEmpty()) {
      return Map.of();
    }
    return jdbc
        .sql(
            """
            SELECT service_id, COUNT(*) AS n FROM directory_integration
            WHERE service_id IN (:ids) GROUP BY service_id
            """)
        .param("ids", List.copyOf(serviceIds))
        .query((rs, n) -> Map.entry(rs.getObject("service_id", UUID.class), rs.getInt("n")))
        .list()
        .stream()
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  /** Renames an integration or changes its grouping; a {@code null} leaves that as it is. */
  @Transactional
  public Integration update(UUID id, @Nullable String name, @Nullable Grouping grouping) {
    return update(id, name, grouping, null);
  }

  /**
   * Renames an integration, changes its grouping or, for an email integration, its subject rules; a
   * {@code null} leaves that as it is. The address never changes.
   */
  @Transactional
  public Integration update(
      UUID id, @Nullable String name, @Nullable Grouping grouping, @Nullable EmailRules email) {
    Integration before = get(id);
    refuseEmailRules(before.kind(), email);
    String newName = name == null ? before.name() : validName(name);
    Grouping newGrouping = grouping == null ? before.grouping() : grouping;
    EmailRules oldRules = before.email() == null ? null : before.email().rules();
    EmailRules newRules = email == null ? oldRules : email;
    List<String> changes = new ArrayList<>();
    if (!newName.equals(before.name())) {
      changes.add("name '" + before.name() + "' -> '" + newName + "'");
    }
    if (!newGrouping.equals(before.grouping())) {
      changes.add("grouping " + describe(before.grouping()) + " -> " + describe(newGrouping));
    }
    if (!Objects.equals(oldRules, newRules)) {
      changes.add("email rules " + oldRules + " -> " + newRules);
    }
    if (changes.isEmpty()) {
      return before;
    }
    jdbc.sql(
            """
            UPDATE directory_integration
            SET name = :name, group_by = :groupBy, group_labels = :groupLabels, updated_at = :now,
                email_dedup_pattern = :dedupPattern, email_resolve_pattern = :resolvePattern
            WHERE id = :id
            """)
        .param("name", newName)
        .param("dedupPattern", newRules == null ? null : newRules.dedupPattern())
        .param("resolvePattern", newRules == null ? null : newRules.resolvePattern())
        .param("groupBy", EnumText.canonical(newGrouping.by()))
        .param("groupLabels", json.writeValueAsString(newGrouping.labels()))
        .param("now", clock.instant().atOffset(ZoneOffset.UTC))
        .param("id", id)
        .update();
    generations.changed(KIND);
    audit.record("integration.updated", "integration " + id, String.join("; ", changes));
    return get(id);
  }

  /** Whom mail to an address is for, and how to read it. */
  public record EmailRecipient(KeyOwner owner, String address, EmailRules rules) {}

  /**
   * The email integration that mail to {@code address} is for: its local part, in any case, at the
   * configured domain. Empty for any other address, so the SMTP listener refuses it at RCPT time.
   */
  public Optional<EmailRecipient> emailRecipient(String address) {
    String lower = address.trim().toLowerCase(Locale.ROOT);
    int at = lower.lastIndexOf('@');
    if (at <= 0 || !lower.substring(at + 1).equals(emailDomain)) {
      return Optional.empty();
    }
    return jdbc.sql(
            """
            SELECT id, service_id, email_local_part, email_dedup_pattern, email_resolve_pattern
            FROM directory_integration WHERE email_local_part = :localPart AND kind = 'email'
            """)
        .param("localPart", lower.substring(0, at))
        .query(
            (rs, n) ->
                new EmailRecipient(
                    new KeyOwner(
                        rs.getObject("id", UUID.class),
                        rs.getObject("service_id", UUID.class),
                        IntegrationKind.EMAIL),
                    rs.getString("email_local_part") + "@" + emailDomain,
                    new EmailRules(
                        rs.getString("email_dedup_pattern"),
                        rs.getString("email_resolve_pattern"))))
        .optional();
  }

  private static void refuseEmailRules(IntegrationKind kind, @Nullable EmailRules email) {
    if (email != null && kind != IntegrationKind.EMAIL) {
      throw new InvalidInputException(
          "email",
          "only an email integration has email settings; kind is " + EnumText.canonical(kind));
    }
  }

  /**
   * A new address's local part: 16 characters of lower-case base32, 80 random bits, so that nobody
   * guesses an address; lower-case because mail systems do not all keep the case of a local part.
   */
  private String newLocalPart() {
    String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    StringBuilder local = new StringBuilder("alerts-");
    for (int i = 0; i < 16; i++) {
      local.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return local.toString();
  }

  private static String validName(String name) {
    String trimmed = name.trim();
    if (trimmed.isEmpty() || trimmed.length() > 100) {
      throw new InvalidInputException("name", "must have 1 to 100 characters");
    }
    return trimmed;
  }

  private static String describe(Grouping grouping) {
    return EnumText.canonical(grouping.by())
        + (grouping.labels().isEmpty() ? "" : " " + grouping.labels());
  }

  @Transactional
  public void delete(UUID id) {
    Integration integration = get(id);
    jdbc.sql("DELETE FROM directory_integration WHERE id = :id").param("id", id).update();
    generations.changed(KIND);
    forgetAcceptedKeys();
    audit.record(
        "integration.deleted",
        "integration " + id,
        "deleted integration '" + integration.name() + "'");
  }

  private String newKey(UUID integrationId) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    jdbc.sql(
            """
            INSERT INTO directory_integration_key (id, integration_id, key_hash, created_at)
            VALUES (:id, :integrationId, :hash, :now)
            """)
        .param("id", ids.generateId())
        .param("integrationId", integrationId)
        .param("hash", secret.sign(key))
        .param("now", clock.instant().atOffset(ZoneOffset.UTC))
        .update();
    return key;
  }

  private Integration row(ResultSet rs, int n) throws SQLException {
    return new Integration(
        rs.getObject("id", UUID.class),
        rs.getObject("service_id", UUID.class),
        rs.getString("name"),
        EnumText.parse(IntegrationKind.class, "kind", rs.getString("kind")),
        new Grouping(
            EnumText.parse(Grouping.By.class, "group_by", rs.getString("group_by")),
            json.readValue(rs.getString("group_labels"), LABEL_NAMES)),
        rs.getInt("active_keys"),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        rs.getObject("updated_at", OffsetDateTime.class).toInstant(),
        rs.getString("email_local_part") == null
            ? null
            : new Integration.Email(
                rs.getString("email_local_part") + "@" + emailDomain,
                rs.getString("email_dedup_pattern"),
                rs.getString("email_resolve_pattern")));
  }
}
