package io.tocsin.directory;

import io.tocsin.directory.team.TeamService;
import io.tocsin.directory.token.ApiTokenService;
import io.tocsin.platform.ForbiddenException;
import io.tocsin.platform.ListQuery;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Who may act on which service, and on what belongs to it (its incidents, the silences that can
 * mute its alerts, its integrations and settings): the one rule, which every command that touches a
 * service asks, whichever way it came in (API, Alertmanager's silence API, console, action link).
 *
 * <p>Admins act everywhere. A responder acts on a service owned by one of their teams, and on a
 * service no team owns, which is everyone's (so an installation without teams works as before). An
 * API token limited to teams acts only on services of those teams, whoever holds it. Roles are
 * checked before this, by each endpoint: a viewer acts on nothing.
 *
 * <p>With {@code TOCSIN_TEAM_VISIBILITY=own}, a person who is not an admin also sees only the
 * services they may act on, and their incidents.
 */
@Component
public class TeamScope {

  /** Who may see what: everyone everything, or each person their teams' services. */
  public enum Visibility {
    ALL,
    OWN
  }

  private final JdbcClient jdbc;
  private final UserService users;
  private final TeamService teamService;
  private final Visibility visibility;

  TeamScope(
      JdbcClient jdbc, UserService users, TeamService teamService, DirectoryProperties properties) {
    this.teamService = teamService;
    this.jdbc = jdbc;
    this.users = users;
    this.visibility = properties.teamVisibility();
  }

  /** A service as the rule sees it: its name, for messages, and the team that owns it. */
  private record Owned(UUID id, String name, @Nullable UUID owner) {}

  /** Who sees what, as the operator set it. */
  public Visibility visibility() {
    return visibility;
  }

  /** The id of the person behind this request, or null outside one (Tocsin's own work). */
  public static @Nullable UUID currentUserId() {
    SignedInUser user = SignedInUser.current();
    return user == null ? null : user.id();
  }

  /**
   * Refuses with 403 unless {@code userId} may act on the service; Tocsin's own work ({@code
   * userId} null) may act on everything.
   */
  public void requireService(@Nullable UUID userId, UUID serviceId) {
    requireServices(userId, List.of(serviceId));
  }

  /** As {@link #requireService}, for every one of {@code serviceIds}. */
  public void requireServices(@Nullable UUID userId, Collection<UUID> serviceIds) {
    if (userId == null) {
      return;
    }
    Reach reach = reach(userId);
    for (UUID serviceId : new LinkedHashSet<>(serviceIds)) {
      Optional<Owned> service = find(serviceId);
      if (service.isPresent() && !reach.covers(service.get().owner())) {
        throw refusal(reach, service.get().name(), service.get().owner());
      }
    }
  }

  /**
   * Refuses with 403 unless {@code userId} may give a service to {@code teamId} (creating it, or
   * moving it there); no team is everyone's, except for a token limited to teams.
   */
  public void requireTeam(@Nullable UUID userId, @Nullable UUID teamId) {
    if (userId == null) {
      return;
    }
    Reach reach = reach(userId);
    if (!reach.covers(teamId)) {
      throw refusal(reach, null, teamId);
    }
  }

  /**
   * Why {@code userId} may not act on the service, in the words a refusal would use; empty when
   * they may. For pages that offer only what works.
   */
  public Optional<String> whyNot(@Nullable UUID userId, UUID serviceId) {
    try {
      requireService(userId, serviceId);
      return Optional.empty();
    } catch (ForbiddenException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * The services the person behind this request may see, or empty when they may see all (every
   * admin, everyone unless visibility is {@link Visibility#OWN}, Tocsin's own work).
   */
  public Optional<Set<UUID>> visibleServices() {
    UUID userId = currentUserId();
    if (visibility == Visibility.ALL || userId == null) {
      return Optional.empty();
    }
    Reach reach = reach(userId);
    if (reach.everywhere()) {
      return Optional.empty();
    }
    Set<UUID> visible = new HashSet<>();
    jdbc
        .sql("SELECT id, name, owner_team_id FROM directory_service")
        .query(TeamScope::owned)
        .list()
        .stream()
        .filter(service -> reach.covers(service.owner()))
        .forEach(service -> visible.add(service.id()));
    return Optional.of(visible);
  }

  /**
   * Keeps in {@code query} only the rows whose {@code serviceColumn} names a service the person
   * behind this request may see: lists of incidents, services and the like.
   */
  public ListQuery narrow(ListQuery query, String serviceColumn) {
    Optional<Set<UUID>> visible = visibleServices();
    if (visible.isEmpty()) {
      return query;
    }
    // An empty IN list would keep everything in ListQuery; nothing visible keeps nothing.
    return visible.get().isEmpty()
        ? query.whereAll("1 = 0", List.of())
        : query.whereIn(serviceColumn, visible.get());
  }

  /** Whether the person behind this request may see the service. */
  public boolean visible(UUID serviceId) {
    return visibleServices().map(visible -> visible.contains(serviceId)).orElse(true);
  }

  /** The service, if it exists: whether a missing one may be named is for its caller to say. */
  private Optional<Owned> find(UUID serviceId) {
    return jdbc.sql("SELECT id, name, owner_team_id FROM directory_service WHERE id = :id")
        .param("id", serviceId)
        .query(TeamScope::owned)
        .optional();
  }

  private static Owned owned(ResultSet rs, int n) throws SQLException {
    return new Owned(
        rs.getObject("id", UUID.class),
        rs.getString("name"),
        rs.getObject("owner_team_id", UUID.class));
  }

  /**
   * Where a person reaches: everywhere, or the teams they are in (narrowed by the request's API
   * token when it is theirs and limited to teams), with or without services that no team owns.
   */
  private Reach reach(UUID userId) {
    // The role as it is now, not as the token shows it: an admin's token limited to teams acts as
    // a responder, yet reaches those teams whether or not the admin is in them.
    Role role =
        users
            .find(userId)
            .map(User::role)
            .orElseThrow(
                () -> new ForbiddenException("outside-team", "This person no longer exists."));
    ApiTokenService.Authenticated token = currentToken(userId);
    Set<UUID> limit = token == null ? null : token.teams();
    if (role == Role.ADMIN) {
      return limit == null ? Reach.EVERYWHERE : new Reach(false, limit, true);
    }
    Set<UUID> teams = new HashSet<>(teamService.teamsOf(userId));
    if (limit != null) {
      teams.retainAll(limit);
    }
    return new Reach(false, teams, limit != null);
  }

  /** The request's API token when it is {@code userId}'s: an action link acts without one. */
  private static ApiTokenService.@Nullable Authenticated currentToken(UUID userId) {
    ApiTokenService.Authenticated token = ApiTokenService.presented();
    return token != null && token.user().id().equals(userId) ? token : null;
  }

  private ForbiddenException refusal(Reach reach, @Nullable String service, @Nullable UUID team) {
    String owner = team == null ? "no team" : "team " + teamName(team);
    String what =
        service != null
            ? "Service " + service + " belongs to " + owner
            : team == null
                ? "A service without an owning team is everyone's"
                : "A service may only be given to your own teams, and " + owner + " is not one";
    String why =
        reach.limitedByToken()
            ? "; this API token is limited to other teams."
            : "; you are not in it. Ask one of its members or an admin.";
    return new ForbiddenException("outside-team", what + why);
  }

  private String teamName(UUID team) {
    return jdbc.sql("SELECT name FROM directory_team WHERE id = :id")
        .param("id", team)
        .query(String.class)
        .optional()
        .orElse(team.toString());
  }

  /**
   * Everywhere, or the given teams' services, and those no team owns unless an API token limited
   * the reach: a token limited to teams was meant to touch those alone.
   */
  private record Reach(boolean everywhere, Set<UUID> teams, boolean limitedByToken) {

    static final Reach EVERYWHERE = new Reach(true, Set.of(), false);

    boolean covers(@Nullable UUID owner) {
      return everywhere || (owner == null ? !limitedByToken : teams.contains(owner));
    }
  }
}
