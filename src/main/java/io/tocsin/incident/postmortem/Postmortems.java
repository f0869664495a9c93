package io.tocsin.incident.postmortem;

import io.tocsin.directory.TeamScope;
import io.tocsin.directory.UserService;
import io.tocsin.incident.Actor;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentDetails;
import io.tocsin.incident.TimelineEntry;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Postmortems: written for resolved incidents, started from the incident's own timeline. */
@Service
public class Postmortems {

  private static final int MAX_TEXT = 50_000;
  private static final int MAX_ITEMS = 500;
  private static final TypeReference<List<Postmortem.TimelineItem>> TIMELINE =
      new TypeReference<>() {};
  private static final TypeReference<List<Postmortem.FollowUp>> FOLLOW_UPS =
      new TypeReference<>() {};
  private static final TypeReference<LinkedHashMap<String, Boolean>> CHECKLIST =
      new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final IncidentDetails details;
  private final UserService users;
  private final Clock clock;
  private final TeamScope scope;

  Postmortems(
      JdbcClient jdbc,
      JsonMapper json,
      IncidentDetails details,
      UserService users,
      Clock clock,
      TeamScope scope) {
    this.scope = scope;
    this.jdbc = jdbc;
    this.json = json;
    this.details = details;
    this.users = users;
    this.clock = clock;
  }

  /** Fields to set; {@code null} keeps what is there. */
  public record Changes(
      @Nullable String status,
      @Nullable String summary,
      @Nullable String impact,
      @Nullable List<Postmortem.TimelineItem> timeline,
      @Nullable String rootCause,
      @Nullable String resolution,
      @Nullable List<Postmortem.FollowUp> followUps,
      @Nullable Map<String, Boolean> checklist) {}

