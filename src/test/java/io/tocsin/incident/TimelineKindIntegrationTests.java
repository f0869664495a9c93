package io.tocsin.incident;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.platform.EnumText;
import io.tocsin.testing.BothDatabasesTests;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The timeline kinds that the code writes and the ones the database accepts are two lists: this
 * keeps them equal, so a new kind cannot reach production with a migration that refuses it, and a
 * kind the database still allows cannot be forgotten in the code.
 */
class TimelineKindIntegrationTests extends BothDatabasesTests {

  private static final Pattern QUOTED = Pattern.compile("'([^']*)'");

  @Test
  void theKindsAreExactlyThoseTheCheckConstraintAllows() {
    Flyway.configure().dataSource(schema().dataSource()).load().migrate();
    String clause =
        JdbcClient.create(schema().dataSource())
            .sql(
                "SELECT check_clause FROM information_schema.check_constraints"
                    + " WHERE constraint_schema = CURRENT_SCHEMA"
                    + " AND LOWER(constraint_name) = 'incident_timeline_kind_check'")
            .query(String.class)
            .single();

    assertThat(quoted(clause))
        .containsExactlyInAnyOrderElementsOf(EnumText.allowed(TimelineKind.class));
  }

  private static List<String> quoted(String clause) {
    Matcher matcher = QUOTED.matcher(clause);
    return matcher.results().map(result -> result.group(1)).toList();
  }
}
