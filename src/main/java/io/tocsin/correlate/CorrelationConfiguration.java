package io.tocsin.correlate;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Correlation runs on one thread per node: batches are serialised by the incident lock anyway, and
 * a second thread would only hold a database connection while it waits for the lock. Queued batches
 * are durable publications, so a node that stops with a queue loses nothing.
 */
@Configuration(proxyBeanMethods = false)
@EnableAsync
class CorrelationConfiguration {

  static final String EXECUTOR = "correlationExecutor";

  @Bean(name = EXECUTOR)
  ThreadPoolTaskExecutor correlationExecutor() {
    ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
    executor.setCorePoolSize(1);
    executor.setMaxPoolSize(1);
    executor.setThreadNamePrefix("tocsin-correlate-");
    return executor;
  }
}
