package io.tocsin.replay;

import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.team.Team;
import io.tocsin.directory.team.TeamService;
import io.tocsin.notify.ContactMethod;
import io.tocsin.notify.ContactMethods;
import io.tocsin.notify.NotificationRules;
import io.tocsin.notify.NotificationRules.Urgency;
import io.tocsin.notify.NotifyProperties;
import io.tocsin.notify.Subscriptions;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.EscalationPolicies.Policy;
import io.tocsin.oncall.EscalationPolicies.ResolvedTarget;
import io.tocsin.oncall.EscalationPolicies.Target;
import io.tocsin.oncall.PagingHold;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.NotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Paging as it is set up now: the escalation policies, schedules (with their overrides) and
 * people's rules and verified contact methods, read once per replay and kept for it. The services'
 * holds and policies follow the replayed configuration, as a candidate may change them.
 */
final class CurrentPaging implements ReplayPaging {

  private final EscalationPolicies policies;
  private final NotificationRules rules;
  private final ContactMethods methods;
  private final PagingHold hold;
  private final Duration firstPageDelay;
  private final NotifyProperties notify;
  private final ReplayConfiguration configuration;
  private final Map<UUID, UUID> policyOfService;
  private final Map<UUID, Optional<Policy>> byId = new HashMap<>();
  private final Map<String, List<Step>> steps = new HashMap<>();
  private final Map<UUID, List<User>> subscribers = new HashMap<>();
  private final Subscriptions subscriptions;
  private final TeamService teams;
  private final UserService users;

  CurrentPaging(PagingSetup setup, ReplayConfiguration configuration) {
    this.policies = setup.policies();
    this.rules = setup.rules();
    this.methods = setup.methods();
    this.hold = setup.hold();
    this.firstPageDelay = setup.escalation().firstPageDelay();
    this.notify = setup.notifications();
    this.subscriptions = setup.subscriptions();
    this.teams = setup.teams();
    this.users = setup.users();
    this.configuration = configuration;
    this.policyOfService = policies.policiesOfServices();
  }

  @Override
  public Optional<Policy> policyOf(UUID serviceId) {
    Optional<UUID> set = configuration.policyOfService().get(serviceId);
    Optional<UUID> policy = set != null ? set : Optional.ofNullable(policyOfService.get(serviceId));
    return policy.flatMap(
        id -> {
          Policy candidate = configuration.policies().get(id);
          return candidate != null
              ? Optional.of(candidate)
              : byId.computeIfAbsent(id, policies::findById);
        });
  }

  @Override
  public List<User> subscribersOf(UUID serviceId) {
    return subscribers.computeIfAbsent(
        serviceId,
        service -> {
          Map<UUID, User> people = new LinkedHashMap<>();
          List<Subscriptions.Subscription> following;
          try {
            following = subscriptions.list(service);
          } catch (NotFoundException e) {
            return List.of();
          }
          for (Subscriptions.Subscription subscription : following) {
            List<UUID> ids =
                subscription.kind() == Subscriptions.Kind.USER
                    ? List.of(subscription.subscriberId())
                    : teams.exists(subscription.subscriberId())
                        ? teams.get(subscription.subscriberId()).members().stream()
                            .map(Team.Member::userId)
                            .toList()
                        : List.of();
            ids.forEach(id -> users.find(id).ifPresent(user -> people.putIfAbsent(id, user)));
          }
          return List.copyOf(people.values());
        });
  }

  @Override
  public int rateLimit() {
    return notify.rateLimit();
  }

  @Override
  public Duration rateWindow() {
    return notify.rateLimitWindow();
  }

  @Override
  public Function<Target, ResolvedTarget> resolverAt(Instant at) {
    return policies.resolverAt(at, configuration.schedules());
  }

  @Override
  public Duration firstPageWait(UUID serviceId) {
    CatalogService service = configuration.services().get(serviceId);
    Optional<Duration> held = service == null ? Optional.empty() : hold.holdFor(service);
    return held.filter(h -> h.compareTo(firstPageDelay) > 0).orElse(firstPageDelay);
  }

  @Override
  public List<Step> steps(User person, Urgency urgency) {
    return steps.computeIfAbsent(
        person.id() + " " + urgency,
        key -> {
          Map<UUID, ContactMethod> verified = new HashMap<>();
          for (ContactMethod method : methods.list(person.id())) {
            if (method.verifiedAt() != null && method.unreadable() == null) {
              verified.put(method.id(), method);
            }
          }
          List<Step> planned = new ArrayList<>();
          for (NotificationRules.Step step :
              rules.get(person.id()).steps().getOrDefault(EnumText.canonical(urgency), List.of())) {
            ContactMethod method =
                step.contactMethodId() == null ? null : verified.get(step.contactMethodId());
            if (method != null) {
              planned.add(
                  new Step(
                      method.type(),
                      Duration.ofMinutes(step.delayMinutes() == null ? 0 : step.delayMinutes())));
            }
          }
          return List.copyOf(planned);
        });
  }
}
