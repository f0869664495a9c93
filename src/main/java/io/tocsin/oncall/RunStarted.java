package io.tocsin.oncall;

import java.util.UUID;

/** An incident's escalation run was written: the worker looks for due steps once it commits. */
record RunStarted(UUID incidentId) {}
