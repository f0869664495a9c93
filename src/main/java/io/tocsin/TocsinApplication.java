package io.tocsin;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.modulith.Modulithic;

/** Tocsin: one process that takes alerts in, correlates them, and pages the right person. */
@SpringBootApplication
@ConfigurationPropertiesScan
@Modulithic(sharedModules = "platform")
public class TocsinApplication {

  public static void main(String[] args) {
    SpringApplication.run(TocsinApplication.class, args);
  }
}
