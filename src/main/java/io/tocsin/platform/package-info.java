/**
 * What every module needs and no module owns: settings and their validation at startup, the clock,
 * the database connection with its migrations and availability, security, request ids,
 * error-to-HTTP mapping (problem details) and the shared enum parsing.
 *
 * <p>Owns the tables {@code platform_node}, {@code platform_event_publication} (the event
 * publication registry behind the modules' durable events) and {@code platform_config_generation}
 * (what lets each node keep configuration in memory) and {@code platform_job} (the lease of work
 * one node does at a time, such as the retention sweep). Flyway keeps its own {@code
 * flyway_schema_history}.
 */
@ApplicationModule(allowedDependencies = {})
@NullMarked
package io.tocsin.platform;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
