/**
 * Who must answer now, and who next: schedules (layers of rotations with restrictions, and
 * overrides), computed in each schedule's time zone so that handoffs keep their local time across
 * daylight-saving changes; escalation policies; and the escalation run of every incident, whose
 * durable timer climbs the policy until someone acknowledges and publishes {@link
 * io.tocsin.oncall.PageRequested} for each person to page.
 *
 * <p>Owns the tables {@code oncall_schedule}, {@code oncall_override}, {@code
 * oncall_escalation_policy}, {@code oncall_escalation_policy_target}, {@code
 * oncall_service_policy}, {@code oncall_calendar_feed}, {@code oncall_escalation}, {@code
 * oncall_escalation_step} and {@code oncall_page}.
 */
@ApplicationModule(
    allowedDependencies = {"platform", "directory", "directory::service", "incident"})
@NullMarked
package io.tocsin.oncall;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
