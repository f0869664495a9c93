package io.tocsin.directory.sso;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.Role;
import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.directory.UserService.UserChanges;
import io.tocsin.directory.team.Team;
import io.tocsin.directory.team.TeamService;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.InvalidInputException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The Tocsin account of a person who signed in through an identity provider: found by the
 * provider's subject, else by a verified email (an account an admin made before single sign-on),
 * else created. Every sign-in brings the person's name, email and role (from their groups) up to
 * date, so a change at the provider reaches Tocsin at the next sign-in.
 */
@Service
class SsoAccounts {

  private static final Log log = LogFactory.getLog(SsoAccounts.class);

  private final UserService users;
  private final TeamService teams;
  private final UserIdentities identities;
  private final AuditLog audit;
  private final SsoProperties settings;
  private final Clock clock;

  SsoAccounts(
      UserService users,
      TeamService teams,
      UserIdentities identities,
      AuditLog audit,
      SsoProperties settings,
      Clock clock) {
    this.users = users;
    this.teams = teams;
    this.identities = identities;
    this.audit = audit;
    this.settings = settings;
    this.clock = clock;
  }

  /** Another sign-in of the same person made their account first; this one starts again. */
  static final class AtOnce extends RuntimeException {
    AtOnce(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** Why a person who proved who they are may still not use Tocsin. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message);
    }
  }

  /**
   * The account of the person these claims (ID token and user info together) describe, created or
   * updated; {@link Refused} when their groups give no role or their email is missing or taken.
   */
  @Transactional
  SignedInUser signIn(String provider, Map<String, Object> claims) {
    SsoProperties.Provider settingsOf = settings.providers().get(provider);
    String via = label(provider);
    String subject = text(claims.get("sub"));
    String email = text(claims.get("email"));
    if (subject == null) {
      throw new Refused(via + " sent no subject for this account.");
    }
    if (email == null) {
      throw new Refused(
          via + " sent no email for this account. Ask your admin to add the email scope.");
    }
    List<String> groups =
        groups(claims.get(settingsOf == null ? "groups" : settingsOf.groupsClaim()));
    Role role =
        roleOf(groups)
            .orElseThrow(
                () ->
                    new Refused(
                        "Your account at "
                            + via
                            + " is in no group that gives access to Tocsin"
                            + (groups.isEmpty()
                                ? ""
                                : " (your groups: " + String.join(", ", groups) + ")")
                            + ". Ask your admin to map one of your groups to a role."));
    String name = nameOf(claims, email);
    Optional<UUID> linked = identities.user(provider, subject);
    Optional<User> existing = linked.isPresent() ? Optional.empty() : users.findByEmail(email);
    if (existing.isPresent()) {
      // The same person's sign-in in another tab may have made and linked it since the first look.
      linked = identities.user(provider, subject);
    }
    UUID userId;
    if (linked.isPresent()) {
      userId = linked.get();
      bringUpToDate(users.get(userId), name, email, role, via);
      identities.signedIn(provider, subject, clock.instant());
    } else {
      if (existing.isPresent() && !Boolean.TRUE.equals(claims.get("email_verified"))) {
        throw new Refused(
            "Tocsin already has an account with the email "
                + email
                + ", and "
                + via
                + " does not say that this email is verified, so it cannot be joined to it. Ask"
                + " your admin.");
      }
      User user =
          existing.isPresent()
              ? bringUpToDate(existing.get(), name, email, role, via)
              : create(name, email, role, zoneOf(claims), via);
      userId = user.id();
      identities.link(provider, subject, userId, clock.instant());
    }
    joinTeams(userId, groups, email + " (groups at " + via + ")");
    audit.recordAs(email, "login.succeeded", "user " + userId, "sign-in through " + via);
    return users
        .signedIn(userId)
        .orElseThrow(() -> new IllegalStateException("the user signed in is gone"));
  }

  /** Keeps the teams the mapping names in step with the person's groups; leaves the others. */
  private void joinTeams(UUID userId, List<String> groups, String actor) {
    settings
        .teamGroups()
        .forEach(
            (name, teamGroups) -> {
              Optional<Team> team = teams.findByName(name);
              if (team.isEmpty()) {
                log.warn(
                    "TOCSIN_SSO_TEAMS names team '" + name + "', which does not exist: skipped");
                return;
              }
              teams.setMember(
                  team.get().id(), userId, teamGroups.stream().anyMatch(groups::contains), actor);
            });
  }

  /** The name of the provider as its sign-in button shows it. */
  String label(String provider) {
    SsoProperties.Provider configured = settings.providers().get(provider);
    return configured == null ? provider : configured.label(provider);
  }

  private User create(String name, String email, Role role, String zone, String via) {
    try {
      return users.createSignedInElsewhere(name, email, role, zone, via);
    } catch (ConflictException e) {
      // Nobody had this email a moment ago: another sign-in of the same person just made it.
      throw new AtOnce(e);
    } catch (InvalidInputException e) {
      throw new Refused(via + " sent an account Tocsin cannot take: " + e.getMessage());
    }
  }

  private User bringUpToDate(User user, String name, String email, Role role, String via) {
    String actor = email + " (groups at " + via + ")";
    User current = user;
    if (!user.name().equals(name) || !user.email().equalsIgnoreCase(email)) {
      try {
        current =
            users.update(
                user.id(),
                new UserChanges(
                    user.name().equals(name) ? null : name,
                    user.email().equalsIgnoreCase(email) ? null : email,
                    null,
                    null,
                    null),
                actor);
      } catch (ConflictException e) {
        throw new Refused(e.getMessage());
      } catch (InvalidInputException e) {
        throw new Refused(via + " sent an account Tocsin cannot take: " + e.getMessage());
      }
    }
    if (current.role() == role) {
      return current;
    }
    try {
      return users.update(user.id(), new UserChanges(null, null, role, null, null), actor);
    } catch (ConflictException e) {
      // The last admin, whose groups no longer make them one: they stay admin until another is.
      audit.recordAs(
          actor, "user.role_kept", "user " + user.id(), "kept role admin: " + e.getMessage());
      return current;
    }
  }

  /** The highest role any of the groups gives. */
  Optional<Role> roleOf(Collection<String> groups) {
    SsoProperties.Roles roles = settings.roles();
    if (groups.stream().anyMatch(roles.admin()::contains)) {
      return Optional.of(Role.ADMIN);
    }
    if (groups.stream().anyMatch(roles.responder()::contains)) {
      return Optional.of(Role.RESPONDER);
    }
    if (groups.stream().anyMatch(roles.viewer()::contains)) {
      return Optional.of(Role.VIEWER);
    }
    return Optional.empty();
  }

  /** A claim that lists groups: a JSON array, or one string (some providers send one group so). */
  static List<String> groups(@Nullable Object claim) {
    List<String> groups = new ArrayList<>();
    if (claim instanceof Collection<?> many) {
      many.forEach(group -> groups.add(String.valueOf(group)));
    } else if (claim instanceof String one && !one.isBlank()) {
      groups.add(one);
    }
    return groups;
  }

  private static String nameOf(Map<String, Object> claims, String email) {
    String name = text(claims.get("name"));
    if (name != null) {
      return name;
    }
    String given = text(claims.get("given_name"));
    String family = text(claims.get("family_name"));
    if (given != null || family != null) {
      return ((given == null ? "" : given) + " " + (family == null ? "" : family)).trim();
    }
    String preferred = text(claims.get("preferred_username"));
    return preferred != null ? preferred : email;
  }

  /** The person's time zone when the provider gives a valid one ({@code zoneinfo}), else UTC. */
  private static String zoneOf(Map<String, Object> claims) {
    String zone = text(claims.get("zoneinfo"));
    if (zone == null) {
      return "UTC";
    }
    try {
      return ZoneId.of(zone).getId();
    } catch (DateTimeException e) {
      return "UTC";
    }
  }

  private static @Nullable String text(@Nullable Object claim) {
    return claim == null || claim.toString().isBlank() ? null : claim.toString().trim();
  }
}
