package io.tocsin.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.platform.CheckedSettings;
import java.io.IOException;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;

/**
 * The settings records are the one place settings are declared: every one is checked at startup,
 * and README's configuration table and application.properties show exactly their settings and
 * defaults.
 */
class SettingsRecordsTests {

  /**
   * Settings the README lists that no record binds: Spring Boot's own port, the log format (read
   * before logging starts, so before anything is bound) and the trusted proxies (Tomcat's, through
   * {@code server.tomcat.remoteip.internal-proxies}).
   */
  private static final Set<String> OUTSIDE_RECORDS =
      Set.of("server.port", "tocsin.log-format", "tocsin.web.trusted-proxies");

  /** Environment variables whose name is not the property's, kept for operators who set them. */
  private static final Map<String, String> OTHER_VARIABLES =
      Map.of("tocsin.ingest.severity-mapping", "TOCSIN_SEVERITY_MAPPING");

  private static final Pattern README_ROW =
      Pattern.compile("(?m)^\\| `([A-Z0-9_]+)` \\| `([a-z0-9.-]+)` \\| (.*?) \\| ");
  private static final Pattern MAPPED =
      Pattern.compile("(?m)^([a-z0-9.-]+)=\\$\\{(TOCSIN_[A-Z0-9_]+):([^}]*)}$");

  @Test
  void everySettingsRecordIsListedForTheStartupCheck() {
    ClassPathScanningCandidateComponentProvider scanner =
        new ClassPathScanningCandidateComponentProvider(false);
    scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
    Set<String> annotated = new HashSet<>();
    for (BeanDefinition candidate : scanner.findCandidateComponents("io.tocsin")) {
      annotated.add(candidate.getBeanClassName());
    }

    assertThat(SettingsRecords.types())
        .allSatisfy(type -> assertThat(type).isRecord().isAssignableTo(CheckedSettings.class))
        .extracting(Class::getName)
        .containsExactlyInAnyOrderElementsOf(annotated);
  }

  @Test
  void readmeTableShowsEverySettingOfEveryRecordWithItsDefault() throws IOException {
    Map<String, @Nullable String> settings = settings();
    Map<String, String[]> rows = new LinkedHashMap<>();
    String readme = Files.readString(Path.of("README.md"));
    README_ROW
        .matcher(readme)
        .results()
        .forEach(row -> rows.put(row.group(2), new String[] {row.group(1), row.group(3)}));

    Set<String> expected = new HashSet<>(settings.keySet());
    expected.addAll(OUTSIDE_RECORDS);
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    settings.forEach(
        (property, defaultValue) -> {
          String[] row = rows.get(property);
          assertThat(row[0]).as(property).isEqualTo(variable(property));
          if (defaultValue == null || defaultValue.isEmpty()) {
            assertThat(row[1])
                .as(property + " has no default: the README explains")
                .startsWith("*(");
          } else {
            assertThat(row[1]).as(property).isEqualTo("`" + defaultValue + "`");
          }
        });
  }

  @Test
  void applicationPropertiesMapsEachVariableToItsSettingWithTheRecordsDefault() throws IOException {
    Map<String, @Nullable String> settings = settings();
    Matcher mapped =
        MAPPED.matcher(Files.readString(Path.of("src/main/resources/application.properties")));
    int checked = 0;
    while (mapped.find()) {
      String property = mapped.group(1);
      if (OUTSIDE_RECORDS.contains(property)) {
        continue;
      }
      assertThat(settings).as(property).containsKey(property);
      assertThat(mapped.group(2)).as(property).isEqualTo(variable(property));
      String defaultValue = settings.get(property);
      assertThat(mapped.group(3)).as(property).isEqualTo(defaultValue == null ? "" : defaultValue);
      checked++;
    }
    assertThat(checked).isGreaterThan(40);
  }

  private static String variable(String property) {
    return OTHER_VARIABLES.getOrDefault(
        property, property.toUpperCase().replace('.', '_').replace('-', '_'));
  }

  /** Every property of every record with its default, in the text the record states it. */
  private static Map<String, @Nullable String> settings() {
    Map<String, @Nullable String> settings = new LinkedHashMap<>();
    for (Class<?> type : SettingsRecords.types()) {
      collect(SettingsRecords.prefix(type), type, settings);
    }
    return settings;
  }

  private static void collect(
      String prefix, Class<?> type, Map<String, @Nullable String> settings) {
    RecordComponent[] components = type.getRecordComponents();
    Parameter[] parameters;
    try {
      parameters =
          type.getDeclaredConstructor(
                  Arrays.stream(components).map(RecordComponent::getType).toArray(Class[]::new))
              .getParameters();
    } catch (NoSuchMethodException e) {
      throw new AssertionError(type + " has no canonical constructor", e);
    }
    for (int i = 0; i < components.length; i++) {
      String property = prefix + "." + DataObjectPropertyName.toDashedForm(components[i].getName());
      if (components[i].getType().isRecord()) {
        collect(property, components[i].getType(), settings);
      } else {
        DefaultValue defaultValue = parameters[i].getAnnotation(DefaultValue.class);
        settings.put(
            property, defaultValue == null ? null : String.join(",", defaultValue.value()));
      }
    }
  }
}
