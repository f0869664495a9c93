package io.tocsin.replay;

import io.tocsin.correlate.InhibitionRule;
import io.tocsin.correlate.Silence;
import io.tocsin.directory.integration.Grouping;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.DependencyGraph;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.Schedules;
import io.tocsin.platform.Severity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * The configuration a replay runs under: the services with their settings and dependencies, the
 * grouping of each integration, the silences and inhibition rules, whether an incident of a service
 * at a severity would reach anybody, and the candidate's paging.
 *
 * @param policyOfService the services whose escalation policy the candidate sets (empty: none); the
 *     others follow theirs as now
 * @param policies the candidate's escalation policies by id, each in place of the policy of its
 *     name if there is one
 * @param schedules the candidate's schedules by id, likewise; a changed schedule keeps the saved
 *     one's overrides
 */
record ReplayConfiguration(
    Map<UUID, CatalogService> services,
    DependencyGraph graph,
    Function<UUID, Grouping> grouping,
    List<Silence> silences,
    List<InhibitionRule> inhibitionRules,
    BiPredicate<UUID, Severity> reachesSomeone,
    Map<UUID, Optional<UUID>> policyOfService,
    Map<UUID, EscalationPolicies.Policy> policies,
    Map<UUID, Schedules.Schedule> schedules) {}
