package io.tocsin.platform;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;

/**
 * Lets a module add authentication (filters, providers) to the one security filter chain that
 * platform builds, without platform knowing about users or tokens, and the rules and answers of its
 * own paths: contributions are applied before platform's own rules and its 401 and 403 answers, so
 * theirs match first (the console sends a browser to its sign-in page). Authorization of API
 * endpoints is declared on the controllers themselves with method security.
 */
@FunctionalInterface
public interface HttpSecurityContribution {

  /**
   * The request attribute a contributed filter sets, before platform's CSRF filter runs, when it
   * authenticated the request from its {@code Authorization} header: such a request carries no
   * ambient credential to forge, so it needs no CSRF token.
   */
  String AUTHENTICATED_BY_HEADER = HttpSecurityContribution.class.getName() + ".byHeader";

  void contribute(HttpSecurity http) throws Exception;
}
