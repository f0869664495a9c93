package io.tocsin.correlate;

import java.util.concurrent.ThreadPoolExecutor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Correlation runs on one thread per node, which correlates whatever batches are waiting together
 * ({@link AlertCorrelation}): batches are serialised by the incident lock anyway. The executor's
 * threads only wait, each for its batch's transaction, without a database connection, so that the
 * batch's publication is completed after that commit.
 *
 * <p>The queue is short, and when it is full the thread that published the batch (an ingestion
 * writer) waits for it itself. That is the backpressure: while correlation lags, ingestion slows
 * down and answers 503 with Retry-After once its own queue is full, instead of queueing alert
 * batches in memory until the heap runs out. Nothing is lost either way: a batch is a durable
 * publication until it has been correlated.
 */
@Configuration(proxyBeanMethods = false)
@EnableAsync
class CorrelationConfiguration {

  static final String EXECUTOR = "correlationExecutor";

  /** Batches waiting for the correlation thread; each holds up to 1,000 alerts. */
  static final int QUEUE = 16;

  /** Batches correlated together at most, one a thread, beside those the queue holds. */
  static final int WAITERS = 16;

  @Bean(name = EXECUTOR)
  ThreadPoolTaskExecutor correlationExecutor() {
    ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
    executor.setCorePoolSize(WAITERS);
    executor.setMaxPoolSize(WAITERS);
    executor.setQueueCapacity(QUEUE);
    executor.setRejectedExecutionHandler(new ThreadPoolExecutor.CallerRunsPolicy());
    executor.setThreadNamePrefix("tocsin-correlate-");
    return executor;
  }
}
