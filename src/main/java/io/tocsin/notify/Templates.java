package io.tocsin.notify;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import io.tocsin.directory.AuditLog;
import io.tocsin.incident.Actor;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The subject and text of pages and subscription messages: Mustache templates per channel and kind,
 * built in or an admin's own. A template is compiled and rendered against a full sample when it is
 * saved, so that a mistake is a 422 naming the line then, and never a page that fails to render at
 * 3 a.m. Templates see plain values only (maps and lists), never Tocsin's objects.
 */
@Service
public class Templates {

  /** What a template is for. */
  public enum Kind {
    PAGE,
    SUBSCRIPTION
  }

  /** A template as stored or built in; {@code custom} says whether an admin changed it. */
  public record MessageTemplate(
      ChannelType channel, Kind kind, String subject, String body, boolean custom) {}

  /** A rendered message. */
  public record Rendered(String subject, String text) {}

  static final String PAGE_SUBJECT =
      "[Tocsin {{incident.reference}}] {{incident.SEVERITY}}: {{incident.title}}";

  static final String PAGE_BODY =
      """
      {{incident.reference}} {{incident.SEVERITY}}: {{incident.title}}
      Service: {{service.name}}
      Status: {{incident.status}}, {{incident.firingCount}} of {{incident.alertCount}} alerts firing
      {{#probableCause}}Probable cause: {{probableCause}}
      {{/probableCause}}{{#page.level}}You are paged at level {{page.level}}{{^page.direct}} ({{page.via}}){{/page.direct}}.
      {{/page.level}}{{#alerts.firing}}- {{summary}}{{#labels}} [{{labels}}]{{/labels}}
      {{/alerts.firing}}{{#service.runbook}}Runbook: {{service.runbook}}
      {{/service.runbook}}
      Open: {{incident.url}}
      Acknowledge: {{links.acknowledge}}
      Resolve: {{links.resolve}}
      Escalate: {{links.escalate}}""";

  static final String SUBSCRIPTION_SUBJECT =
      "[Tocsin {{incident.reference}}] {{event.title}}: {{incident.title}}";

  static final String SUBSCRIPTION_BODY =
      """
      {{incident.reference}} {{event.verb}}: {{incident.title}}
      Service: {{service.name}}
      Severity: {{incident.severity}}
      Status: {{incident.status}}
      {{#event.update}}
      {{event.update}}
      {{/event.update}}{{#event.by}}— {{event.by}}
      {{/event.by}}
      You follow {{service.name}} in Tocsin: {{incident.url}}""";

  private static final int MAX_LENGTH = 20_000;
  private static final Log log = LogFactory.getLog(Templates.class);

  // Templates live in one database row each, so there is nothing to include: a partial ({{>x}})
  // or a parent ({{<x}}) is refused when saved, and one in an older row fails as a template error.
  private final Mustache.Compiler compiler =
      Mustache.compiler()
          .escapeHTML(false)
          .nullValue("")
          .emptyStringIsFalse(true)
          .zeroIsFalse(true)
          .withLoader(
              name -> {
                throw new MustacheException("includes no other template, so not {{>" + name + "}}");
              });
  private final JdbcClient jdbc;
  private final AuditLog audit;
  private final Clock clock;
  private final Map<String, Template> compiled = new ConcurrentHashMap<>();

