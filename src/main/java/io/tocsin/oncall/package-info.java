/**
 * Who must answer now: schedules (layers of rotations with restrictions, and overrides), computed
 * in each schedule's time zone so that handoffs keep their local time across daylight-saving
 * changes. Escalation policies and their durable timers join it next.
 */
@ApplicationModule(allowedDependencies = {"platform", "directory", "directory::service"})
@NullMarked
package io.tocsin.oncall;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
