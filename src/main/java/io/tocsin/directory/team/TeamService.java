package io.tocsin.directory.team;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.UserService;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.ListQuery;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/** TeamService keeps teams and their members; a team that still owns services cannot go. */
@Service
public class TeamService {

  private static final String INSERT =
      """
      INSERT INTO directory_team (id, name, name_key, created_at, updated_at)
      VALUES (:id, :name, :nameKey, :now, :now)
      """;

  private static final String RENAME =
      """
      UPDATE directory_team SET name = :name, name_key = :nameKey, updated_at = :now WHERE id = :id
      """;

  private static final String INSERT_MEMBER =
      """
      INSERT INTO directory_team_member (team_id, user_id, team_role) VALUES (:teamId, :userId, :role)
      """;

  private static final String SELECT =
      "SELECT id, name, created_at, updated_at FROM directory_team";

  private final JdbcClient jdbc;
  private final UserService users;
  private final AuditLog audit;
  private final Clock clock;
  private final IdGenerator ids;

  TeamService(JdbcClient jdbc, UserService users, AuditLog audit, Clock clock, IdGenerator ids) {
    this.jdbc = jdbc;
    this.users = users;
    this.audit = audit;
    this.clock = clock;
    this.ids = ids;
  }

  @Transactional
  public Team create(String name, List<Team.Member> members) {
    UUID id = ids.generateId();
    Instant now = clock.instant();
    String valid = validName(name);
    try {
      jdbc.sql(INSERT)
          .param("id", id)
          .param("name", valid)
          .param("nameKey", valid.toLowerCase(Locale.ROOT))
          .param("now", now.atOffset(ZoneOffset.UTC))
          .update();
    } catch (DuplicateKeyException e) {
      throw new ConflictException("A team named '" + valid + "' already exists.");
    }
    replaceMembers(id, members);
    audit.record("team.created", "team " + id, "created team '" + valid + "'");
    return get(id);
  }

  public Team get(UUID id) {
    return jdbc.sql(SELECT + " WHERE id = :id")
        .param("id", id)
        .query(this::row)
        .optional()
        .map(team -> withMembers(List.of(team)).get(0))
        .orElseThrow(() -> new NotFoundException("There is no team " + id + "."));
  }

  /** The teams {@code userId} is in, whatever their place in each. */
  public Set<UUID> teamsOf(UUID userId) {
    return Set.copyOf(
        jdbc.sql("SELECT team_id FROM directory_team_member WHERE user_id = :user")
            .param("user", userId)
            .query(UUID.class)
            .list());
  }

  public boolean exists(UUID id) {
    return jdbc.sql("SELECT COUNT(*) FROM directory_team WHERE id = :id")
            .param("id", id)
            .query(Long.class)
            .single()
        > 0;
  }

  public Page<Team> list(@Nullable String nameContains, @Nullable UUID after, int limit) {
    return Page.of(
        withMembers(
            ListQuery.from(SELECT)
                .containing("name", nameContains)
                .oldestFirst(jdbc, after, limit, this::row)),
        limit,
        Team::id);
  }

  /** These teams with their members, read in one query for all of them. */
  private List<Team> withMembers(List<Team> found) {
    if (found.isEmpty()) {
      return found;
    }
    Map<UUID, List<Team.Member>> members = new HashMap<>();
    jdbc.sql(
            """
            SELECT team_id, user_id, team_role FROM directory_team_member
            WHERE team_id IN (:ids) ORDER BY user_id
            """)
        .param("ids", found.stream().map(Team::id).toList())
        .query(
            (rs, n) ->
                members
                    .computeIfAbsent(rs.getObject("team_id", UUID.class), k -> new ArrayList<>())
                    .add(
                        new Team.Member(
                            rs.getObject("user_id", UUID.class),
                            EnumText.parse(TeamRole.class, "teamRole", rs.getString("team_role")))))
        .list();
    return found.stream()
        .map(
            team ->
                new Team(
                    team.id(),
                    team.name(),
                    List.copyOf(members.getOrDefault(team.id(), List.of())),
                    team.createdAt(),
                    team.updatedAt()))
        .toList();
  }

