package io.tocsin.notify;

import io.tocsin.directory.Role;
import io.tocsin.directory.TeamScope;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.incident.Actor;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentStatus;
import io.tocsin.incident.Incidents;
import io.tocsin.oncall.Escalations;
import io.tocsin.platform.ForbiddenException;
import io.tocsin.platform.NotFoundException;
import java.time.Clock;
import java.time.ZoneOffset;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.ErrorResponseException;

/**
 * What an action link does: acknowledge, resolve or escalate the message's incident as the
 * message's recipient, recorded on the timeline as done by them "via" the channel. A link works
 * once, until it expires, and only while its recipient still may act on incidents.
 */
@Service
public class MessageActions {

  private final ActionLinks links;
  private final Outbox outbox;
  private final Incidents incidents;
  private final Escalations escalations;
  private final UserService users;
  private final JdbcClient jdbc;
  private final Clock clock;
  private final TeamScope scope;

  MessageActions(
      ActionLinks links,
      Outbox outbox,
      Incidents incidents,
      Escalations escalations,
      UserService users,
      JdbcClient jdbc,
      Clock clock,
      TeamScope scope) {
    this.scope = scope;
    this.links = links;
    this.outbox = outbox;
    this.incidents = incidents;
    this.escalations = escalations;
    this.users = users;
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** A usable link: what it would do, to which incident, as whom. */
  public record Prepared(ActionLinks.Action action, Incident incident, User user, String via) {}

  /**
   * The link behind a token, or 404 (not a link), 410 (expired, used, or its recipient deleted),
   * 403 (its recipient may no longer act on incidents, or not on this one's service: the same rule
   * as everywhere, {@link TeamScope}).
   */
  public Prepared check(String token) {
    ActionLinks.Link link =
        links.read(token).orElseThrow(() -> new NotFoundException("This is not a Tocsin link."));
    if (links.expired(link)) {
      throw gone("This link expired. Open the incident in Tocsin instead.");
    }
    long used =
        jdbc.sql(
                "SELECT COUNT(*) FROM notify_action_use WHERE message_id = :id AND action = :action")
            .param("id", link.messageId())
            .param("action", link.action().text())
            .query(Long.class)
            .single();
    if (used > 0) {
      throw gone("This link was used already.");
    }
    Outbox.Delivery message = outbox.get(link.messageId());
    if (message.incidentId() == null) {
      throw new NotFoundException("This link names no incident.");
    }
    User user =
        users
            .find(message.userId())
            .orElseThrow(() -> gone("The person this link was sent to no longer exists."));
    // The link acts with its recipient's rights as they are now, like a session or an API token:
    // someone demoted since the page was sent must not act on incidents through an old message.
    if (user.role().compareTo(Role.RESPONDER) < 0) {
      throw forbidden(
          user.name()
              + " is now a "
              + user.role().canonical()
              + ", and acting on incidents needs the responder role.");
    }
    Incident incident = incidents.get(message.incidentId());
    try {
      scope.requireService(user.id(), incident.serviceId());
    } catch (ForbiddenException e) {
      throw forbidden(e.getMessage());
    }
    return new Prepared(link.action(), incident, user, message.channel().text());
  }

  /** Does what the link says, once. A refused move (already resolved) leaves the link unused. */
  @Transactional
  public Incident perform(String token) {
    Prepared prepared = check(token);
    ActionLinks.Link link = links.read(token).orElseThrow();
    try {
      jdbc.sql(
              "INSERT INTO notify_action_use (message_id, action, used_at)"
                  + " VALUES (:id, :action, :now)")
          .param("id", link.messageId())
          .param("action", link.action().text())
          .param("now", clock.instant().atOffset(ZoneOffset.UTC))
          .update();
    } catch (DuplicateKeyException e) {
      throw gone("This link was used already.");
    }
    Actor actor =
        new Actor(
            Actor.Kind.USER,
            prepared.user().id(),
            prepared.user().email() + " via " + prepared.via());
    Incident incident = prepared.incident();
    switch (prepared.action()) {
      case ACKNOWLEDGE:
        return incidents.changeStatus(incident.id(), IncidentStatus.ACKNOWLEDGED, actor);
      case RESOLVE:
        return incidents.changeStatus(incident.id(), IncidentStatus.RESOLVED, actor);
      default:
        escalations.escalate(incident.id(), null, actor);
        return incidents.get(incident.id());
    }
  }

  private static ErrorResponseException forbidden(String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, detail);
    problem.setTitle("Forbidden");
    return new ErrorResponseException(HttpStatus.FORBIDDEN, problem, null);
  }

  private static ErrorResponseException gone(String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.GONE, detail);
    problem.setTitle("Gone");
    return new ErrorResponseException(HttpStatus.GONE, problem, null);
  }
}
