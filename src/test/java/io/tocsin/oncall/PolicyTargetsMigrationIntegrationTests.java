package io.tocsin.oncall;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.BothDatabasesTests;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The policies stored before their targets had a table get their targets from the migration. */
class PolicyTargetsMigrationIntegrationTests extends BothDatabasesTests {

  @Test
  void theMigrationFillsTheTargetsOfExistingPoliciesFromTheirLevels() {
    Flyway.configure().dataSource(schema().dataSource()).target("202612070400").load().migrate();
    JdbcClient jdbc = JdbcClient.create(schema().dataSource());
    UUID user = UUID.randomUUID();
    UUID schedule = UUID.randomUUID();
    UUID pages = UUID.randomUUID();
    UUID mentions = UUID.randomUUID();
    insertPolicy(
        jdbc,
        pages,
        "pages",
        """
        [{"delayMinutes":5,"targets":[{"type":"user","id":"%s"}]},
         {"delayMinutes":10,"targets":[{"type":"schedule","id":"%s"},{"type":"schedule","id":"%s"}]}]
        """
            .formatted(user, schedule, schedule));
    insertPolicy(
        jdbc,
        mentions,
        "mentions " + schedule,
        """
        [{"delayMinutes":5,"targets":[{"type":"user","id":"%s"}]}]"""
            .formatted(user));

    Flyway.configure().dataSource(schema().dataSource()).load().migrate();

    assertThat(
            jdbc.sql(
                    "SELECT policy_id, level, target_kind, target_id"
                        + " FROM oncall_escalation_policy_target"
                        + " ORDER BY policy_id, level, target_kind")
                .query(
                    (rs, n) ->
                        rs.getObject("policy_id", UUID.class)
                            + " "
                            + rs.getInt("level")
                            + " "
                            + rs.getString("target_kind")
                            + " "
                            + rs.getObject("target_id", UUID.class))
                .list())
        .as("each target once per level, and nothing for a policy that only mentions the schedule")
        .containsExactlyInAnyOrder(
            pages + " 1 user " + user,
            pages + " 2 schedule " + schedule,
            mentions + " 1 user " + user);
  }

  private static void insertPolicy(JdbcClient jdbc, UUID id, String name, String levels) {
    jdbc.sql(
            """
            INSERT INTO oncall_escalation_policy
              (id, name, name_key, description, repeat_count, levels, created_at, updated_at)
            VALUES (:id, :name, :name, '', 0, :levels, :now, :now)
            """)
        .param("id", id)
        .param("name", name)
        .param("levels", levels)
        .param("now", OffsetDateTime.now())
        .update();
  }
}
