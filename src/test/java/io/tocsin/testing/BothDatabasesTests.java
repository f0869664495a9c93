package io.tocsin.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.provider.ArgumentsSource;
import org.junit.jupiter.params.support.ParameterDeclarations;

/**
 * Base of every test class that touches the database: the whole class runs once on H2 and once on
 * PostgreSQL, each time on a schema of its own that is dropped afterwards. A class marked {@link
 * OnlyOn} runs on fewer, and {@code -Dtocsin.test.databases=postgresql} (or {@code h2}) narrows
 * every class to the databases named.
 */
@ParameterizedClass(name = "on {0}", allowZeroInvocations = true)
@ArgumentsSource(BothDatabasesTests.Databases.class)
public abstract class BothDatabasesTests {

  /** The system property that narrows a run to some databases, comma-separated. */
  public static final String DATABASES_PROPERTY = "tocsin.test.databases";

  /**
   * Runs a class, and its subclasses, only on these databases: for tests whose SQL the classes on
   * both databases already cover, such as the browser tests.
   */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  @Inherited
  public @interface OnlyOn {
    TestDatabase[] value();
  }

  private static TestDatabase.CleanSchema schema;

  @Parameter protected TestDatabase database;

  @BeforeParameterizedClassInvocation
  static void createSchema(TestDatabase database) {
    schema = database.createCleanSchema();
  }

  @AfterParameterizedClassInvocation
  static void dropSchema() {
    if (schema != null) {
      schema.close();
      schema = null;
    }
  }

  /** This class invocation's schema. */
  protected static TestDatabase.CleanSchema schema() {
    return schema;
  }

  /** Both databases, less those the class's {@link OnlyOn} or the system property leave out. */
  static final class Databases implements ArgumentsProvider {

    @Override
    public Stream<? extends Arguments> provideArguments(
        ParameterDeclarations parameters, ExtensionContext context) {
      OnlyOn only = context.getRequiredTestClass().getAnnotation(OnlyOn.class);
      List<TestDatabase> chosen =
          only == null ? List.of(TestDatabase.values()) : List.of(only.value());
      String property = System.getProperty(DATABASES_PROPERTY, "").strip();
      if (!property.isEmpty()) {
        List<TestDatabase> named =
            Arrays.stream(property.split(",")).map(Databases::named).toList();
        chosen = chosen.stream().filter(named::contains).toList();
      }
      return chosen.stream().map(Arguments::of);
    }

    private static TestDatabase named(String name) {
      try {
        return TestDatabase.valueOf(name.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "-D"
                + DATABASES_PROPERTY
                + " names '"
                + name.strip()
                + "', which is not one of "
                + Arrays.toString(TestDatabase.values()),
            e);
      }
    }
  }
}
