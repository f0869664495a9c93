package io.tocsin.notify;

import io.tocsin.directory.service.CatalogService;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentDetails;
import io.tocsin.incident.Incidents;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.PlatformProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
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

  /** Templates see at most this many firing and this many resolved alerts. */
  private static final int ALERTS_SHOWN = 10;

  private final Incidents incidents;
  private final IncidentDetails details;
  private final ServiceCatalog services;
  private final ActionLinks links;
  private final OutboxClaims claims;
  private final Templates templates;
  private final String configuredUrl;
  private final Environment environment;

  MessageRenderer(
      Incidents incidents,
      IncidentDetails details,
      ServiceCatalog services,
      ActionLinks links,
      OutboxClaims claims,
      Templates templates,
      PlatformProperties settings,
      Environment environment) {
    this.incidents = incidents;
    this.details = details;
    this.services = services;
    this.links = links;
    this.claims = claims;
    this.templates = templates;
    this.configuredUrl = settings.publicUrl().trim().replaceAll("/+$", "");
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

  Message render(OutboxClaims.Claimed row, ContactMethod method, String recipient) {
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

  private Message page(OutboxClaims.Claimed row, ContactMethod method, String recipient) {
    Incident incident = incidentOf(row);
    List<Message.Action> actions = new ArrayList<>();
    Map<String, Object> links = new LinkedHashMap<>();
    for (ActionLinks.Action action : ActionLinks.Action.values()) {
      String url = publicUrl() + "/actions/" + this.links.token(row.id(), row.createdAt(), action);
      actions.add(new Message.Action(action.text(), action.label(), url));
      links.put(action.text(), url);
    }
    Map<String, Object> values = values(incident, recipient);
    values.put("links", links);
    String via = row.content().getOrDefault("via", "directly");
    values.put(
        "page",
        Map.of(
            "level", row.content().getOrDefault("level", ""),
            "round", row.content().getOrDefault("round", "1"),
            "via", via,
            "direct", via.equals("directly")));
    values.put("event", Map.of("name", "page"));
    Templates.Rendered text = templates.render(method.type(), Templates.Kind.PAGE, values);
    return message(
        row, method, recipient, text.subject(), text.text(), view(incident, values), actions);
  }

  /** An incident a subscriber follows opened, was updated or resolved. */
  private Message subscription(OutboxClaims.Claimed row, ContactMethod method, String recipient) {
    Incident incident = incidentOf(row);
    String event = row.content().getOrDefault("event", "opened");
    String title;
    switch (event) {
      case "resolved":
        title = "Resolved";
        break;
      case "status_update":
        title = "Update (" + row.content().getOrDefault("phase", "") + ")";
        break;
      default:
        title = "Opened";
    }
    Map<String, Object> values = values(incident, recipient);
    values.put("links", Map.of());
    values.put("page", Map.of());
    values.put(
        "event",
        Map.of(
            "name", event,
            "title", title,
            "verb", title.toLowerCase(Locale.ROOT),
            "phase", row.content().getOrDefault("phase", ""),
            "update", row.content().getOrDefault("update", ""),
            "by", row.content().getOrDefault("by", "")));
    Templates.Rendered text = templates.render(method.type(), Templates.Kind.SUBSCRIPTION, values);
    return message(
        row, method, recipient, text.subject(), text.text(), view(incident, values), List.of());
  }

  private Incident incidentOf(OutboxClaims.Claimed row) {
    UUID incidentId = row.incidentId();
    if (incidentId == null) {
      throw new NotFoundException("The message names no incident.");
    }
    return incidents.get(incidentId);
  }

  /** What templates see of an incident: the keys of {@link Templates#sample}. */
  private Map<String, Object> values(Incident incident, String recipient) {
    Map<String, Object> values = new LinkedHashMap<>();
    String severity = EnumText.canonical(incident.severity());
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", incident.id().toString());
    view.put("number", incident.number());
    view.put("reference", incident.reference());
    view.put("title", incident.title());
    view.put("severity", severity);
    view.put("SEVERITY", severity.toUpperCase(Locale.ROOT));
    view.put("status", incident.status().text());
    view.put("firingCount", incident.firingCount());
    view.put("alertCount", incident.alertCount());
    view.put("openedAt", incident.openedAt().toString());
    view.put("url", publicUrl() + "/incidents/" + incident.number());
    values.put("incident", view);
    List<String> runbooks = List.of();
    String serviceName = "deleted service";
    try {
      CatalogService service = services.get(incident.serviceId());
      serviceName = service.name();
      runbooks = service.runbookUrls();
    } catch (NotFoundException e) {
      // The service was deleted after the incident opened: the message still goes out.
    }
    values.put(
        "service",
        Map.of(
            "name", serviceName,
            "runbook", runbooks.isEmpty() ? "" : runbooks.get(0),
            "runbooks", runbooks));
    values.put(
        "probableCause",
        incident.probableCauseServiceId().equals(incident.serviceId())
            ? ""
            : serviceName(incident.probableCauseServiceId()));
    values.put("recipient", recipient);
    values.put(
        "alerts",
        Map.of("firing", alerts(incident, "firing"), "resolved", alerts(incident, "resolved")));
    return values;
  }

  private List<Map<String, Object>> alerts(Incident incident, String status) {
    List<Map<String, Object>> alerts = new ArrayList<>();
    for (IncidentDetails.AttachedAlert alert :
        details.alerts(incident.id(), status, null, ALERTS_SHOWN).items()) {
      String labels =
          alert.details() == null
              ? ""
              : alert.details().labels().entrySet().stream()
                  .map(label -> label.getKey() + "=" + label.getValue())
                  .collect(Collectors.joining(", "));
      alerts.add(
          Map.of(
              "summary", alert.summary(),
              "severity", EnumText.canonical(alert.severity()),
              "labels", labels,
              "status", alert.status()));
    }
    return alerts;
  }

  // The values are those values() builds, which sets every key read here.
  @SuppressWarnings({"unchecked", "NullAway"})
  private static Message.IncidentView view(Incident incident, Map<String, Object> values) {
    Map<String, Object> view = (Map<String, Object>) values.get("incident");
    Map<String, Object> service = (Map<String, Object>) values.get("service");
    String cause = (String) values.get("probableCause");
    return new Message.IncidentView(
        incident.id(),
        incident.number(),
        incident.title(),
        (String) view.get("severity"),
        incident.status().text(),
        (String) service.get("name"),
        cause.isEmpty() ? null : cause,
        incident.firingCount(),
        (String) view.get("url"));
  }

  /** The pages that came over the rate limit, as one message: "12 more incidents on …". */
  private Message summary(OutboxClaims.Claimed row, ContactMethod method, String recipient) {
    List<Incident> folded = new ArrayList<>(incidents.getAll(claims.summarized(row.id())).values());
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
      OutboxClaims.Claimed row,
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
