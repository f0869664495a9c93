package io.tocsin.oncall.api;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.EscalationPolicies.Policy;
import io.tocsin.oncall.EscalationPolicies.PolicyInput;
import io.tocsin.oncall.Schedules;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.Page;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/escalation-policies}, which policy a service follows, and who it would page now.
 */
@RestController
class EscalationPolicyController {

  private final EscalationPolicies policies;
  private final Schedules schedules;
  private final UserService users;
  private final Clock clock;

  EscalationPolicyController(
      EscalationPolicies policies, Schedules schedules, UserService users, Clock clock) {
    this.policies = policies;
    this.schedules = schedules;
    this.users = users;
    this.clock = clock;
  }

  record PolicyChoice(@Nullable UUID policyId) {}

  record Person(UUID id, String name, String email) {}

  record TargetNow(
      String type, UUID id, String name, List<Person> paged, @Nullable String problem) {}

  record LevelNow(int level, int delayMinutes, List<TargetNow> targets) {}

  record ServiceOnCall(
      UUID serviceId,
      Instant at,
      @Nullable UUID policyId,
      @Nullable String policyName,
      int repeat,
      List<LevelNow> levels,
      List<String> problems) {}

  @Operation(
      summary = "Create an escalation policy",
      description =
          "levels, in order: delayMinutes (1-1440, default 30) before the next level, targets"
              + " [{type: user|schedule, id}]; repeat: how often the whole policy runs again"
              + " (0-9).")
  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/api/v1/escalation-policies")
  ResponseEntity<Policy> create(@RequestBody PolicyInput input) {
    Policy policy = policies.create(input);
    return ResponseEntity.created(URI.create("/api/v1/escalation-policies/" + policy.id()))
        .body(policy);
  }

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/api/v1/escalation-policies")
  Page<Policy> list(
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable Integer limit) {
    return policies.list(Page.after(cursor), Page.limit(limit));
  }

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/api/v1/escalation-policies/{id}")
  Policy get(@PathVariable UUID id) {
    return policies.get(id);
  }

  @PreAuthorize("hasRole('ADMIN')")
  @PutMapping("/api/v1/escalation-policies/{id}")
  Policy replace(@PathVariable UUID id, @RequestBody PolicyInput input) {
    return policies.replace(id, input);
  }

  @PreAuthorize("hasRole('ADMIN')")
  @DeleteMapping("/api/v1/escalation-policies/{id}")
  ResponseEntity<Void> delete(@PathVariable UUID id) {
    policies.delete(id);
    return ResponseEntity.noContent().build();
  }

  @Operation(summary = "Choose the escalation policy of a service (null: none)")
  @PreAuthorize("hasRole('ADMIN')")
  @PutMapping("/api/v1/services/{id}/escalation-policy")
  ServiceOnCall assign(@PathVariable UUID id, @RequestBody PolicyChoice choice) {
    policies.assign(id, choice.policyId());
    return onCall(id, null);
  }

  @Operation(
      summary = "Who the service's policy would page now (or at `at`), level by level",
      description =
          "problems lists what would page nobody: no policy, or a schedule with nobody on call.")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/api/v1/services/{id}/oncall")
  ServiceOnCall onCall(
      @PathVariable UUID id, @RequestParam(required = false) @Nullable Instant at) {
    Instant when = at == null ? clock.instant() : at;
    Optional<Policy> found = policies.ofService(id);
    if (found.isEmpty()) {
      return new ServiceOnCall(
          id,
          when,
          null,
          null,
          0,
          List.of(),
          List.of("The service has no escalation policy: its incidents page nobody."));
    }
    Policy policy = found.get();
    List<LevelNow> levels = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (EscalationPolicies.LevelNow level :
        policies.levelsNow(policy, policies.resolverAt(when))) {
      List<TargetNow> targets = new ArrayList<>();
      for (EscalationPolicies.ResolvedTarget resolved : level.targets()) {
        TargetNow now =
            new TargetNow(
                EnumText.canonical(resolved.type()),
                resolved.id(),
                resolved.name(),
                resolved.people().stream().map(EscalationPolicyController::person).toList(),
                resolved.problem());
        if (now.problem() != null) {
          problems.add("Level " + level.level() + ": " + now.problem());
        }
        targets.add(now);
      }
      levels.add(new LevelNow(level.level(), level.delayMinutes(), targets));
    }
    return new ServiceOnCall(
        id, when, policy.id(), policy.name(), policy.repeat(), levels, problems);
  }

  private static Person person(User user) {
    return new Person(user.id(), user.name(), user.email());
  }
}
