package io.tocsin.notify;

import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.incident.Incident;
import io.tocsin.incident.Incidents;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Turns an outbox row into the message a channel sends: subject, plain text, the incident at a
 * glance and its action links, read when it is sent, so that a retry shows the incident as it is.
 */
@Component
class MessageRenderer {

  /** A summary lists this many incidents, then says how many more. */
  private static final int SUMMARY_LINES = 20;

  private final Incidents incidents;
  private final ServiceCatalog services;
  private final ActionLinks links;
  private final Outbox outbox;
  private final String configuredUrl;
  private final Environment environment;

  MessageRenderer(
      Incidents incidents,
      ServiceCatalog services,
      ActionLinks links,
      Outbox outbox,
      @Value("${tocsin.public-url:}") String publicUrl,
      Environment environment) {
    this.incidents = incidents;
    this.services = services;
    this.links = links;
    this.outbox = outbox;
    this.configuredUrl = publicUrl.trim().replaceAll("/+$", "");
    this.environment = environment;
  }

  /**
   * The address people open Tocsin at, as the links in messages use it: {@code TOCSIN_PUBLIC_URL},
   * or this node on localhost (the port it really listens on, known once the server started).
   */
  String publicUrl() {
    if (!configuredUrl.isEmpty()) {
      return configuredUrl;
    }
    return "http://localhost:"
        + environment.getProperty(
            "local.server.port", environment.getProperty("server.port", "8080"));
  }

  Message render(Outbox.Claimed row, ContactMethod method, String recipient) {
    switch (row.kind()) {
      case VERIFICATION:
        return message(
            row,
            method,
            recipient,
            "Tocsin verification code " + row.content().get("code"),
            "Your Tocsin verification code for '"
                + method.name()
                + "' is "
                + row.content().get("code")
                + ". Type it in Tocsin within "
                + ContactMethods.CODE_LIFETIME.toMinutes()
                + " minutes. If you did not ask for it, ignore this message.",
            null,
            List.of());
      case TEST:
        return message(
            row,
            method,
            recipient,
            "Tocsin test message",
            "This is a test message from Tocsin to "
                + recipient
                + " through '"
                + method.name()
                + "'. Pages reach you here once this contact method is verified and in your"
                + " notification rules.",
            null,
            List.of());
      case SUMMARY:
        return summary(row, method, recipient);
      case SUBSCRIPTION:
        return subscription(row, method, recipient);
      default:
        return page(row, method, recipient);
    }
  }

  private Message page(Outbox.Claimed row, ContactMethod method, String recipient) {
    UUID incidentId = row.incidentId();
    if (incidentId == null) {
      throw new NotFoundException("The message names no incident.");
    }
    Incident incident = incidents.get(incidentId);
    String service = serviceName(incident.serviceId());
    String cause =
        incident.probableCauseServiceId().equals(incident.serviceId())
            ? null
            : serviceName(incident.probableCauseServiceId());
    String severity = EnumText.canonical(incident.severity());
    String url = publicUrl() + "/incidents/" + incident.number();
    Message.IncidentView view =
        new Message.IncidentView(
            incident.id(),
            incident.number(),
            incident.title(),
            severity,
            incident.status().text(),
            service,
            cause,
            incident.firingCount(),
            url);
    List<Message.Action> actions = new ArrayList<>();
    for (ActionLinks.Action action : ActionLinks.Action.values()) {
      actions.add(
          new Message.Action(
              action.text(),
              action.label(),
              publicUrl() + "/actions/" + links.token(row.id(), row.createdAt(), action)));
    }
    StringBuilder text = new StringBuilder();
    text.append(incident.reference())
        .append(' ')
        .append(severity.toUpperCase(Locale.ROOT))
        .append(": ")
        .append(incident.title())
        .append("\nService: ")
        .append(service)
        .append("\nStatus: ")
        .append(incident.status().text())
        .append(", ")
        .append(incident.firingCount())
        .append(" of ")
        .append(incident.alertCount())
        .append(" alerts firing");
    if (cause != null) {
      text.append("\nProbable cause: ").append(cause);
    }
    String level = row.content().get("level");
    if (level != null) {
      text.append("\nYou are paged at level ").append(level);
      String via = row.content().get("via");
      if (via != null && !via.equals("directly")) {
        text.append(" (").append(via).append(')');
      }
      text.append('.');
    }
    text.append("\n\nOpen: ").append(url);
    for (Message.Action action : actions) {
      text.append('\n').append(action.label()).append(": ").append(action.url());
    }
    return message(
        row,
        method,
        recipient,
        "[Tocsin "
            + incident.reference()
            + "] "
            + severity.toUpperCase(Locale.ROOT)
            + ": "
            + incident.title(),
        text.toString(),
        view,
        actions);
  }

