package io.tocsin.config;

import io.tocsin.directory.User;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.team.Team;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.Schedules;
import io.tocsin.platform.InvalidInputException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The objects of one installation with their ids and names both ways. An import adds what it
 * creates, so that later parts of the document can refer to it by name.
 */
final class Names {

  private final List<Team> teams;
  private final List<CatalogService> services;
  private final List<Schedules.Schedule> schedules;
  private final List<EscalationPolicies.Policy> policies;
  private final Map<UUID, String> emails = new HashMap<>();
  private final Map<String, UUID> userIds = new HashMap<>();
  private final Kind team = new Kind("team");
  private final Kind service = new Kind("service");
  private final Kind schedule = new Kind("schedule");
  private final Kind policy = new Kind("escalation policy");

  Names(
      List<User> users,
      List<Team> teams,
      List<CatalogService> services,
      List<Schedules.Schedule> schedules,
      List<EscalationPolicies.Policy> policies) {
    this.teams = teams;
    this.services = services;
    this.schedules = schedules;
    this.policies = policies;
    users.forEach(
        user -> {
          emails.put(user.id(), user.email());
          userIds.put(user.email().toLowerCase(Locale.ROOT), user.id());
        });
    teams.forEach(t -> team.add(t.id(), t.name()));
    services.forEach(s -> service.add(s.id(), s.name()));
    schedules.forEach(s -> schedule.add(s.id(), s.name()));
    policies.forEach(p -> policy.add(p.id(), p.name()));
  }

  List<Team> teams() {
    return teams;
  }

  List<CatalogService> services() {
    return services;
  }

  List<Schedules.Schedule> schedules() {
    return schedules;
  }

  List<EscalationPolicies.Policy> policies() {
    return policies;
  }

  String email(UUID userId) {
    return emails.getOrDefault(userId, "deleted user " + userId);
  }

  String team(UUID id) {
    return team.name(id);
  }

  String service(UUID id) {
    return service.name(id);
  }

  String schedule(UUID id) {
    return schedule.name(id);
  }

  String policy(UUID id) {
    return policy.name(id);
  }

  /** The person with this email; people are not part of the document, so they must exist. */
  UUID userId(@Nullable String email, String field) {
    UUID id = email == null ? null : userIds.get(email.trim().toLowerCase(Locale.ROOT));
    if (id == null) {
      throw new InvalidInputException(
          field, "no user has the email '" + email + "': create the person before importing");
    }
    return id;
  }

  UUID teamId(@Nullable String name, String field) {
    return team.id(name, field);
  }

  UUID serviceId(@Nullable String name, String field) {
    return service.id(name, field);
  }

  UUID scheduleId(@Nullable String name, String field) {
    return schedule.id(name, field);
  }

  UUID policyId(@Nullable String name, String field) {
    return policy.id(name, field);
  }

  void addTeam(UUID id, String name) {
    team.add(id, name);
  }

  void addService(UUID id, String name) {
    service.add(id, name);
  }

  void addSchedule(UUID id, String name) {
    schedule.add(id, name);
  }

  void addPolicy(UUID id, String name) {
    policy.add(id, name);
  }

  /** Names and ids of one kind of object. */
  private static final class Kind {
    private final String noun;
    private final Map<UUID, String> names = new HashMap<>();
    private final Map<String, UUID> ids = new HashMap<>();

    Kind(String noun) {
      this.noun = noun;
    }

    void add(UUID id, String name) {
      names.put(id, name);
      ids.put(name, id);
    }

    String name(UUID id) {
      return names.getOrDefault(id, "deleted " + noun + " " + id);
    }

    UUID id(@Nullable String name, String field) {
      UUID id = name == null ? null : ids.get(name);
      if (id == null) {
        throw new InvalidInputException(field, "there is no " + noun + " named '" + name + "'");
      }
      return id;
    }
  }
}
