package io.tocsin.platform;

import java.time.Instant;

/**
 * Published each time this node's database becomes usable: after the first successful migration and
 * after every recovery. Work that must touch the database once per start (creating the first admin,
 * resuming timers) listens for it instead of running during startup, when the database may be down.
 */
public record DatabaseReady(Instant at, String schemaVersion) {}
