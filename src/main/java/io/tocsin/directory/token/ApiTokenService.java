package io.tocsin.directory.token;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.DirectoryProperties;
import io.tocsin.directory.Role;
import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.UserService;
import io.tocsin.directory.team.TeamService;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import io.tocsin.platform.ServerSecret;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/**
 * ApiTokenService issues personal API tokens, shows each exactly once, and stores only an
 * HMAC-SHA256 of it under the server secret: a stolen database does not yield usable tokens, and a
 * token is looked up by its hash in one indexed read.
 */
@Service
public class ApiTokenService {

  /** Marks Tocsin tokens so that secret scanners and people can recognise a leaked one. */
  public static final String PREFIX = "tcn_";

  /** Writing {@code last_used_at} on every request would turn each read into a write. */
  private static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

  private static final String INSERT =
      """
      INSERT INTO directory_api_token
        (id, user_id, name, token_hash, created_at, expires_at, read_only, team_limited)
      VALUES (:id, :userId, :name, :hash, :now, :expiresAt, :readOnly, :teamLimited)
      """;

  private static final String COLUMNS =
      "id, user_id, name, created_at, expires_at, last_used_at, revoked_at, read_only,"
          + " team_limited";

  private final JdbcClient jdbc;
  private final UserService users;
  private final TeamService teamService;
  private final AuditLog audit;
  private final ServerSecret secret;
  private final Clock clock;
  private final IdGenerator ids;
  private final @Nullable Duration maxLifetime;
  private final SecureRandom random = new SecureRandom();

  ApiTokenService(
      JdbcClient jdbc,
      UserService users,
      AuditLog audit,
      ServerSecret secret,
      Clock clock,
      IdGenerator ids,
      DirectoryProperties settings,
      TeamService teamService) {
    this.teamService = teamService;
    this.maxLifetime = settings.security().maxTokenLifetime();
    this.jdbc = jdbc;
    this.users = users;
    this.audit = audit;
    this.secret = secret;
    this.clock = clock;
    this.ids = ids;
  }

  /**
   * A token as listed: never the token itself. {@code teams} is null for a token that acts wherever
   * its owner may, or the teams it is limited to.
   */
  public record ApiToken(
      UUID id,
      UUID userId,
      String name,
      Instant createdAt,
      @Nullable Instant expiresAt,
      @Nullable Instant lastUsedAt,
      @Nullable Instant revokedAt,
      boolean readOnly,
      @Nullable List<UUID> teams) {

    ApiToken withTeams(@Nullable List<UUID> limitedTo) {
      return new ApiToken(
          id, userId, name, createdAt, expiresAt, lastUsedAt, revokedAt, readOnly, limitedTo);
    }
  }

  /**
   * Who a presented token acts for, which token it was (for per-token rate limits), when it expires
   * (a token it creates may not outlive it), whether it may only read, and the teams it is limited
   * to (null when it is not).
   */
  public record Authenticated(
      SignedInUser user,
      UUID tokenId,
      @Nullable Instant expiresAt,
      boolean readOnly,
      @Nullable Set<UUID> teams) {}

  /**
   * The API token the current request came with, if it came with one rather than a session or a
   * password: what it may do is narrower than its owner.
   */
  public static @Nullable Authenticated presented() {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    return authentication != null && authentication.getDetails() instanceof Authenticated token
        ? token
        : null;
  }

  /** The answer to creating a token: the only place the token ever appears. */
  public record IssuedToken(ApiToken token, String secret) {}

  /** Issues a token for a user signed in with a password or a session. */
  @Transactional
  public IssuedToken issue(UUID userId, String name, @Nullable Instant expiresAt) {
    return issue(userId, name, expiresAt, false, null, null);
  }

