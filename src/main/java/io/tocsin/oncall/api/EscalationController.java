package io.tocsin.oncall.api;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.incident.Actor;
import io.tocsin.incident.Incident;
import io.tocsin.incident.Incidents;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.Escalations;
import io.tocsin.oncall.Escalations.Escalation;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** An incident's escalation: who was paged, who is next, and escalating or reassigning by hand. */
@RestController
@RequestMapping("/api/v1/incidents/{ref}")
class EscalationController {

  private final Escalations escalations;
  private final EscalationPolicies policies;
  private final Incidents incidents;
  private final UserService users;

  EscalationController(
      Escalations escalations,
      EscalationPolicies policies,
      Incidents incidents,
      UserService users) {
    this.escalations = escalations;
    this.policies = policies;
    this.incidents = incidents;
    this.users = users;
  }

  record PolicyName(UUID id, String name) {}

  record Person(UUID id, String name, String email) {}

  record PageView(UUID id, Person user, String via, Instant requestedAt) {}

  record StepView(
      int step,
      int level,
      int round,
      String reason,
      String by,
      Instant dueAt,
      Instant executedAt,
      double lagSeconds,
      List<PageView> paged,
      List<String> problems) {}

  record EscalationView(
      UUID incidentId,
      long incidentNumber,
      String status,
      @Nullable PolicyName policy,
      @Nullable Integer nextLevel,
      @Nullable Integer nextRound,
      @Nullable Instant nextAt,
      Instant startedAt,
      @Nullable Instant endedAt,
      @Nullable String endReason,
      List<Person> currentlyPaged,
      List<StepView> steps) {}

  record EscalateRequest(@Nullable Integer level) {}

  record ReassignRequest(@Nullable UUID userId, @Nullable UUID escalationPolicyId) {}

  @Operation(
      summary = "The incident's escalation: every level paged, who is paged now, what comes next",
      description =
          "status is active (nextAt says when the next level is paged), stopped (acknowledged or"
              + " resolved), exhausted (every round paged, nobody acknowledged) or no_policy.")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/escalation")
  EscalationView escalation(@PathVariable String ref) {
    return view(escalations.get(incidents.find(ref).id()));
  }

  @Operation(
      summary = "Page the next level now, or the level given",
      description =
          "On an open incident the escalation goes on from that level; on an acknowledged one the"
              + " level is paged once.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/escalate")
  EscalationView escalate(
      @PathVariable String ref, @RequestBody(required = false) @Nullable EscalateRequest request) {
    Incident incident = incidents.find(ref);
    return view(
        escalations.escalate(
            incident.id(), request == null ? null : request.level(), Actor.current()));
  }

  @Operation(
      summary = "Hand the incident to a person (assigned and paged now) or to another policy",
      description = "Name exactly one of userId and escalationPolicyId.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/reassign")
  EscalationView reassign(@PathVariable String ref, @RequestBody ReassignRequest request) {
    Incident incident = incidents.find(ref);
    if ((request.userId() == null) == (request.escalationPolicyId() == null)) {
      throw new InvalidInputException(
          "userId", "name exactly one of userId and escalationPolicyId");
    }
    if (request.userId() != null) {
      return view(escalations.reassignToUser(incident.id(), request.userId(), Actor.current()));
    }
    return view(
        escalations.reassignToPolicy(incident.id(), request.escalationPolicyId(), Actor.current()));
  }

  private EscalationView view(Escalation escalation) {
    Map<UUID, Person> people = new HashMap<>();
    List<StepView> steps =
        escalation.steps().stream()
            .map(
                step ->
                    new StepView(
                        step.step(),
                        step.level(),
                        step.round(),
                        EnumText.canonical(step.reason()),
                        step.actor(),
                        step.dueAt(),
                        step.executedAt(),
                        step.lag().toNanos() / 1e9,
                        step.pages().stream()
                            .map(
                                page ->
                                    new PageView(
                                        page.pageId(),
                                        people.computeIfAbsent(page.userId(), this::person),
                                        page.via(),
                                        page.requestedAt()))
                            .toList(),
                        step.problems()))
            .toList();
    List<Person> current =
        steps.isEmpty()
            ? List.of()
            : steps.get(steps.size() - 1).paged().stream().map(PageView::user).toList();
    boolean active = escalation.status() == Escalations.Status.ACTIVE;
    return new EscalationView(
        escalation.incidentId(),
        escalation.incidentNumber(),
        EnumText.canonical(escalation.status()),
        escalation.policyId() == null
            ? null
            : policies
                .findById(escalation.policyId())
                .map(policy -> new PolicyName(policy.id(), policy.name()))
                .orElse(new PolicyName(escalation.policyId(), "deleted policy")),
        active ? escalation.nextLevel() : null,
        active ? escalation.nextRound() : null,
        escalation.nextAt(),
        escalation.startedAt(),
        escalation.endedAt(),
        escalation.endReason(),
        current,
        steps);
  }

  private Person person(UUID id) {
    return users
        .find(id)
        .map(EscalationController::person)
        .orElse(new Person(id, "deleted user", ""));
  }

  private static Person person(User user) {
    return new Person(user.id(), user.name(), user.email());
  }
}
