package io.tocsin.platform.events;

import io.tocsin.platform.AsynchronousCommit;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.core.EventPublicationRepository;
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
  EventPublicationRepository eventPublicationRepository(
      JdbcClient jdbc,
      JsonMapper json,
      PlatformTransactionManager transactions,
      AsynchronousCommit asynchronous) {
    return new EventPublicationStore(
        jdbc, json, new TransactionTemplate(transactions), asynchronous);
  }
}
