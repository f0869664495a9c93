package io.tocsin.platform.config;

import io.tocsin.platform.CheckedSettings;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.hibernate.validator.HibernateValidator;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;

/**
 * Every module's settings record, bound from the environment before any bean exists, the way Spring
 * Boot binds it later, so that its problems join the one message of {@link ConfigurationCheck}:
 * values that cannot be read at all, values outside the limits its components declare, and what its
 * own {@link CheckedSettings#problems()} finds.
 *
 * <p>The records are listed under {@link CheckedSettings} in {@code META-INF/spring.factories}:
 * platform may not import the modules, and reading a short list costs less at every start than
 * scanning the classes. A test fails when a {@code @ConfigurationProperties} record is missing from
 * the list.
 *
 * <p>This check is the records' validation: they carry no {@code @Validated}, which would have
 * Spring build a second validator while it binds them, and building one costs the start about as
 * much as the whole check.
 */
public final class SettingsRecords {

  private SettingsRecords() {}

  /** The settings records of every module, in the order they are listed. */
  public static List<Class<?>> types() {
    ClassLoader loader = SettingsRecords.class.getClassLoader();
    return SpringFactoriesLoader.loadFactoryNames(CheckedSettings.class, loader).stream()
        .<Class<?>>map(name -> ClassUtils.resolveClassName(name, loader))
        .toList();
  }

  /** The prefix a settings record binds at. */
  public static String prefix(Class<?> type) {
    return MergedAnnotations.from(type).get(ConfigurationProperties.class).getString("prefix");
  }

  static List<String> problems(Environment environment) {
    Binder binder = Binder.get(environment);
    List<String> problems = new ArrayList<>();
    for (Class<?> type : types()) {
      String prefix = prefix(type);
      Object settings =
          binder.bindOrCreate(prefix, Bindable.of(type), new Unreadable(environment, problems));
      Limits.VALIDATOR.validate(settings).stream()
          .sorted(Comparator.comparing(violation -> violation.getPropertyPath().toString()))
          .forEach(violation -> problems.add(outOfLimits(prefix, violation, environment)));
      problems.addAll(((CheckedSettings) settings).problems());
    }
    return problems;
  }

  /** The validator of the records' constraints, which also validates requests (one per process). */
  static Validator validator() {
    return Limits.VALIDATOR;
  }

  private static String outOfLimits(
      String prefix, ConstraintViolation<Object> violation, Environment environment) {
    String property =
        prefix
            + "."
            + StreamSupport.stream(violation.getPropertyPath().spliterator(), false)
                .map(Path.Node::getName)
                .filter(Objects::nonNull)
                .map(DataObjectPropertyName::toDashedForm)
                .collect(Collectors.joining("."));
    String value = environment.getProperty(property, String.valueOf(violation.getInvalidValue()));
    return CheckedSettings.name(property) + " is '" + value + "': " + violation.getMessage();
  }

  /**
   * The validator of the records' constraints, made once per process: building one takes longer
   * than the whole check. Its messages are English whatever the machine's locale, like the rest of
   * the startup message.
   */
  private static final class Limits {
    static final Validator VALIDATOR =
        Validation.byProvider(HibernateValidator.class)
            .configure()
            .defaultLocale(Locale.ENGLISH)
            .buildValidatorFactory()
            .getValidator();
  }

  /**
   * Words a value that cannot be converted and binds the default in its place, so that binding goes
   * on and finds the record's other problems too.
   */
  private record Unreadable(Environment environment, List<String> problems) implements BindHandler {

    @Override
    public @Nullable Object onFailure(
        ConfigurationPropertyName name, Bindable<?> target, BindContext context, Exception error) {
      ConfigurationProperty property = context.getConfigurationProperty();
      String value =
          property != null
              ? String.valueOf(property.getValue())
              : environment.getProperty(name.toString(), "");
      problems.add(
          CheckedSettings.name(name.toString()) + " is '" + value + "': " + expected(target));
      return null;
    }

    private static String expected(Bindable<?> target) {
      Class<?> type = target.getType().resolve(Object.class);
      if (type == Duration.class) {
        return "not a duration such as 500ms, 30s, 5m or 24h";
      }
      if (type == DataSize.class) {
        return "not a size such as 512KB or 1MB";
      }
      if (ClassUtils.resolvePrimitiveIfNecessary(type) == Integer.class
          || ClassUtils.resolvePrimitiveIfNecessary(type) == Long.class) {
        return "not a whole number";
      }
      if (type.isEnum()) {
        return "allowed values are "
            + Arrays.stream(type.getEnumConstants())
                .map(constant -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
      }
      return "cannot be read as " + type.getSimpleName();
    }
  }
}
