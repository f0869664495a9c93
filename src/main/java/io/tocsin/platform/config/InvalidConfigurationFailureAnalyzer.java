package io.tocsin.platform.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns {@link InvalidConfigurationException} into Spring Boot's startup-failure report, which is
 * logged as one message without a stack trace.
 */
final class InvalidConfigurationFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidConfigurationException cause) {
    return new FailureAnalysis(
        cause.getMessage(),
        "Fix the settings above (environment variables or application properties) and start"
            + " again. The configuration reference is in README.md.",
        cause);
  }
}
