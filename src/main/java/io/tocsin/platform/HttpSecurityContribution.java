package io.tocsin.platform;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;

/**
 * Lets a module add authentication (filters, providers) to the one security filter chain that
 * platform builds, without platform knowing about users or tokens. Authorization of endpoints is
 * declared on the controllers themselves with method security.
 */
@FunctionalInterface
public interface HttpSecurityContribution {

  void contribute(HttpSecurity http) throws Exception;
}
