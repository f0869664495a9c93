package io.tocsin.platform.events;

import io.tocsin.platform.AsynchronousCommit;
import io.tocsin.platform.PlatformProperties;
import io.tocsin.platform.config.InvalidConfigurationException;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.interceptor.AsyncUncaughtExceptionHandler;
import org.springframework.aop.interceptor.SimpleAsyncUncaughtExceptionHandler;
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
      PlatformProperties settings) {
    PlatformProperties.Events events = settings.events();
    return new EventPublicationStore(
        jdbc,
        json,
        new TransactionTemplate(transactions),
        asynchronous,
        clock,
        dead,
        retries(events.maxAttempts(), events.retryBackoff(), events.retryMaxBackoff()));
  }

  /** The retry settings, or the start stops naming each bad one. */
  static EventPublicationStore.Retries retries(
      int maxAttempts, Duration backoff, Duration maxBackoff) {
    List<String> problems =
        PlatformProperties.Events.retryProblems(maxAttempts, backoff, maxBackoff);
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
