package io.tocsin.directory.team;

import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/teams}: admins manage teams and their members; everybody reads them. */
@RestController
@RequestMapping("/api/v1/teams")
class TeamController {

  private final TeamService teams;

  TeamController(TeamService teams) {
    this.teams = teams;
  }

  record MemberInput(@NotNull UUID userId, @Nullable TeamRole teamRole) {
    Team.Member toMember() {
      return new Team.Member(userId, teamRole == null ? TeamRole.MEMBER : teamRole);
    }
  }

  record CreateTeam(@NotNull String name, @Nullable List<@Valid MemberInput> members) {}

  record ChangeTeam(@Nullable String name, @Nullable List<@Valid MemberInput> members) {}

  @PostMapping
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<Team> create(@Valid @RequestBody CreateTeam request) {
    Team team = teams.create(request.name(), members(request.members()));
    return ResponseEntity.created(URI.create("/api/v1/teams/" + team.id())).body(team);
  }

  @GetMapping
  @PreAuthorize("hasRole('VIEWER')")
  Page<Team> list(
      @RequestParam(required = false) @Nullable String name,
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable Integer limit) {
    return teams.list(name, Page.after(cursor), Page.limit(limit));
  }

  @GetMapping("/{id}")
  @PreAuthorize("hasRole('VIEWER')")
  Team get(@PathVariable UUID id) {
    return teams.get(id);
  }

  @PatchMapping("/{id}")
  @PreAuthorize("hasRole('ADMIN')")
  Team update(@PathVariable UUID id, @Valid @RequestBody ChangeTeam request) {
    return teams.update(
        id, request.name(), request.members() == null ? null : members(request.members()));
  }

  @DeleteMapping("/{id}")
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<Void> delete(@PathVariable UUID id) {
    teams.delete(id);
    return ResponseEntity.noContent().build();
  }

  private static List<Team.Member> members(@Nullable List<MemberInput> members) {
    if (members == null) {
      return List.of();
    }
    for (int i = 0; i < members.size(); i++) {
      if (members.get(i) == null) {
        throw new InvalidInputException("members[" + i + "]", "must be a member object, not null");
      }
    }
    return members.stream().map(MemberInput::toMember).toList();
  }
}
