package io.tocsin.incident.postmortem;

import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentDetails;
import io.tocsin.platform.EnumText;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/** A postmortem as a Markdown document, for a wiki, a repository or an e-mail. */
@Component
public class PostmortemMarkdown {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private final IncidentDetails details;
  private final UserService users;

  PostmortemMarkdown(IncidentDetails details, UserService users) {
    this.details = details;
    this.users = users;
  }

  public String render(Incident incident, Postmortem postmortem) {
    StringBuilder md = new StringBuilder();
    md.append("# Postmortem: ")
        .append(incident.reference())
        .append(' ')
        .append(inline(incident.title()))
        .append("\n\n");
    md.append("| | |\n|---|---|\n");
    row(
        md,
        "Status",
        EnumText.canonical(EnumText.parse(Postmortem.Status.class, "status", postmortem.status()))
            .replace('_', ' '));
    row(md, "Service", details.serviceName(incident.serviceId()));
    row(md, "Severity", EnumText.canonical(incident.severity()));
    row(md, "Probable cause", details.serviceName(incident.probableCauseServiceId()));
    row(
        md,
        "Affected services",
        details.affectedServices(incident).stream()
            .map(IncidentDetails.AffectedService::name)
            .collect(Collectors.joining(", ")));
    row(md, "Opened", time(incident.openedAt()));
    row(md, "Acknowledged", time(incident.acknowledgedAt()));
    row(md, "Resolved", time(incident.resolvedAt()));
    row(md, "Time to acknowledge", duration(incident.timeToAcknowledge()));
    row(md, "Time to resolve", duration(incident.timeToResolve()));
    row(md, "Alerts", String.valueOf(incident.alertCount()));
    md.append('\n');
    section(md, "Summary", postmortem.summary());
    section(md, "Impact", postmortem.impact());
    md.append("## Timeline\n\n");
    if (postmortem.timeline().isEmpty()) {
      md.append("_None._\n\n");
    } else {
      for (Postmortem.TimelineItem item : postmortem.timeline()) {
        md.append("- **")
            .append(time(item.at()))
            .append("** ")
            .append(inline(item.text()))
            .append('\n');
      }
      md.append('\n');
    }
    section(md, "Root cause", postmortem.rootCause());
    section(md, "Resolution", postmortem.resolution());
    md.append("## Follow-up actions\n\n");
    if (postmortem.followUps().isEmpty()) {
      md.append("_None._\n\n");
    } else {
      for (Postmortem.FollowUp followUp : postmortem.followUps()) {
        md.append(Boolean.TRUE.equals(followUp.done()) ? "- [x] " : "- [ ] ")
            .append(inline(followUp.description()));
        String owner = owner(followUp.ownerId());
        if (owner != null) {
          md.append(" — owner: ").append(owner);
        }
        if (followUp.dueDate() != null) {
          md.append(" — due ").append(followUp.dueDate());
        }
        md.append('\n');
      }
      md.append('\n');
    }
    md.append("## Review checklist\n\n");
    for (Postmortem.ChecklistItem item : Postmortem.ChecklistItem.values()) {
      md.append(Boolean.TRUE.equals(postmortem.checklist().get(item.key())) ? "- [x] " : "- [ ] ")
          .append(item.label)
          .append('\n');
    }
    return md.toString();
  }

  private @Nullable String owner(@Nullable UUID id) {
    return id == null ? null : users.find(id).map(User::email).orElse(id.toString());
  }

  private static void row(StringBuilder md, String name, String value) {
    md.append("| ").append(name).append(" | ").append(value.replace("|", "\\|")).append(" |\n");
  }

  private static void section(StringBuilder md, String title, String text) {
    md.append("## ")
        .append(title)
        .append("\n\n")
        .append(text.isBlank() ? "_Not written yet._" : text.strip())
        .append("\n\n");
  }

  /** Text kept on one line, so that a newline cannot end a list item or a table row. */
  private static String inline(@Nullable String text) {
    return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  private static String time(@Nullable Instant at) {
    return at == null ? "—" : TIME.format(at);
  }

  private static String duration(@Nullable Duration duration) {
    if (duration == null) {
      return "—";
    }
    long seconds = duration.toSeconds();
    if (seconds < 60) {
      return seconds + " s";
    }
    long minutes = seconds / 60;
    return minutes < 120 ? minutes + " min" : (minutes / 60) + " h " + (minutes % 60) + " min";
  }
}
