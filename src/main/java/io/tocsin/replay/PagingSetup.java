package io.tocsin.replay;

import io.tocsin.directory.UserService;
import io.tocsin.directory.team.TeamService;
import io.tocsin.notify.ContactMethods;
import io.tocsin.notify.NotificationRules;
import io.tocsin.notify.NotifyProperties;
import io.tocsin.notify.Subscriptions;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.EscalationProperties;
import io.tocsin.oncall.PagingHold;
import org.springframework.stereotype.Component;

/**
 * Where a replay reads paging as it is set up now: escalation policies and schedules, people's
 * rules and contact methods, subscriptions, holds and the rate limit. Each replay reads through its
 * own {@link CurrentPaging}, which keeps what it read for that replay.
 */
@Component
record PagingSetup(
    EscalationPolicies policies,
    NotificationRules rules,
    ContactMethods methods,
    PagingHold hold,
    EscalationProperties escalation,
    NotifyProperties notifications,
    Subscriptions subscriptions,
    TeamService teams,
    UserService users) {

  /** Paging as set up now, under the replayed configuration's services, policies and schedules. */
  ReplayPaging under(ReplayConfiguration configuration) {
    return new CurrentPaging(this, configuration);
  }
}