  /**
   * Starts the postmortem of a resolved incident, its timeline copied from the incident's, then
   * applies {@code changes}.
   */
  @Transactional
  public Postmortem create(Incident incident, Changes changes, Actor actor) {
    scope.requireService(actor.userId(), incident.serviceId());
    if (incident.isOpen()) {
      throw new ConflictException(
          "Incident "
              + incident.reference()
              + " is "
              + incident.status().text()
              + "; a postmortem is written once it is resolved.",
          Map.of("currentStatus", incident.status().text()));
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Map<String, Boolean> checklist = new LinkedHashMap<>();
    for (Postmortem.ChecklistItem item : Postmortem.ChecklistItem.values()) {
      checklist.put(item.key(), false);
    }
    Postmortem started =
        new Postmortem(
            incident.id(),
            EnumText.canonical(Postmortem.Status.DRAFT),
            "",
            "",
            timelineOf(incident),
            "",
            "",
            List.of(),
            checklist,
            actor.name(),
            now,
            actor.name(),
            now);
    Postmortem postmortem = apply(started, changes, actor, now);
    try {
      jdbc.sql(
              """
              INSERT INTO incident_postmortem
                (incident_id, status, summary, impact, timeline, root_cause, resolution,
                 follow_ups, checklist, created_by, created_at, updated_by, updated_at)
              VALUES (:incident, :status, :summary, :impact, :timeline, :rootCause, :resolution,
                      :followUps, :checklist, :createdBy, :createdAt, :updatedBy, :updatedAt)
              """)
          .params(columns(postmortem))
          .update();
    } catch (DuplicateKeyException e) {
      throw new ConflictException(
          "Incident " + incident.reference() + " has a postmortem already; change it instead.");
    }
    return postmortem;
  }

  public Postmortem get(Incident incident) {
    return jdbc.sql(
            "SELECT incident_id, status, summary, impact, timeline, root_cause, resolution,"
                + " follow_ups, checklist, created_by, created_at, updated_by, updated_at"
                + " FROM incident_postmortem WHERE incident_id = :id")
        .param("id", incident.id())
        .query(
            (rs, n) ->
                new Postmortem(
                    rs.getObject("incident_id", UUID.class),
                    rs.getString("status"),
                    rs.getString("summary"),
                    rs.getString("impact"),
                    json.readValue(rs.getString("timeline"), TIMELINE),
                    rs.getString("root_cause"),
                    rs.getString("resolution"),
                    json.readValue(rs.getString("follow_ups"), FOLLOW_UPS),
                    json.readValue(rs.getString("checklist"), CHECKLIST),
                    rs.getString("created_by"),
                    rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                    rs.getString("updated_by"),
                    rs.getObject("updated_at", OffsetDateTime.class).toInstant()))
        .optional()
        .orElseThrow(
            () ->
                new NotFoundException(
                    "Incident " + incident.reference() + " has no postmortem yet."));
  }

  @Transactional
  public Postmortem update(Incident incident, Changes changes, Actor actor) {
    scope.requireService(actor.userId(), incident.serviceId());
    jdbc.sql("SELECT incident_id FROM incident_postmortem WHERE incident_id = :id FOR UPDATE")
        .param("id", incident.id())
        .query(UUID.class)
        .list();
    Postmortem changed =
        apply(get(incident), changes, actor, clock.instant().truncatedTo(ChronoUnit.MICROS));
    jdbc.sql(
            """
            UPDATE incident_postmortem SET status = :status, summary = :summary, impact = :impact,
                   timeline = :timeline, root_cause = :rootCause, resolution = :resolution,
                   follow_ups = :followUps, checklist = :checklist, updated_by = :updatedBy,
                   updated_at = :updatedAt
            WHERE incident_id = :incident
            """)
        .params(columns(changed))
        .update();
    return changed;
  }

  private Postmortem apply(Postmortem p, Changes c, Actor actor, Instant now) {
    Map<String, Boolean> checklist = new LinkedHashMap<>(p.checklist());
    if (c.checklist() != null) {
      c.checklist()
          .forEach(
              (key, done) -> {
                String item =
                    EnumText.parse(Postmortem.ChecklistItem.class, "checklist", key).key();
                if (done == null) {
                  throw new InvalidInputException("checklist." + item, "must be true or false");
                }
                checklist.put(item, done);
              });
    }
    return new Postmortem(
        p.incidentId(),
        c.status() == null
            ? p.status()
            : EnumText.canonical(EnumText.parse(Postmortem.Status.class, "status", c.status())),
        c.summary() == null ? p.summary() : text("summary", c.summary()),
        c.impact() == null ? p.impact() : text("impact", c.impact()),
        c.timeline() == null ? p.timeline() : validTimeline(c.timeline()),
        c.rootCause() == null ? p.rootCause() : text("rootCause", c.rootCause()),
        c.resolution() == null ? p.resolution() : text("resolution", c.resolution()),
        c.followUps() == null ? p.followUps() : validFollowUps(c.followUps()),
        checklist,
        p.createdBy(),
        p.createdAt(),
        actor.name(),
        now);
  }

  private List<Postmortem.TimelineItem> timelineOf(Incident incident) {
    List<Postmortem.TimelineItem> items = new ArrayList<>();
    UUID after = null;
    do {
      Page<TimelineEntry> page = details.timeline(incident.id(), after, Page.MAX_LIMIT);
      for (TimelineEntry entry : page.items()) {
        items.add(
            new Postmortem.TimelineItem(
                entry.at(), entry.message() + " (" + entry.actor().name() + ")"));
      }
      after = Page.after(page.nextCursor());
    } while (after != null && items.size() < MAX_ITEMS);
    return items;
  }

  private static List<Postmortem.TimelineItem> validTimeline(List<Postmortem.TimelineItem> items) {
    size("timeline", items);
    for (int i = 0; i < items.size(); i++) {
      Postmortem.TimelineItem item = items.get(i);
      if (item == null || item.at() == null) {
        throw new InvalidInputException("timeline[" + i + "].at", "is required");
      }
      if (item.text() == null || item.text().isBlank()) {
        throw new InvalidInputException("timeline[" + i + "].text", "is required");
      }
      text("timeline[" + i + "].text", item.text());
    }
    return List.copyOf(items);
  }

  private List<Postmortem.FollowUp> validFollowUps(List<Postmortem.FollowUp> followUps) {
    size("followUps", followUps);
    List<Postmortem.FollowUp> valid = new ArrayList<>();
    for (int i = 0; i < followUps.size(); i++) {
      Postmortem.FollowUp followUp = followUps.get(i);
      if (followUp == null || followUp.description() == null || followUp.description().isBlank()) {
        throw new InvalidInputException("followUps[" + i + "].description", "is required");
      }
      if (followUp.ownerId() != null && users.find(followUp.ownerId()).isEmpty()) {
        throw new InvalidInputException(
            "followUps[" + i + "].ownerId", "user " + followUp.ownerId() + " does not exist");
      }
      valid.add(
          new Postmortem.FollowUp(
              text("followUps[" + i + "].description", followUp.description()),
              followUp.ownerId(),
              followUp.dueDate(),
              Boolean.TRUE.equals(followUp.done())));
    }
    return valid;
  }

  private static void size(String field, List<?> items) {
    if (items.size() > MAX_ITEMS) {
      throw new InvalidInputException(field, "may have at most " + MAX_ITEMS + " entries");
    }
  }

  private static String text(String field, String value) {
    if (value.indexOf(0) >= 0) {
      // PostgreSQL cannot store a NUL character in text.
      throw new InvalidInputException(field, "must not contain the NUL character (\\u0000)");
    }
    if (value.length() > MAX_TEXT) {
      throw new InvalidInputException(field, "must have at most " + MAX_TEXT + " characters");
    }
    return value.strip();
  }

  private Map<String, Object> columns(Postmortem p) {
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("incident", p.incidentId());
    columns.put("status", p.status());
    columns.put("summary", p.summary());
    columns.put("impact", p.impact());
    columns.put("timeline", json.writeValueAsString(p.timeline()));
    columns.put("rootCause", p.rootCause());
    columns.put("resolution", p.resolution());
    columns.put("followUps", json.writeValueAsString(p.followUps()));
    columns.put("checklist", json.writeValueAsString(p.checklist()));
    columns.put("createdBy", p.createdBy());
    columns.put("createdAt", p.createdAt().atOffset(ZoneOffset.UTC));
    columns.put("updatedBy", p.updatedBy());
    columns.put("updatedAt", p.updatedAt().atOffset(ZoneOffset.UTC));
    return columns;
  }
}
