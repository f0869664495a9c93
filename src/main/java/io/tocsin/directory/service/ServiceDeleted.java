package io.tocsin.directory.service;

import java.util.UUID;

/**
 * A service was deleted. Published inside the deleting transaction, so that a module keeping
 * something per service (the escalation policy it follows) lets go of it in the same commit: a row
 * left behind would name a service nobody can see, and keep what it points at from being deleted.
 */
public record ServiceDeleted(UUID id, String name) {}