  Templates(JdbcClient jdbc, AuditLog audit, Clock clock) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.clock = clock;
  }

  public List<MessageTemplate> list() {
    List<MessageTemplate> all = new ArrayList<>();
    for (ChannelType channel : ChannelType.values()) {
      for (Kind kind : Kind.values()) {
        all.add(get(channel, kind));
      }
    }
    return all;
  }

  public MessageTemplate get(ChannelType channel, Kind kind) {
    return stored(channel, kind).orElse(builtIn(channel, kind));
  }

  /** Checks and stores an admin's template; 422 with the line and the reason when it is broken. */
  @Transactional
  public MessageTemplate save(
      ChannelType channel, Kind kind, @Nullable String subject, @Nullable String body, Actor by) {
    Rendered sample = check(kind, subject, body);
    if (sample.subject().isBlank()) {
      throw new InvalidInputException("subject", "renders empty for a sample " + text(kind));
    }
    jdbc.sql("DELETE FROM notify_template WHERE channel = :channel AND kind = :kind")
        .param("channel", channel.text())
        .param("kind", text(kind))
        .update();
    jdbc.sql(
            """
            INSERT INTO notify_template (channel, kind, subject, body, updated_by, updated_at)
            VALUES (:channel, :kind, :subject, :body, :by, :now)
            """)
        .param("channel", channel.text())
        .param("kind", text(kind))
        .param("subject", subject)
        .param("body", body)
        .param("by", by.name())
        .param("now", clock.instant().atOffset(ZoneOffset.UTC))
        .update();
    audit.record(
        "notification_template.saved", channel.text() + " " + text(kind), "template replaced");
    return get(channel, kind);
  }

  /** Goes back to the built-in template. */
  @Transactional
  public MessageTemplate reset(ChannelType channel, Kind kind, Actor by) {
    jdbc.sql("DELETE FROM notify_template WHERE channel = :channel AND kind = :kind")
        .param("channel", channel.text())
        .param("kind", text(kind))
        .update();
    audit.record(
        "notification_template.reset", channel.text() + " " + text(kind), "back to the built-in");
    return get(channel, kind);
  }

  /** Renders a template against the sample, as saving would check it. */
  public Rendered preview(Kind kind, @Nullable String subject, @Nullable String body) {
    return check(kind, subject, body);
  }

  /**
   * Renders the channel's template of a kind for a message's values. A stored template that fails
   * (one saved before a check that would now refuse it) gives way to the built-in one: the page
   * still goes out.
   */
  Rendered render(ChannelType channel, Kind kind, Map<String, Object> values) {
    MessageTemplate template = get(channel, kind);
    try {
      return render(template, values);
    } catch (RuntimeException e) {
      if (!template.custom()) {
        throw e;
      }
      log.warn(
          "The "
              + channel.text()
              + " "
              + text(kind)
              + " template fails to render ("
              + e.getMessage()
              + "); the built-in template is used instead until an admin fixes it.");
      return render(builtIn(channel, kind), values);
    }
  }

  private Rendered render(MessageTemplate template, Map<String, Object> values) {
    return new Rendered(
        compile(template.subject()).execute(values).strip().replaceAll("\\s+", " "),
        compile(template.body()).execute(values).strip());
  }

  private Rendered check(Kind kind, @Nullable String subject, @Nullable String body) {
    if (subject == null || subject.isBlank() || subject.length() > 1000) {
      throw new InvalidInputException("subject", "must have 1 to 1000 characters");
    }
    if (body == null || body.isBlank() || body.length() > MAX_LENGTH) {
      throw new InvalidInputException("body", "must have 1 to " + MAX_LENGTH + " characters");
    }
    // PostgreSQL cannot store a NUL character in text.
    for (String[] field : new String[][] {{"subject", subject}, {"body", body}}) {
      if (field[1].indexOf(0) >= 0) {
        throw new InvalidInputException(field[0], "must not contain the NUL character (\\u0000)");
      }
    }
    Map<String, Object> sample = sample(kind);
    return new Rendered(run("subject", subject, sample), run("body", body, sample));
  }

  private String run(String field, String text, Map<String, Object> sample) {
    Template template;
    try {
      template = compiler.compile(text);
    } catch (MustacheException e) {
      throw new InvalidInputException(
          field, Objects.requireNonNullElse(e.getMessage(), "is not a valid template"));
    }
    // The sample renders only the sections it fills, so look for includes in every section.
    template.visit(new Includes(field));
    try {
      return template.execute(sample);
    } catch (RuntimeException e) {
      throw new InvalidInputException(field, "cannot be rendered: " + e.getMessage());
    }
  }

  /** Refuses a partial or a parent anywhere in a template, rendered by the sample or not. */
  private record Includes(String field) implements Mustache.Visitor {

    @Override
    public void visitText(String text) {}

    @Override
    public void visitVariable(String name) {}

    @Override
    public boolean visitInclude(String name) {
      throw new InvalidInputException(
          field, "includes the partial {{>" + name + "}}; a template cannot include another");
    }

    @Override
    public boolean visitParent(String name) {
      throw new InvalidInputException(
          field, "extends the template {{<" + name + "}}; a template cannot include another");
    }

    @Override
    public boolean visitSection(String name) {
      return true;
    }

    @Override
    public boolean visitInvertedSection(String name) {
      return true;
    }
  }

  private Template compile(String text) {
    return compiled.computeIfAbsent(text, compiler::compile);
  }

  private Optional<MessageTemplate> stored(ChannelType channel, Kind kind) {
    return jdbc.sql(
            "SELECT subject, body FROM notify_template WHERE channel = :channel AND kind = :kind")
        .param("channel", channel.text())
        .param("kind", text(kind))
        .query(
            (rs, n) ->
                new MessageTemplate(
                    channel, kind, rs.getString("subject"), rs.getString("body"), true))
        .optional();
  }

  private static MessageTemplate builtIn(ChannelType channel, Kind kind) {
    return kind == Kind.PAGE
        ? new MessageTemplate(channel, kind, PAGE_SUBJECT, PAGE_BODY, false)
        : new MessageTemplate(channel, kind, SUBSCRIPTION_SUBJECT, SUBSCRIPTION_BODY, false);
  }

  private static String text(Kind kind) {
    return EnumText.canonical(kind);
  }

  /**
   * Every value a template of the kind may use, with sample content: what saving renders against.
   * {@link MessageRenderer} fills the same keys for real messages.
   */
  static Map<String, Object> sample(Kind kind) {
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, Object> incident = new LinkedHashMap<>();
    incident.put("id", "01a22b03-1d4a-70ea-90ed-e4d6de282bfc");
    incident.put("number", 42);
    incident.put("reference", "#42");
    incident.put("title", "HighErrorRate on checkout");
    incident.put("severity", "critical");
    incident.put("SEVERITY", "CRITICAL");
    incident.put("status", "open");
    incident.put("firingCount", 3);
    incident.put("alertCount", 4);
    incident.put("openedAt", "2026-11-30T03:12:00Z");
    incident.put("url", "https://tocsin.example.com/incidents/42");
    values.put("incident", incident);
    values.put(
        "service",
        Map.of(
            "name", "checkout",
            "runbook", "https://runbooks.example.com/checkout",
            "runbooks", List.of("https://runbooks.example.com/checkout")));
    values.put("probableCause", "payments-db");
    values.put("recipient", "Alice");
    Map<String, Object> alert =
        Map.of(
            "summary", "5xx above 5 % for 10 minutes",
            "severity", "critical",
            "labels", "alertname=HighErrorRate, instance=checkout-1",
            "status", "firing");
    values.put("alerts", Map.of("firing", List.of(alert), "resolved", List.of()));
    values.put(
        "page", Map.of("level", 1, "round", 1, "via", "schedule 'Primary'", "direct", false));
    values.put(
        "links",
        Map.of(
            "acknowledge", "https://tocsin.example.com/actions/a",
            "resolve", "https://tocsin.example.com/actions/r",
            "escalate", "https://tocsin.example.com/actions/e"));
    values.put(
        "event",
        Map.of(
            "name", kind == Kind.PAGE ? "page" : "status_update",
            "title", "Update (monitoring)",
            "verb", "update (monitoring)",
            "phase", "monitoring",
            "update", "A fix is out; watching the error rate.",
            "by", "alice@example.com"));
    return values;
  }
}
