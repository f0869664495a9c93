/**
 * Who uses Tocsin and what they may do: users with their roles, personal API tokens, the first
 * admin of a new installation, authentication of API calls, and the audit trail of configuration
 * changes and security events. Teams, services and integrations join it next.
 *
 * <p>Owns the tables {@code directory_user}, {@code directory_api_token}, {@code directory_setup}
 * and {@code directory_audit_event}.
 */
@ApplicationModule(allowedDependencies = {"platform"})
@NullMarked
package io.tocsin.directory;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
