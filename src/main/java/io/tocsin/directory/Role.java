package io.tocsin.directory;

import java.util.Locale;

/** What a user may do; each role includes the ones below it. */
public enum Role {
  /** Reads everything: incidents, schedules, services, users. */
  VIEWER,
  /** Also acts on incidents and edits their own profile and contact data. */
  RESPONDER,
  /** Also manages users, teams, services, integrations and settings. */
  ADMIN;

  /** The Spring Security authority that method security checks ({@code hasRole('ADMIN')}). */
  public String authority() {
    return "ROLE_" + name();
  }

  public String canonical() {
    return name().toLowerCase(Locale.ROOT);
  }
}
