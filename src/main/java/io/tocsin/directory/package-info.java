/**
 * Who uses Tocsin and what they may do: users with their roles, personal API tokens, the first
 * admin of a new installation, authentication of API calls, and the audit trail of configuration
 * changes and security events. Teams, services with their dependencies, and integrations live in
 * its sub-packages.
 *
 * <p>Owns the tables {@code directory_user}, {@code directory_api_token}, {@code
 * directory_api_token_team}, {@code directory_setup}, {@code directory_audit_event}, {@code
 * directory_sign_in_throttle}, {@code directory_team}, {@code directory_team_member}, {@code
 * directory_service}, {@code directory_service_dependency}, {@code directory_dependency_lock},
 * {@code directory_integration} and {@code directory_integration_key}.
 */
@ApplicationModule(allowedDependencies = {"platform"})
@NullMarked
package io.tocsin.directory;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
