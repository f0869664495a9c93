package io.tocsin.directory.team;

/** A member's place in a team. */
public enum TeamRole {
  /** Is on the team: its schedules and escalations may name them. */
  MEMBER,
  /** Also speaks for the team: the contact for its services. */
  MANAGER
}
