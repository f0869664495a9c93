package io.tocsin.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.replay.FollowingIncidents.Following;
import io.tocsin.replay.FollowingIncidents.Opening;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The evidence a history of incidents gives of a dependency nobody declared. */
class FollowingIncidentsTests {

  private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
  private static final UUID CAUSE = UUID.randomUUID();
  private static final UUID DEPENDENT = UUID.randomUUID();

  private final List<Opening> openings = new ArrayList<>();
  private long number;

  @Test
  void aServiceWhoseIncidentsFollowAnothersFiveTimesInFiveDependsOnIt() {
    for (int i = 0; i < 5; i++) {
      open(CAUSE, hours(i));
      open(DEPENDENT, hours(i).plusSeconds(30 + i * 10L));
    }

    List<Following> found = FollowingIncidents.find(openings, (a, b) -> false);

    assertThat(found).hasSize(1);
    Following following = found.get(0);
    assertThat(following.service()).isEqualTo(DEPENDENT);
    assertThat(following.dependsOn()).isEqualTo(CAUSE);
    assertThat(following.causeIncidents()).isEqualTo(5);
    assertThat(following.pairs()).hasSize(5);
    assertThat(following.medianLagSeconds()).isEqualTo(50);
    assertThat(following.examples())
        .as("the latest first")
        .extracting(pair -> pair.cause().at())
        .containsExactly(hours(4), hours(3), hours(2), hours(1), hours(0));
  }

  @Test
  void fourTimesIsTooFewEvenWhenItIsEveryTime() {
    for (int i = 0; i < 4; i++) {
      open(CAUSE, hours(i));
      open(DEPENDENT, hours(i).plusSeconds(30));
    }

    assertThat(FollowingIncidents.find(openings, (a, b) -> false)).isEmpty();
  }

  @Test
  void followingFewerThanEightyPercentOfTheIncidentsIsNoEvidence() {
    for (int i = 0; i < 7; i++) {
      open(CAUSE, hours(i));
      if (i < 5) {
        open(DEPENDENT, hours(i).plusSeconds(30));
      }
    }
    assertThat(FollowingIncidents.find(openings, (a, b) -> false)).as("5 of 7").isEmpty();

    open(CAUSE, hours(7));
    open(DEPENDENT, hours(7).plusSeconds(30));
    open(CAUSE, hours(8));
    open(DEPENDENT, hours(8).plusSeconds(30));
    assertThat(FollowingIncidents.find(openings, (a, b) -> false)).as("7 of 9").isEmpty();

    open(CAUSE, hours(9));
    open(DEPENDENT, hours(9).plusSeconds(30));
    assertThat(FollowingIncidents.find(openings, (a, b) -> false)).as("8 of 10").hasSize(1);
  }

  @Test
  void anIncidentMoreThanTwoMinutesLaterDoesNotFollow() {
    for (int i = 0; i < 5; i++) {
      open(CAUSE, hours(i));
      open(DEPENDENT, hours(i).plus(FollowingIncidents.WITHIN).plusSeconds(i == 0 ? 1 : 0));
    }

    List<Following> found = FollowingIncidents.find(openings, (a, b) -> false);

    assertThat(found).isEmpty();
  }

  @Test
  void oneIncidentAfterABurstFollowsOnlyOneOfIt() {
    for (int i = 0; i < 5; i++) {
      open(CAUSE, hours(0).plusSeconds(i));
    }
    open(DEPENDENT, hours(0).plusSeconds(20));
    for (int i = 1; i < 5; i++) {
      open(CAUSE, hours(i));
      open(DEPENDENT, hours(i).plusSeconds(20));
    }

    assertThat(FollowingIncidents.find(openings, (a, b) -> false))
        .as("5 of the cause's 9 incidents were followed")
        .isEmpty();
  }

  @Test
  void servicesAlreadyLinkedAreSuggestedNothing() {
    for (int i = 0; i < 5; i++) {
      open(CAUSE, hours(i));
      open(DEPENDENT, hours(i).plusSeconds(30));
    }

    assertThat(
            FollowingIncidents.find(
                openings, (dependent, cause) -> dependent.equals(DEPENDENT) && cause.equals(CAUSE)))
        .isEmpty();
  }

  @Test
  void incidentsThatAlwaysOpenTogetherSuggestNeitherDirection() {
    for (int i = 0; i < 5; i++) {
      open(CAUSE, hours(i));
      open(DEPENDENT, hours(i));
    }
    assertThat(FollowingIncidents.find(openings, (a, b) -> false)).isEmpty();

    open(CAUSE, hours(5));
    open(DEPENDENT, hours(5).plusSeconds(1));
    assertThat(FollowingIncidents.find(openings, (a, b) -> false))
        .as("once strictly later: the later one is the dependent")
        .singleElement()
        .satisfies(following -> assertThat(following.service()).isEqualTo(DEPENDENT));
  }

  private void open(UUID service, Instant at) {
    number++;
    openings.add(new Opening(UUID.randomUUID(), number, "incident " + number, service, at));
  }

  private static Instant hours(int n) {
    return START.plus(Duration.ofHours(n));
  }
}
