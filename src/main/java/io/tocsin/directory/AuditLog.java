package io.tocsin.directory;

import io.tocsin.platform.AuditTrail;
import io.tocsin.platform.ListQuery;
import io.tocsin.platform.Page;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.util.IdGenerator;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * AuditLog records who changed what and every security event, from the request being served: the
 * signed-in user (or the name given, for failed sign-ins) and the client address. Entries are
 * written in the caller's transaction, so a rolled-back change leaves no entry behind.
 */
@Service
public class AuditLog implements AuditTrail {

  private static final String INSERT =
      """
      INSERT INTO directory_audit_event
        (id, occurred_at, actor_id, actor_name, client_address, kind, target, summary)
      VALUES (:id, :at, :actorId, :actorName, :address, :kind, :target, :summary)
      """;

  private static final String SELECT =
      """
      SELECT id, occurred_at, actor_id, actor_name, client_address, kind, target, summary
      FROM directory_audit_event
      """;

  private final JdbcClient jdbc;
  private final Clock clock;
  private final IdGenerator ids;

  AuditLog(JdbcClient jdbc, Clock clock, IdGenerator ids) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.ids = ids;
  }

  /** Records an event by the signed-in user of this request (or "system" outside a request). */
  @Override
  public void record(String kind, @Nullable String target, String summary) {
    SignedInUser user = SignedInUser.current();
    write(
        user == null ? null : user.id(),
        user == null ? (clientAddress() == null ? "system" : "anonymous") : user.email(),
        kind,
        target,
        summary);
  }

  /** Records an event on behalf of someone who is not signed in, such as a failed sign-in. */
  public void recordAs(String actorName, String kind, @Nullable String target, String summary) {
    write(null, actorName, kind, target, summary);
  }

  /** The newest entries first, filtered by actor name or id, kind, and a time range. */
  public Page<AuditEvent> list(
      @Nullable String actor,
      @Nullable String kind,
      @Nullable Instant from,
      @Nullable Instant to,
      @Nullable UUID before,
      int limit) {
    List<AuditEvent> rows =
        ListQuery.from(SELECT)
            .where("(LOWER(actor_name) = LOWER(?) OR CAST(actor_id AS TEXT) = ?)", actor)
            .where("kind = ?", kind)
            .where("occurred_at >= ?", from == null ? null : from.atOffset(ZoneOffset.UTC))
            .where("occurred_at < ?", to == null ? null : to.atOffset(ZoneOffset.UTC))
            .newestFirst(
                jdbc,
                before,
                limit,
                (rs, n) ->
                    new AuditEvent(
                        rs.getObject("id", UUID.class),
                        rs.getObject("occurred_at", java.time.OffsetDateTime.class).toInstant(),
                        rs.getObject("actor_id", UUID.class),
                        rs.getString("actor_name"),
                        rs.getString("client_address"),
                        rs.getString("kind"),
                        rs.getString("target"),
                        rs.getString("summary")));
    return Page.of(rows, limit, AuditEvent::id);
  }

  private void write(
      @Nullable UUID actorId,
      String actorName,
      String kind,
      @Nullable String target,
      String summary) {
    jdbc.sql(INSERT)
        .param("id", ids.generateId())
        .param("at", clock.instant().atOffset(ZoneOffset.UTC))
        .param("actorId", actorId)
        .param("actorName", actorName)
        .param("address", clientAddress())
        .param("kind", kind)
        .param("target", target)
        .param("summary", summary)
        .update();
  }

  private static @Nullable String clientAddress() {
    if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes servlet) {
      HttpServletRequest request = servlet.getRequest();
      return request.getRemoteAddr();
    }
    return null;
  }
}
