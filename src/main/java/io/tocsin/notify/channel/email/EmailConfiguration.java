package io.tocsin.notify.channel.email;

import io.tocsin.platform.ServerSecret;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Makes the email channel when an SMTP host is set. A bean method decides this at run time, where a
 * condition on the class would not: the packaged jar's bean definitions are worked out when it is
 * built (Spring AOT), and conditions are settled then, with the build's settings.
 */
@Configuration(proxyBeanMethods = false)
class EmailConfiguration {

  /** No bean (null) without a host: the server then refuses email contact methods with a 422. */
  @Bean
  @Nullable EmailChannel emailChannel(SmtpProperties settings, ServerSecret secret) {
    return settings.host().isBlank() ? null : new EmailChannel(settings, secret);
  }
}