  /** An incident a subscriber follows opened, was updated or resolved. */
  private Message subscription(Outbox.Claimed row, ContactMethod method, String recipient) {
    UUID incidentId = row.incidentId();
    if (incidentId == null) {
      throw new NotFoundException("The message names no incident.");
    }
    Incident incident = incidents.get(incidentId);
    String event = row.content().getOrDefault("event", "opened");
    String what;
    switch (event) {
      case "resolved":
        what = "Resolved";
        break;
      case "status_update":
        what = "Update (" + row.content().getOrDefault("phase", "") + ")";
        break;
      default:
        what = "Opened";
    }
    String service = serviceName(incident.serviceId());
    String url = publicUrl() + "/incidents/" + incident.number();
    StringBuilder text =
        new StringBuilder(incident.reference())
            .append(' ')
            .append(what.toLowerCase(Locale.ROOT))
            .append(": ")
            .append(incident.title())
            .append("\nService: ")
            .append(service)
            .append("\nSeverity: ")
            .append(EnumText.canonical(incident.severity()))
            .append("\nStatus: ")
            .append(incident.status().text());
    String update = row.content().get("update");
    if (update != null) {
      text.append("\n\n").append(update);
    }
    String by = row.content().get("by");
    if (by != null) {
      text.append("\n— ").append(by);
    }
    text.append("\n\nYou follow ").append(service).append(" in Tocsin: ").append(url);
    Message.IncidentView view =
        new Message.IncidentView(
            incident.id(),
            incident.number(),
            incident.title(),
            EnumText.canonical(incident.severity()),
            incident.status().text(),
            service,
            null,
            incident.firingCount(),
            url);
    return message(
        row,
        method,
        recipient,
        "[Tocsin " + incident.reference() + "] " + what + ": " + incident.title(),
        text.toString(),
        view,
        List.of());
  }

  /** The pages that came over the rate limit, as one message: "12 more incidents on …". */
  private Message summary(Outbox.Claimed row, ContactMethod method, String recipient) {
    List<Incident> folded = new ArrayList<>(incidents.getAll(outbox.summarized(row.id())).values());
    folded.sort(java.util.Comparator.comparingLong(Incident::number));
    java.util.Set<String> serviceNames = new java.util.LinkedHashSet<>();
    folded.forEach(incident -> serviceNames.add(serviceName(incident.serviceId())));
    String services = String.join(", ", serviceNames.stream().limit(5).toList());
    if (serviceNames.size() > 5) {
      services += ", …";
    }
    String subject =
        "[Tocsin] "
            + folded.size()
            + " more incident"
            + (folded.size() == 1 ? "" : "s")
            + " on "
            + services;
    StringBuilder text =
        new StringBuilder(
            "More pages came than one message each can carry; here they are at once:");
    int shown = 0;
    for (Incident incident : folded) {
      if (shown++ == SUMMARY_LINES) {
        text.append("\n… and ").append(folded.size() - SUMMARY_LINES).append(" more");
        break;
      }
      text.append('\n')
          .append(incident.reference())
          .append(' ')
          .append(EnumText.canonical(incident.severity()).toUpperCase(Locale.ROOT))
          .append(" (")
          .append(incident.status().text())
          .append("): ")
          .append(incident.title())
          .append(" — ")
          .append(serviceName(incident.serviceId()))
          .append("\n  ")
          .append(publicUrl())
          .append("/incidents/")
          .append(incident.number());
    }
    text.append("\n\nAll open incidents: ").append(publicUrl()).append("/incidents");
    return message(row, method, recipient, subject, text.toString(), null, List.of());
  }

  private String serviceName(UUID id) {
    try {
      CatalogService service = services.get(id);
      return service.name();
    } catch (NotFoundException e) {
      return "deleted service";
    }
  }

  private static Message message(
      Outbox.Claimed row,
      ContactMethod method,
      String recipient,
      String subject,
      String text,
      Message.@Nullable IncidentView incident,
      List<Message.Action> actions) {
    return new Message(
        row.id(),
        row.dedupKey(),
        row.kind(),
        method,
        recipient,
        subject,
        text,
        incident,
        List.copyOf(actions),
        row.createdAt());
  }
}
