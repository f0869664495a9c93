package io.tocsin.correlate;

import io.tocsin.directory.AuditLog;
import io.tocsin.incident.IncidentIntake;
import io.tocsin.ingest.AlertMuting;
import io.tocsin.ingest.LabelMatcher;
import io.tocsin.platform.ConfigGenerations;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The inhibition rules, managed by admins and applied to every firing alert. */
@Service
public class InhibitionRules {

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final TypeReference<List<String>> NAMES = new TypeReference<>() {};
  private static final String COLUMNS =
      "id, name, source_matchers, target_matchers, equal_labels, created_at";

  public record RuleInput(
      @Nullable String name,
      List<LabelMatcher> sourceMatchers,
      List<LabelMatcher> targetMatchers,
      List<String> equal) {}

  private final JdbcClient jdbc;
  private final StoredMatchers stored;
  private final JsonMapper json;
  private final Clock clock;
  private final IdGenerator ids;
  private final AuditLog audit;
  private final InhibitionSources sources;
  private final IncidentIntake incidents;
  private final ConfigGenerations generations;
  private final ConfigGenerations.Cache<List<InhibitionRule>> all;

  InhibitionRules(
      JdbcClient jdbc,
      StoredMatchers stored,
      JsonMapper json,
      Clock clock,
      IdGenerator ids,
      AuditLog audit,
      InhibitionSources sources,
      IncidentIntake incidents,
      ConfigGenerations generations) {
    this.jdbc = jdbc;
    this.stored = stored;
    this.json = json;
    this.clock = clock;
    this.ids = ids;
    this.audit = audit;
    this.sources = sources;
    this.incidents = incidents;
    this.generations = generations;
    this.all =
        generations.cache(
            "correlate.inhibition-rule",
            () ->
                List.copyOf(
                    jdbc.sql("SELECT " + COLUMNS + " FROM correlate_inhibition_rule ORDER BY name")
                        .query(this::row)
                        .list()));
  }

  @Transactional
  public InhibitionRule create(RuleInput input) {
    String name = input.name() == null ? "" : input.name().trim();
    if (name.isEmpty() || name.length() > 200) {
      throw new InvalidInputException("name", "must have 1 to 200 characters");
    }
    if (input.sourceMatchers().isEmpty()) {
      throw new InvalidInputException("sourceMatchers", "must have at least one matcher");
    }
    if (input.targetMatchers().isEmpty()) {
      throw new InvalidInputException("targetMatchers", "must have at least one matcher");
    }
    for (int i = 0; i < input.equal().size(); i++) {
      if (input.equal().get(i) == null) {
        throw new InvalidInputException("equal[" + i + "]", "must be a label name, not null");
      }
      if (!LABEL_NAME.matcher(input.equal().get(i)).matches()) {
        throw new InvalidInputException(
            "equal[" + i + "]", "'" + input.equal().get(i) + "' is not a valid label name");
      }
    }
    boolean taken =
        jdbc.sql("SELECT COUNT(*) FROM correlate_inhibition_rule WHERE name = :name")
                .param("name", name)
                .query(Integer.class)
                .single()
            > 0;
    if (taken) {
      throw new ConflictException("An inhibition rule named '" + name + "' exists already.");
    }
    InhibitionRule rule =
        new InhibitionRule(
            ids.generateId(),
            name,
            input.sourceMatchers(),
            input.targetMatchers(),
            input.equal(),
            clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    jdbc.sql(
            """
            INSERT INTO correlate_inhibition_rule
              (id, name, source_matchers, target_matchers, equal_labels, created_at)
            VALUES (:id, :name, :source, :target, :equal, :createdAt)
            """)
        .param("id", rule.id())
        .param("name", rule.name())
        .param("source", stored.write(rule.sourceMatchers()))
        .param("target", stored.write(rule.targetMatchers()))
        .param("equal", json.writeValueAsString(rule.equal()))
        .param("createdAt", rule.createdAt().atOffset(ZoneOffset.UTC))
        .update();
    generations.changed("correlate.inhibition-rule");
    audit.record(
        "inhibition_rule.created",
        "inhibition rule " + rule.id(),
        "'" + name + "': " + rule.sourceMatchers() + " inhibits " + rule.targetMatchers());
    // Alerts already firing inhibit from now on, as if the rule had been there when they fired.
    // Under the incident lock: correlation, which adds and removes sources, waits meanwhile, so an
    // alert that resolves now is either not seen firing or removed after this commits.
    incidents.lock();
    sources.seed(rule);
    return rule;
  }

  /** Every rule, by name; this node's copy, read again once a rule changes on any node. */
  public List<InhibitionRule> list() {
    return all.get();
  }

  /**
   * The rules that name the service: a matcher on {@link AlertMuting#SERVICE_LABEL}, on either
   * side, that the service's name satisfies.
   */
  public List<InhibitionRule> concerning(String serviceName) {
    Map<String, String> service = Map.of(AlertMuting.SERVICE_LABEL, serviceName);
    return list().stream()
        .filter(
            rule ->
                Stream.concat(rule.sourceMatchers().stream(), rule.targetMatchers().stream())
                    .anyMatch(
                        m -> m.name().equals(AlertMuting.SERVICE_LABEL) && m.matches(service)))
        .toList();
  }

  public InhibitionRule get(UUID id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM correlate_inhibition_rule WHERE id = :id")
        .param("id", id)
        .query(this::row)
        .optional()
        .orElseThrow(() -> new NotFoundException("There is no inhibition rule " + id + "."));
  }

  @Transactional
  public void delete(UUID id) {
    InhibitionRule rule = get(id);
    jdbc.sql("DELETE FROM correlate_inhibition_rule WHERE id = :id").param("id", id).update();
    generations.changed("correlate.inhibition-rule");
    audit.record(
        "inhibition_rule.deleted", "inhibition rule " + id, "deleted '" + rule.name() + "'");
  }

  private InhibitionRule row(ResultSet rs, int rowNum) throws SQLException {
    return new InhibitionRule(
        rs.getObject("id", UUID.class),
        rs.getString("name"),
        stored.read(rs.getString("source_matchers")),
        stored.read(rs.getString("target_matchers")),
        json.readValue(rs.getString("equal_labels"), NAMES),
        rs.getObject("created_at", OffsetDateTime.class).toInstant());
  }
}
