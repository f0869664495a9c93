package db.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fills {@code oncall_escalation_policy_target} from the levels of the policies that exist. In Java
 * because the levels are JSON in a text column, which H2 cannot take apart in SQL; it reads the
 * stored shape ({@code [{"delayMinutes":…, "targets":[{"type":…, "id":…}]}]}) on its own, so later
 * changes to the oncall module's records cannot change what this migration did.
 */
public class V202612070501__oncall_escalation_policy_targets_backfill extends BaseJavaMigration {

  @Override
  public void migrate(Context context) throws Exception {
    JsonMapper json = JsonMapper.builder().build();
    Connection connection = context.getConnection();
    try (Statement select = connection.createStatement();
        ResultSet policies =
            select.executeQuery("SELECT id, levels FROM oncall_escalation_policy");
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO oncall_escalation_policy_target"
                    + " (policy_id, level, target_kind, target_id) VALUES (?, ?, ?, ?)")) {
      while (policies.next()) {
        UUID policy = policies.getObject("id", UUID.class);
        JsonNode levels = json.readTree(policies.getString("levels"));
        // A level may name the same target twice; the table holds it once.
        Set<String> seen = new HashSet<>();
        for (int level = 1; level <= levels.size(); level++) {
          for (JsonNode target : levels.get(level - 1).path("targets")) {
            String kind = target.get("type").asString().toLowerCase(Locale.ROOT);
            UUID id = UUID.fromString(target.get("id").asString());
            if (seen.add(level + " " + kind + " " + id)) {
              insert.setObject(1, policy);
              insert.setInt(2, level);
              insert.setString(3, kind);
              insert.setObject(4, id);
              insert.addBatch();
            }
          }
        }
      }
      insert.executeBatch();
    }
  }
}