  /**
   * Issues a token; when an API token asks for it, {@code creator} is that token, which the new one
   * may not outlive: otherwise a short-lived token, stolen, could mint itself a permanent one. A
   * token asked for without an expiry gets the latest one allowed (none if nothing limits it). A
   * read-only token answers every request that would change something with 403. A token limited to
   * {@code teams} acts only on their services; one made by a limited token is limited to those
   * teams or fewer, or it would be a way out of the limit.
   */
  @Transactional
  public IssuedToken issue(
      UUID userId,
      String name,
      @Nullable Instant requestedExpiry,
      boolean readOnly,
      @Nullable Collection<UUID> teams,
      @Nullable Authenticated creator) {
    String trimmed = name.trim();
    if (trimmed.isEmpty() || trimmed.length() > 100) {
      throw new InvalidInputException("name", "must have 1 to 100 characters");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    if (requestedExpiry != null && !requestedExpiry.isAfter(now)) {
      throw new InvalidInputException("expiresAt", "must be in the future");
    }
    Instant expiresAt = requestedExpiry;
    if (maxLifetime != null) {
      Instant cap = now.plus(maxLifetime);
      if (expiresAt == null) {
        expiresAt = cap;
      } else if (expiresAt.isAfter(cap)) {
        throw new InvalidInputException(
            "expiresAt",
            "must be at most "
                + readable(maxLifetime)
                + " from now (until "
                + cap
                + "), the longest lifetime this server allows for tokens");
      }
    }
    Instant creatorEnds = creator == null ? null : creator.expiresAt();
    if (creatorEnds != null) {
      if (requestedExpiry != null && requestedExpiry.isAfter(creatorEnds)) {
        throw new InvalidInputException(
            "expiresAt",
            "must not be after "
                + creatorEnds
                + ", when the token creating it expires: a token cannot outlive its creator");
      }
      if (expiresAt == null || expiresAt.isAfter(creatorEnds)) {
        expiresAt = creatorEnds;
      }
    }
    List<UUID> limitedTo = limit(userId, teams, creator);
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    UUID id = ids.generateId();
    jdbc.sql(INSERT)
        .param("id", id)
        .param("userId", userId)
        .param("name", trimmed)
        .param("hash", secret.sign(token))
        .param("now", now.atOffset(ZoneOffset.UTC))
        .param("expiresAt", expiresAt == null ? null : expiresAt.atOffset(ZoneOffset.UTC))
        .param("readOnly", readOnly)
        .param("teamLimited", limitedTo != null)
        .update();
    for (UUID team : limitedTo == null ? List.<UUID>of() : limitedTo) {
      jdbc.sql("INSERT INTO directory_api_token_team (token_id, team_id) VALUES (:token, :team)")
          .param("token", id)
          .param("team", team)
          .update();
    }
    audit.record(
        "token.created",
        "token " + id,
        (readOnly ? "read-only token '" : "token '")
            + trimmed
            + "'"
            + (expiresAt == null ? "" : " expiring " + expiresAt)
            + (limitedTo == null ? "" : " limited to teams " + limitedTo));
    return new IssuedToken(
        new ApiToken(id, userId, trimmed, now, expiresAt, null, null, readOnly, limitedTo), token);
  }

  /**
   * The teams a new token is limited to, or null for none: those asked for, each of which must
   * exist and, unless an admin asks, have the owner as a member; within the creating token's.
   */
  private @Nullable List<UUID> limit(
      UUID userId, @Nullable Collection<UUID> teams, @Nullable Authenticated creator) {
    Set<UUID> creatorTeams = creator == null ? null : creator.teams();
    if (teams == null) {
      return creatorTeams == null ? null : List.copyOf(creatorTeams);
    }
    boolean admin = users.find(userId).map(u -> u.role() == Role.ADMIN).orElse(false);
    Set<UUID> memberOf = teamService.teamsOf(userId);
    List<UUID> chosen = new ArrayList<>();
    int i = 0;
    for (UUID team : teams) {
      String field = "teams[" + i++ + "]";
      if (team == null) {
        throw new InvalidInputException(field, "must be a team's id");
      }
      if (!teamService.exists(team)) {
        throw new InvalidInputException(field, "is not a team");
      }
      if (!admin && !memberOf.contains(team)) {
        throw new InvalidInputException(field, "is a team you are not in");
      }
      if (creatorTeams != null && !creatorTeams.contains(team)) {
        throw new InvalidInputException(
            field, "is not one of the teams that the token creating this one is limited to");
      }
      if (!chosen.contains(team)) {
        chosen.add(team);
      }
    }
    if (chosen.isEmpty()) {
      throw new InvalidInputException("teams", "must name at least one team, or be left out");
    }
    return List.copyOf(chosen);
  }

  public List<ApiToken> listFor(UUID userId) {
    return jdbc.sql(
            "SELECT " + COLUMNS + " FROM directory_api_token WHERE user_id = :userId ORDER BY id")
        .param("userId", userId)
        .query(this::row)
        .list();
  }

  /** Every user's tokens, revoked ones too: what an admin reviews and revokes. */
  public Page<ApiToken> listAll(@Nullable UUID after, int limit) {
    List<ApiToken> rows =
        jdbc.sql(
                "SELECT "
                    + COLUMNS
                    + " FROM directory_api_token"
                    + (after == null ? "" : " WHERE id > :after")
                    + " ORDER BY id FETCH FIRST :limit ROWS ONLY")
            .paramSource(
                new MapSqlParameterSource().addValue("after", after).addValue("limit", limit + 1))
            .query(this::row)
            .list();
    return Page.of(rows, limit, ApiToken::id);
  }

  /** Revokes a token of {@code by}, or anybody's when {@code by} is an admin. */
  @Transactional
  public void revoke(UUID tokenId, SignedInUser by) {
    ApiToken token =
        jdbc.sql("SELECT " + COLUMNS + " FROM directory_api_token WHERE id = :id")
            .param("id", tokenId)
            .query(this::row)
            .optional()
            .filter(t -> t.userId().equals(by.id()) || by.role() == Role.ADMIN)
            .orElseThrow(() -> new NotFoundException("There is no token " + tokenId + "."));
    if (token.revokedAt() != null) {
      return;
    }
    jdbc.sql("UPDATE directory_api_token SET revoked_at = :now WHERE id = :id")
        .param("now", clock.instant().atOffset(ZoneOffset.UTC))
        .param("id", tokenId)
        .update();
    audit.record("token.revoked", "token " + tokenId, "revoked token '" + token.name() + "'");
  }

  /**
   * The user a presented token acts for, with the user's current role; empty for an unknown,
   * revoked or expired token.
   */
  @Transactional
  public Optional<Authenticated> authenticate(String presented) {
    if (!presented.startsWith(PREFIX)) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    String hash = secret.sign(presented);
    record Stored(ApiToken token, String hash) {}
    Optional<Stored> stored =
        jdbc.sql(
                "SELECT "
                    + COLUMNS
                    + ", token_hash FROM directory_api_token WHERE token_hash IN (:hashes)")
            .param("hashes", secret.signatures(presented))
            .query((rs, n) -> new Stored(row(rs, n), rs.getString("token_hash")))
            .optional();
    stored
        .filter(row -> !row.hash().equals(hash))
        .ifPresent(
            row ->
                // Hashed under a server key the operator has replaced: moved to the current key
                // on first use, as nobody but its holder has the token itself.
                jdbc.sql(
                        "UPDATE directory_api_token SET token_hash = :hash"
                            + " WHERE id = :id AND token_hash = :old")
                    .param("hash", hash)
                    .param("id", row.token().id())
                    .param("old", row.hash())
                    .update());
    Optional<ApiToken> found =
        stored
            .map(Stored::token)
            .filter(t -> t.revokedAt() == null)
            .filter(t -> t.expiresAt() == null || t.expiresAt().isAfter(now))
            // The cap also holds for tokens issued before an admin set or shortened it.
            .filter(t -> maxLifetime == null || t.createdAt().plus(maxLifetime).isAfter(now));
    if (found.isEmpty()) {
      return Optional.empty();
    }
    ApiToken token = found.get();
    if (token.lastUsedAt() == null || token.lastUsedAt().isBefore(now.minus(LAST_USED_PRECISION))) {
      jdbc.sql("UPDATE directory_api_token SET last_used_at = :now WHERE id = :id")
          .param("now", now.atOffset(ZoneOffset.UTC))
          .param("id", token.id())
          .update();
    }
    Set<UUID> teams = token.teams() == null ? null : Set.copyOf(token.teams());
    return users
        .find(token.userId())
        .map(
            user ->
                new Authenticated(
                    // A token limited to teams was meant to act there, not to run the whole
                    // installation: an admin's acts as a responder of those teams.
                    new SignedInUser(
                        user.id(),
                        user.email(),
                        teams != null && user.role() == Role.ADMIN ? Role.RESPONDER : user.role(),
                        null,
                        null),
                    token.id(),
                    effectiveEnd(token),
                    token.readOnly(),
                    teams));
  }

  /** When a token stops working: its own expiry, or earlier where the lifetime cap ends it. */
  private @Nullable Instant effectiveEnd(ApiToken token) {
    if (maxLifetime == null) {
      return token.expiresAt();
    }
    Instant capped = token.createdAt().plus(maxLifetime);
    return token.expiresAt() == null || capped.isBefore(token.expiresAt())
        ? capped
        : token.expiresAt();
  }

  private static String readable(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds % 86_400 == 0) {
      return seconds / 86_400 + (seconds == 86_400 ? " day" : " days");
    }
    if (seconds % 3_600 == 0) {
      return seconds / 3_600 + (seconds == 3_600 ? " hour" : " hours");
    }
    return seconds + " seconds";
  }

  /** A token's row, with the teams it is limited to read at once: few tokens are. */
  private ApiToken row(ResultSet rs, int n) throws SQLException {
    ApiToken token = unlimitedRow(rs);
    return rs.getBoolean("team_limited")
        ? token.withTeams(
            jdbc.sql(
                    "SELECT team_id FROM directory_api_token_team WHERE token_id = :id"
                        + " ORDER BY team_id")
                .param("id", token.id())
                .query(UUID.class)
                .list())
        : token;
  }

  private static ApiToken unlimitedRow(ResultSet rs) throws SQLException {
    return new ApiToken(
        rs.getObject("id", UUID.class),
        rs.getObject("user_id", UUID.class),
        rs.getString("name"),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        instant(rs, "expires_at"),
        instant(rs, "last_used_at"),
        instant(rs, "revoked_at"),
        rs.getBoolean("read_only"),
        null);
  }

  private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }
}