  /** Renames the team and, when {@code members} is given, replaces its members. */
  @Transactional
  public Team update(UUID id, @Nullable String name, @Nullable List<Team.Member> members) {
    Team before = get(id);
    List<String> changes = new ArrayList<>();
    if (name != null && !validName(name).equals(before.name())) {
      String valid = validName(name);
      try {
        jdbc.sql(RENAME)
            .param("id", id)
            .param("name", valid)
            .param("nameKey", valid.toLowerCase(Locale.ROOT))
            .param("now", clock.instant().atOffset(ZoneOffset.UTC))
            .update();
      } catch (DuplicateKeyException e) {
        throw new ConflictException("A team named '" + valid + "' already exists.");
      }
      changes.add("name '" + before.name() + "' -> '" + valid + "'");
    }
    if (members != null) {
      replaceMembers(id, members);
      changes.add("members " + describe(before.members()) + " -> " + describe(members));
    }
    if (!changes.isEmpty()) {
      audit.record("team.updated", "team " + id, String.join(", ", changes));
    }
    return get(id);
  }

  /** The team of this name, in any case. */
  public Optional<Team> findByName(String name) {
    return jdbc.sql(SELECT + " WHERE name_key = :nameKey")
        .param("nameKey", name.trim().toLowerCase(Locale.ROOT))
        .query(this::row)
        .optional()
        .map(team -> get(team.id()));
  }

  /**
   * Makes the user a member of the team, or no longer one, on behalf of {@code actor}; a manager
   * stays a manager. Whether anything changed.
   */
  @Transactional
  public boolean setMember(UUID teamId, UUID userId, boolean member, String actor) {
    Team team = get(teamId);
    boolean is = team.members().stream().anyMatch(m -> m.userId().equals(userId));
    if (is == member) {
      return false;
    }
    if (member) {
      jdbc.sql(INSERT_MEMBER)
          .param("teamId", teamId)
          .param("userId", userId)
          .param("role", EnumText.canonical(TeamRole.MEMBER))
          .update();
    } else {
      jdbc.sql("DELETE FROM directory_team_member WHERE team_id = :teamId AND user_id = :userId")
          .param("teamId", teamId)
          .param("userId", userId)
          .update();
    }
    audit.recordAs(
        actor,
        "team.updated",
        "team " + teamId,
        (member ? "added user " : "removed user ")
            + userId
            + (member ? " to '" : " from '")
            + team.name()
            + "'");
    return true;
  }

  @Transactional
  public void delete(UUID id) {
    Team team = get(id);
    List<String> owned =
        jdbc.sql("SELECT name FROM directory_service WHERE owner_team_id = :id ORDER BY name")
            .param("id", id)
            .query(String.class)
            .list();
    if (!owned.isEmpty()) {
      throw new ConflictException(
          "Team '"
              + team.name()
              + "' still owns services: "
              + String.join(", ", owned)
              + ". Give them another owner first.");
    }
    jdbc.sql("DELETE FROM directory_team WHERE id = :id").param("id", id).update();
    audit.record("team.deleted", "team " + id, "deleted team '" + team.name() + "'");
  }

  private void replaceMembers(UUID teamId, List<Team.Member> members) {
    Set<UUID> seen = new HashSet<>();
    for (Team.Member member : members) {
      if (!seen.add(member.userId())) {
        throw new InvalidInputException("members", "lists user " + member.userId() + " twice");
      }
      if (users.find(member.userId()).isEmpty()) {
        throw new InvalidInputException("members", "user " + member.userId() + " does not exist");
      }
    }
    jdbc.sql("DELETE FROM directory_team_member WHERE team_id = :teamId")
        .param("teamId", teamId)
        .update();
    for (Team.Member member : members) {
      jdbc.sql(INSERT_MEMBER)
          .param("teamId", teamId)
          .param("userId", member.userId())
          .param("role", EnumText.canonical(member.teamRole()))
          .update();
    }
  }

  /** A team without its members, which {@link #withMembers} adds. */
  private Team row(ResultSet rs, int n) throws SQLException {
    return new Team(
        rs.getObject("id", UUID.class),
        rs.getString("name"),
        List.of(),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        rs.getObject("updated_at", OffsetDateTime.class).toInstant());
  }

  private static String describe(List<Team.Member> members) {
    return members.stream()
        .map(m -> m.userId() + " (" + EnumText.canonical(m.teamRole()) + ")")
        .toList()
        .toString();
  }

  private static String validName(String name) {
    String trimmed = name.trim();
    if (trimmed.isEmpty() || trimmed.length() > 100) {
      throw new InvalidInputException("name", "must have 1 to 100 characters");
    }
    return trimmed;
  }
}
