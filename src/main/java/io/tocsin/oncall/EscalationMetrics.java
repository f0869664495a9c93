package io.tocsin.oncall;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tocsin.platform.AfterCommit;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Paging as Prometheus sees it, counted once the step commits. Labels stay bounded: a level is 1 to
 * {@link EscalationPolicies#MAX_LEVELS}, a problem one of a few words.
 */
@Component
class EscalationMetrics {

  /** Why a run paged nobody at some point. */
  enum Problem {
    NO_POLICY,
    NOBODY_ON_CALL,
    POLICY_DELETED
  }

  private static final Duration[] BUCKETS = {
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(5)
  };

  private final MeterRegistry registry;
  private final Map<Integer, Counter> pages = new ConcurrentHashMap<>();
  private final Map<Problem, Counter> problems = new ConcurrentHashMap<>();
  private final Counter exhausted;
  private final Timer lag;

  EscalationMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.exhausted =
        Counter.builder("tocsin.escalations.exhausted")
            .description("Escalation runs that went through every level and round unanswered")
            .register(registry);
    this.lag =
        Timer.builder("tocsin.escalation.lag")
            .description("From the time an escalation step was due to the time it ran")
            .serviceLevelObjectives(BUCKETS)
            .register(registry);
    for (Problem problem : Problem.values()) {
      problems.put(
          problem,
          Counter.builder("tocsin.escalation.problems")
              .description("Escalation steps that could not page someone they should have")
              .tag("problem", problem.name().toLowerCase(java.util.Locale.ROOT))
              .register(registry));
    }
  }

  void paged(int level, int people) {
    Counter counter =
        pages.computeIfAbsent(
            level,
            l ->
                Counter.builder("tocsin.pages.requested")
                    .description("Pages requested, one per person and escalation step")
                    .tag("level", Integer.toString(l))
                    .register(registry));
    AfterCommit.run(() -> counter.increment(people));
  }

  void exhausted() {
    AfterCommit.run(exhausted::increment);
  }

  void problem(Problem problem) {
    AfterCommit.run(Objects.requireNonNull(problems.get(problem))::increment);
  }

  void ranLate(Duration late) {
    AfterCommit.run(() -> lag.record(late.isNegative() ? Duration.ZERO : late));
  }
}
