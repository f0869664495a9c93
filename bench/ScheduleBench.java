import io.tocsin.oncall.Override;
import io.tocsin.oncall.Rotation;
import io.tocsin.oncall.ScheduleTimeline;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * Who is on call, looked up at random instants of a year in a schedule with 3 layers, 20 members
 * and 500 overrides (issue 7's benchmark). Run after {@code ./mvnw compile}:
 *
 * <pre>java -cp target/classes bench/ScheduleBench.java [lookups]</pre>
 */
public class ScheduleBench {

  public static void main(String[] args) {
    int lookups = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    Random random = new Random(42);
    List<UUID> members = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      members.add(new UUID(0, i + 1));
    }
    LocalDateTime start = LocalDateTime.parse("2026-01-05T09:00");
    List<Rotation> layers =
        List.of(
            new Rotation("weekly", members, new Rotation.Length(1, Rotation.Length.Unit.WEEKS), start, List.of()),
            new Rotation(
                "office hours",
                members.subList(0, 10),
                new Rotation.Length(1, Rotation.Length.Unit.DAYS),
                start,
                List.of(new Rotation.Window(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(9, 0), LocalTime.of(17, 0)))),
            new Rotation(
                "nights",
                members.subList(10, 20),
                new Rotation.Length(12, Rotation.Length.Unit.HOURS),
                start,
                List.of(new Rotation.Window(EnumSet.allOf(DayOfWeek.class), LocalTime.of(22, 0), LocalTime.of(6, 0)))));
    Instant yearStart = Instant.parse("2026-01-05T08:00:00Z");
    long yearSeconds = Duration.ofDays(365).toSeconds();
    List<Override> overrides = new ArrayList<>();
    long slot = yearSeconds / 500;
    for (int i = 0; i < 500; i++) {
      Instant from = yearStart.plusSeconds(i * slot + random.nextInt((int) (slot / 2)));
      overrides.add(new Override(members.get(random.nextInt(20)), from, from.plusSeconds(3600 + random.nextInt(8 * 3600))));
    }
    ScheduleTimeline timeline = new ScheduleTimeline(ZoneId.of("Europe/Berlin"), layers, overrides);

    long sink = 0;
    for (int i = 0; i < 20_000; i++) {
      sink += timeline.at(yearStart.plusSeconds(random.nextLong(yearSeconds))).isPresent() ? 1 : 0;
    }
    long[] nanos = new long[lookups];
    long total = System.nanoTime();
    for (int i = 0; i < lookups; i++) {
      Instant at = yearStart.plusSeconds(random.nextLong(yearSeconds));
      long t0 = System.nanoTime();
      sink += timeline.at(at).isPresent() ? 1 : 0;
      nanos[i] = System.nanoTime() - t0;
    }
    double seconds = (System.nanoTime() - total) / 1e9;
    Arrays.sort(nanos);
    System.out.printf(
        Locale.ROOT,
        "schedule lookups: %d in %.2f s; per lookup mean %.1f µs, p50 %.1f µs, p99 %.1f µs, max %.1f µs (%d answered)%n",
        lookups,
        seconds,
        seconds * 1e6 / lookups,
        nanos[lookups / 2] / 1e3,
        nanos[(int) (lookups * 0.99)] / 1e3,
        nanos[lookups - 1] / 1e3,
        sink);
  }
}
