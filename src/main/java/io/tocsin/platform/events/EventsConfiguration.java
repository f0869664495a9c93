package io.tocsin.platform.events;

import io.tocsin.platform.AsynchronousCommit;
import io.tocsin.platform.config.InvalidConfigurationException;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.interceptor.AsyncUncaughtExceptionHandler;
import org.springframework.aop.interceptor.SimpleAsyncUncaughtExceptionHandler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.AsyncConfigurer;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Durable domain events between modules: Spring Modulith's registry records a publication per
 * transactional listener in the publishing transaction, so an event whose listener has not run when
 * the node dies is delivered again by another node or after the restart.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class EventsConfiguration {

  @Bean
  EventPublicationStore eventPublicationRepository(
      JdbcClient jdbc,
      JsonMapper json,
      PlatformTransactionManager transactions,
      AsynchronousCommit asynchronous,
      Clock clock,
      DeadPublications dead,
      @Value("${tocsin.events.max-attempts:10}") int maxAttempts,
      @Value("${tocsin.events.retry-backoff:15s}") Duration backoff,
      @Value("${tocsin.events.retry-max-backoff:10m}") Duration maxBackoff) {
    return new EventPublicationStore(
        jdbc,
        json,
        new TransactionTemplate(transactions),
        asynchronous,
        clock,
        dead,
        retries(maxAttempts, backoff, maxBackoff));
  }

  /** The retry settings, or the start stops naming each bad one. */
  static EventPublicationStore.Retries retries(
      int maxAttempts, Duration backoff, Duration maxBackoff) {
    List<String> problems = new ArrayList<>();
    if (maxAttempts < 1) {
      problems.add(
          "TOCSIN_EVENTS_MAX_ATTEMPTS (tocsin.events.max-attempts) is "
              + maxAttempts
              + ": a listener needs at least 1 attempt");
    }
    if (backoff.isNegative() || backoff.isZero()) {
      problems.add(
          "TOCSIN_EVENTS_RETRY_BACKOFF (tocsin.events.retry-backoff) is "
              + backoff
              + ": it must be longer than zero");
    }
    if (maxBackoff.compareTo(backoff) < 0) {
      problems.add(
          "TOCSIN_EVENTS_RETRY_MAX_BACKOFF (tocsin.events.retry-max-backoff) is "
              + maxBackoff
              + ": it must be at least tocsin.events.retry-backoff ("
              + backoff
              + ")");
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigurationException(problems);
    }
    return new EventPublicationStore.Retries(maxAttempts, backoff, maxBackoff);
  }

  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  static ListenerFailures listenerFailures() {
    return new ListenerFailures();
  }

  /**
   * A durable listener's failure is the store's to report (a warning per failure, an error when the
   * publication is dead); logged here too, with its stack trace, it once made 217 error lines in 40
   * minutes for one cause. Other asynchronous methods' failures are logged as Spring logs them.
   */
  @Bean
  static AsyncConfigurer listenerFailureLogging() {
    AsyncUncaughtExceptionHandler others = new SimpleAsyncUncaughtExceptionHandler();
    return new AsyncConfigurer() {
      @Override
      public @Nullable AsyncUncaughtExceptionHandler getAsyncUncaughtExceptionHandler() {
        return (Throwable failure, Method method, @Nullable Object... parameters) -> {
          if (!ListenerFailures.isDurableListener(method)) {
            others.handleUncaughtException(failure, method, parameters);
          }
        };
      }
    };
  }
}
