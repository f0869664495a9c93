package io.tocsin.platform.config;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Chooses between JSON lines (the default, for log collectors) and readable text (for a terminal)
 * before the logging system starts. JSON uses Spring Boot's Logstash layout with the field names
 * operators grep for: {@code timestamp}, {@code level}, {@code logger}, {@code message}, and the
 * {@code request_id} of the request being served.
 */
final class LogFormatSetup implements EnvironmentPostProcessor, Ordered {

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    String format = environment.getProperty("tocsin.log-format");
    if (format != null && !ConfigurationCheck.LogFormat.isKnown(format)) {
      // ConfigurationCheck reports the bad value once logging is up.
      return;
    }
    if (ConfigurationCheck.LogFormat.of(format) == ConfigurationCheck.LogFormat.JSON
        && environment.getProperty("logging.structured.format.console") == null) {
      environment
          .getPropertySources()
          .addLast(
              new MapPropertySource(
                  "tocsinLogFormat",
                  Map.of(
                      "logging.structured.format.console", "logstash",
                      "logging.structured.json.rename[@timestamp]", "timestamp",
                      "logging.structured.json.rename[logger_name]", "logger",
                      "logging.structured.json.exclude", "@version,level_value,tags")));
    }
  }
}
