package io.tocsin.testing;

import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Base of every test class that touches the database: the whole class runs once on H2 and once on
 * PostgreSQL, each time on a schema of its own that is dropped afterwards.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
public abstract class BothDatabasesTests {

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
}
