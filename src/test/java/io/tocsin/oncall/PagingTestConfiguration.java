package io.tocsin.oncall;

import io.tocsin.testing.TestClock;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * What the escalation tests add to a node: their clock in place of the system's, shared by every
 * node as real nodes share the time, and a record of every page a node committed. A source of those
 * tests' harnesses only: it carries no {@code @Configuration}, which component scanning would find
 * and put into every harness of the test run.
 */
class PagingTestConfiguration {

  static final TestClock CLOCK = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  static final Queue<Recorded> PAGES = new ConcurrentLinkedQueue<>();

  /** A page, and the node (by its port) whose transaction committed it. */
  record Recorded(String node, PageRequested page) {}

  @Bean
  @Primary
  Clock testClock() {
    return CLOCK;
  }

  @Bean
  Recorder pageRecorder(Environment environment) {
    return new Recorder(environment);
  }

  static class Recorder {
    private final Environment environment;

    Recorder(Environment environment) {
      this.environment = environment;
    }

    @TransactionalEventListener
    void paged(PageRequested page) {
      PAGES.add(new Recorded(environment.getProperty("local.server.port"), page));
    }
  }
}
