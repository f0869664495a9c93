package io.tocsin.oncall;

import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * How the paging load falls on people: the pages each person received (one per person and
 * escalation step, as {@link PageRequested} records them, however many channels carried it), split
 * into working hours (Monday to Friday, 09:00 to 18:00 in the person's own time zone) and outside.
 */
@Service
public class PagingLoad {

  /**
   * Pages are counted per quarter hour in SQL and placed in the working week in Java, where the
   * person's time zone is known: every zone's offset is a whole number of quarter hours, so a slot
   * never straddles 09:00 or 18:00.
   */
  private static final long SLOT_SECONDS = 900;

  private static final LocalTime WORK_STARTS = LocalTime.of(9, 0);
  private static final LocalTime WORK_ENDS = LocalTime.of(18, 0);

  private static final String PER_SLOT =
      """
      SELECT p.user_id, FLOOR(EXTRACT(EPOCH FROM p.requested_at) / %1$d) AS slot,
             COUNT(*) AS pages
      FROM oncall_page p JOIN oncall_escalation e ON e.incident_id = p.incident_id
      WHERE p.requested_at >= :since AND p.requested_at < :until %2$s
      GROUP BY p.user_id, FLOOR(EXTRACT(EPOCH FROM p.requested_at) / %1$d)
      """;

  private final JdbcClient jdbc;
  private final UserService users;

  PagingLoad(JdbcClient jdbc, UserService users) {
    this.jdbc = jdbc;
    this.users = users;
  }

  /** A person's pages in a range; {@code timeZone} is the zone the working hours were read in. */
  public record PersonPages(
      UUID userId, String name, String timeZone, int workingHours, int outsideWorkingHours) {

    public int total() {
      return workingHours + outsideWorkingHours;
    }
  }

  /**
   * The people paged in [since, until) for incidents of the given services or ({@code null}) all,
   * the most paged outside working hours first.
   */
  public List<PersonPages> perPerson(
      Instant since, Instant until, @Nullable Collection<UUID> serviceIds) {
    if (serviceIds != null && serviceIds.isEmpty()) {
      return List.of();
    }
    Map<UUID, int[]> counts = new LinkedHashMap<>();
    Map<UUID, Optional<User>> people = new LinkedHashMap<>();
    jdbc.sql(
            PER_SLOT.formatted(
                SLOT_SECONDS, serviceIds == null ? "" : "AND e.service_id IN (:services)"))
        .param("since", since.atOffset(ZoneOffset.UTC))
        .param("until", until.atOffset(ZoneOffset.UTC))
        .params(serviceIds == null ? Map.of() : Map.of("services", serviceIds))
        .query(
            rs -> {
              UUID userId = rs.getObject("user_id", UUID.class);
              Instant slot = Instant.ofEpochSecond(rs.getLong("slot") * SLOT_SECONDS);
              Optional<User> user = people.computeIfAbsent(userId, users::find);
              ZonedDateTime local = slot.atZone(user.map(User::timeZone).orElse(ZoneOffset.UTC));
              int[] count = counts.computeIfAbsent(userId, k -> new int[2]);
              count[working(local) ? 0 : 1] += rs.getInt("pages");
            });
    List<PersonPages> result = new ArrayList<>();
    counts.forEach(
        (userId, count) -> {
          Optional<User> user = Objects.requireNonNull(people.get(userId));
          result.add(
              new PersonPages(
                  userId,
                  user.map(User::name).orElse("deleted user"),
                  user.map(u -> u.timeZone().getId()).orElse("UTC"),
                  count[0],
                  count[1]));
        });
    result.sort(
        Comparator.comparingInt(PersonPages::outsideWorkingHours)
            .thenComparingInt(PersonPages::total)
            .reversed()
            .thenComparing(PersonPages::name));
    return result;
  }

  private static boolean working(ZonedDateTime local) {
    DayOfWeek day = local.getDayOfWeek();
    LocalTime time = local.toLocalTime();
    return day != DayOfWeek.SATURDAY
        && day != DayOfWeek.SUNDAY
        && !time.isBefore(WORK_STARTS)
        && time.isBefore(WORK_ENDS);
  }
}
