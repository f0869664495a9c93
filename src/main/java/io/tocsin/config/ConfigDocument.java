package io.tocsin.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.tocsin.ingest.RouteRule;
import io.tocsin.oncall.EscalationPolicies;
import io.tocsin.oncall.Schedules;
import io.tocsin.platform.InvalidInputException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The configuration document. Every list is sorted by name on export, so two exports of the same
 * setup are the same text, and a document kept in git shows only real changes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "version",
  "teams",
  "services",
  "schedules",
  "escalationPolicies",
  "inhibitionRules",
  "silences",
  "templates"
})
public record ConfigDocument(
    @Nullable Integer version,
    @Nullable List<TeamEntry> teams,
    @Nullable List<ServiceEntry> services,
    @Nullable List<ScheduleEntry> schedules,
    @Nullable List<PolicyEntry> escalationPolicies,
    @Nullable List<InhibitionEntry> inhibitionRules,
    @Nullable List<SilenceEntry> silences,
    @Nullable List<TemplateEntry> templates) {

  /** The format this code writes and reads. */
  public static final int VERSION = 1;

  // A misspelt key in a document kept by hand must be an error, not a setting silently dropped.
  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /**
   * The document in a request body, in YAML or JSON; a body that is no such document is refused
   * naming the line and the field.
   */
  public static ConfigDocument parse(String body) {
    if (body.isBlank()) {
      throw new InvalidInputException("document", "is empty");
    }
    try {
      ConfigDocument document = YAML.readValue(body, ConfigDocument.class);
      if (document == null) {
        throw new InvalidInputException("document", "is empty");
      }
      return document;
    } catch (JacksonException e) {
      TokenStreamLocation at = e.getLocation();
      String where = at == null ? "" : "line " + at.getLineNr() + ": ";
      throw new InvalidInputException(
          e.getPathReference() == null || e.getPathReference().isEmpty()
              ? "document"
              : e.getPathReference(),
          where + e.getOriginalMessage());
    }
  }

  /** A team and its members, each named by email. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TeamEntry(@Nullable String name, @Nullable List<MemberEntry> members) {}

  public record MemberEntry(@Nullable String user, @Nullable String role) {}

  /** A service; {@code dependsOn}, {@code ownerTeam} and {@code escalationPolicy} are names. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ServiceEntry(
      @Nullable String name,
      @Nullable String description,
      @Nullable String ownerTeam,
      @Nullable List<String> runbookUrls,
      @Nullable Map<String, String> labels,
      @Nullable List<String> dependsOn,
      @Nullable List<String> groupBy,
      @Nullable Integer flapWindowMinutes,
      @Nullable Integer groupDelaySeconds,
      @Nullable Boolean autoResolve,
      @Nullable List<String> aliases,
      @Nullable String escalationPolicy,
      @Nullable List<IntegrationEntry> integrations) {}

  /**
   * An integration without its key: a key never leaves Tocsin, and a new one is made on import. It
   * has its grouping (its kind's default when left out); a heartbeat integration has its interval
   * and grace, an email integration its subject rules (its address, like a key, is new on import);
   * its routing rules, in order, name services by name.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record IntegrationEntry(
      @Nullable String name,
      @Nullable String kind,
      @Nullable GroupingEntry grouping,
      @Nullable HeartbeatEntry heartbeat,
      @Nullable EmailEntry email,
      @Nullable List<RouteRule> routing) {}

  /** An email integration's RE2 expressions on the subject: the dedup key's, and the resolving. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EmailEntry(@Nullable String dedupPattern, @Nullable String resolvePattern) {}

  /**
   * What incidents group by: {@code {by: labels, labels: [source]}}, or {@code {by: dedup_key}}.
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record GroupingEntry(@Nullable String by, @Nullable List<String> labels) {}

  /** ISO 8601 durations, as {@code PT5M}. */
  public record HeartbeatEntry(@Nullable String interval, @Nullable String grace) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ScheduleEntry(
      @Nullable String name,
      @Nullable String description,
      @Nullable String timeZone,
      @Nullable List<LayerEntry> layers) {

    /**
     * The schedule this entry makes, its members' ids from {@code userId} (given an email and
     * {@code field}, it refuses one it does not know). What is left out is left to {@code
     * Schedules} to refuse.
     */
    public Schedules.ScheduleInput input(String field, BiFunction<String, String, UUID> userId) {
      List<Schedules.Layer> converted = new ArrayList<>();
      for (LayerEntry layer : layers == null ? List.<LayerEntry>of() : layers) {
        List<UUID> members = new ArrayList<>();
        for (String email : layer.members() == null ? List.<String>of() : layer.members()) {
          members.add(userId.apply(email, field));
        }
        LengthEntry rotation = layer.rotation();
        List<RestrictionEntry> restrictions =
            layer.restrictions() == null ? List.of() : layer.restrictions();
        converted.add(
            new Schedules.Layer(
                layer.name(),
                members,
                rotation == null ? null : new Schedules.Length(rotation.count(), rotation.unit()),
                layer.start(),
                restrictions.stream()
                    .map(r -> new Schedules.Restriction(r.days(), r.from(), r.to()))
                    .toList()));
      }
      return new Schedules.ScheduleInput(name, description, timeZone, converted);
    }
  }

  /** A layer; {@code members} are emails, {@code start} the local date and handoff time. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LayerEntry(
      @Nullable String name,
      @Nullable List<String> members,
      @Nullable LengthEntry rotation,
      @Nullable String start,
      @Nullable List<RestrictionEntry> restrictions) {}

  public record LengthEntry(@Nullable Integer count, @Nullable String unit) {}

  public record RestrictionEntry(
      @Nullable List<String> days, @Nullable String from, @Nullable String to) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PolicyEntry(
      @Nullable String name,
      @Nullable String description,
      @Nullable Integer repeat,
      @Nullable List<LevelEntry> levels) {

    /**
     * The policy this entry makes, its targets' ids from {@code userId} (given an email) and {@code
     * scheduleId} (given a name), each given {@code field} to name in a refusal.
     */
    public EscalationPolicies.PolicyInput input(
        String field,
        BiFunction<String, String, UUID> userId,
        BiFunction<String, String, UUID> scheduleId) {
      List<EscalationPolicies.Level> converted = new ArrayList<>();
      for (LevelEntry level : levels == null ? List.<LevelEntry>of() : levels) {
        List<EscalationPolicies.Target> targets = new ArrayList<>();
        for (TargetEntry target :
            level.targets() == null ? List.<TargetEntry>of() : level.targets()) {
          if ((target.user() == null) == (target.schedule() == null)) {
            throw new InvalidInputException(
                field + ".targets", "each target names either a user or a schedule");
          }
          targets.add(
              target.user() != null
                  ? new EscalationPolicies.Target("user", userId.apply(target.user(), field))
                  : new EscalationPolicies.Target(
                      "schedule", scheduleId.apply(target.schedule(), field)));
        }
        converted.add(new EscalationPolicies.Level(level.delayMinutes(), targets));
      }
      return new EscalationPolicies.PolicyInput(name, description, repeat, converted);
    }
  }

  public record LevelEntry(@Nullable Integer delayMinutes, @Nullable List<TargetEntry> targets) {}

  /** Either a person (by email) or a schedule (by name). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TargetEntry(@Nullable String user, @Nullable String schedule) {}

  /** Matchers in Alertmanager's syntax, one per string: {@code alertname="NodeDown"}. */
  public record InhibitionEntry(
      @Nullable String name,
      @Nullable List<String> sourceMatchers,
      @Nullable List<String> targetMatchers,
      @Nullable List<String> equal) {}

  /** A silence still to come or in force; expired ones are history, not configuration. */
  public record SilenceEntry(
      @Nullable List<String> matchers,
      @Nullable Instant startsAt,
      @Nullable Instant endsAt,
      @Nullable String createdBy,
      @Nullable String comment) {}

  /** A message template an admin changed; the built-in ones are not exported. */
  public record TemplateEntry(
      @Nullable String channel,
      @Nullable String kind,
      @Nullable String subject,
      @Nullable String body) {}
}
