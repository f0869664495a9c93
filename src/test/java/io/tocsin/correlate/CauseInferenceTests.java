package io.tocsin.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.directory.service.DependencyGraph;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Which silent dependency explains services failing together, on small graphs named as in an
 * outage: postgres under apis, an api under frontends, and a cache beside postgres.
 */
class CauseInferenceTests {

  private static final Instant T0 = Instant.parse("2026-12-06T03:12:04Z");

  private final Map<String, UUID> ids = new LinkedHashMap<>();
  private final List<Map.Entry<UUID, UUID>> edges = new ArrayList<>();

  private UUID id(String name) {
    return ids.computeIfAbsent(name, n -> UUID.nameUUIDFromBytes(n.getBytes()));
  }

  private void needs(String service, String... dependencies) {
    for (String dependency : dependencies) {
      edges.add(Map.entry(id(service), id(dependency)));
    }
  }

  private List<CauseInference.Cause> infer(Set<String> notEligible, String... failing) {
    Map<UUID, Instant> since = new LinkedHashMap<>();
    for (int i = 0; i < failing.length; i++) {
      since.put(id(failing[i]), T0.plusSeconds(i));
    }
    return CauseInference.infer(
        DependencyGraph.of(edges),
        since,
        3,
        candidate -> notEligible.stream().map(this::id).noneMatch(candidate::equals));
  }

  private String name(UUID id) {
    return ids.entrySet().stream()
        .filter(e -> e.getValue().equals(id))
        .findFirst()
        .orElseThrow()
        .getKey();
  }

  @Test
  void threeFailingServicesThatShareASilentDependencyPointAtIt() {
    needs("api-1", "postgres");
    needs("api-2", "postgres");
    needs("api-3", "postgres");
    List<CauseInference.Cause> causes = infer(Set.of(), "api-1", "api-2", "api-3");
    assertThat(causes).hasSize(1);
    assertThat(name(causes.get(0).service())).isEqualTo("postgres");
    assertThat(causes.get(0).explains().stream().map(this::name))
        .containsExactly("api-1", "api-2", "api-3");
    assertThat(causes.get(0).since()).isEqualTo(T0);
    assertThat(causes.get(0).rivals()).isEmpty();
  }

  @Test
  void twoFailingServicesAreNotEnough() {
    needs("api-1", "postgres");
    needs("api-2", "postgres");
    assertThat(infer(Set.of(), "api-1", "api-2")).isEmpty();
  }

  @Test
  void aDependencyWithAnIncidentOfItsOwnIsNoCandidate() {
    needs("api-1", "postgres");
    needs("api-2", "postgres");
    needs("api-3", "postgres");
    assertThat(infer(Set.of("postgres"), "api-1", "api-2", "api-3")).isEmpty();
  }

  @Test
  void betweenTwoThatExplainTheSameServicesTheNearerWins() {
    // If postgres were down, api-1 would be failing and saying so too.
    needs("api-1", "postgres");
    needs("frontend-1", "api-1");
    needs("frontend-2", "api-1");
    needs("frontend-3", "api-1");
    List<CauseInference.Cause> causes = infer(Set.of(), "frontend-1", "frontend-2", "frontend-3");
    assertThat(causes).hasSize(1);
    assertThat(name(causes.get(0).service())).isEqualTo("api-1");
    assertThat(causes.get(0).rivals()).as("postgres is on the same chain, not a rival").isEmpty();
  }

  @Test
  void theDependencyThatExplainsTheMostWinsOverANearerOne() {
    needs("api-1", "postgres");
    needs("api-2", "postgres");
    needs("frontend-1", "api-1");
    needs("frontend-2", "api-1");
    needs("frontend-3", "api-1");
    List<CauseInference.Cause> causes =
        infer(Set.of(), "frontend-1", "frontend-2", "frontend-3", "api-2");
    assertThat(causes).hasSize(1);
    assertThat(name(causes.get(0).service())).isEqualTo("postgres");
    assertThat(causes.get(0).explains()).hasSize(4);
  }

  @Test
  void anAmbiguousChoiceNamesItsRivalAndPicksTheOneThatExplainsMore() {
    needs("api-1", "postgres", "cache");
    needs("api-2", "postgres", "cache");
    needs("api-3", "postgres", "cache");
    needs("api-4", "postgres");
    List<CauseInference.Cause> causes = infer(Set.of(), "api-1", "api-2", "api-3", "api-4");
    assertThat(causes).hasSize(1);
    assertThat(name(causes.get(0).service())).isEqualTo("postgres");
    assertThat(causes.get(0).rivals()).hasSize(1);
    assertThat(name(causes.get(0).rivals().get(0).service())).isEqualTo("cache");
    assertThat(causes.get(0).rivals().get(0).explains()).isEqualTo(3);
  }

  @Test
  void stormsOnTwoUnrelatedDependenciesAreTwoCauses() {
    for (int i = 1; i <= 4; i++) {
      needs("api-" + i, "postgres");
      needs("search-" + i, "elastic");
    }
    List<CauseInference.Cause> causes =
        infer(
            Set.of(),
            "api-1",
            "search-1",
            "api-2",
            "search-2",
            "api-3",
            "search-3",
            "api-4",
            "search-4");
    assertThat(causes.stream().map(c -> name(c.service())))
        .containsExactlyInAnyOrder("postgres", "elastic");
    assertThat(causes).allSatisfy(c -> assertThat(c.explains()).hasSize(4));
  }

  @Test
  void aFailingServiceIsExplainedOnceEvenWhenItNeedsTwoCandidates() {
    for (int i = 1; i <= 3; i++) {
      needs("api-" + i, "postgres");
      needs("search-" + i, "elastic");
    }
    needs("report", "postgres", "elastic");
    List<CauseInference.Cause> causes =
        infer(Set.of(), "api-1", "api-2", "api-3", "report", "search-1", "search-2", "search-3");
    assertThat(causes).hasSize(2);
    assertThat(causes.stream().mapToInt(c -> c.explains().size()).sum()).isEqualTo(7);
  }
}
