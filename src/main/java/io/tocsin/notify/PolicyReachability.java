package io.tocsin.notify;

import io.tocsin.directory.User;
import io.tocsin.incident.CauseReachability;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.EscalationPolicies.LevelNow;
import io.tocsin.oncall.EscalationPolicies.ResolvedTarget;
import io.tocsin.platform.Severity;
import java.time.Clock;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * A service's incident reaches someone when any level of its policy resolves, now, to a person with
 * a verified contact method in their rules for the incident's urgency.
 */
@Component
class PolicyReachability implements CauseReachability {

  private final EscalationPolicies policies;
  private final NotificationRules rules;
  private final Clock clock;

  PolicyReachability(EscalationPolicies policies, NotificationRules rules, Clock clock) {
    this.policies = policies;
    this.rules = rules;
    this.clock = clock;
  }

  @Override
  public boolean reachesSomeone(UUID serviceId, Severity severity) {
    NotificationRules.Urgency urgency = NotificationRules.Urgency.of(severity);
    return policies
        .ofService(serviceId)
        .map(
            policy ->
                policies.levelsNow(policy, policies.resolverAt(clock.instant())).stream()
                    .map(LevelNow::targets)
                    .flatMap(targets -> targets.stream().map(ResolvedTarget::people))
                    .flatMap(people -> people.stream().map(User::id))
                    .distinct()
                    .anyMatch(user -> !rules.planned(user, urgency).isEmpty()))
        .orElse(false);
  }
}
