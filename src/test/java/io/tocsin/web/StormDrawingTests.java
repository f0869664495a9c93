package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.directory.service.DependencyGraph;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Where the storm drawing puts its boxes and arrows. */
class StormDrawingTests {

  private final UUID db = UUID.randomUUID();
  private final UUID api = UUID.randomUUID();
  private final UUID cache = UUID.randomUUID();
  private final UUID frontend = UUID.randomUUID();

  /** frontend → api → db, and api → cache → db. */
  private final DependencyGraph graph =
      DependencyGraph.of(
          List.of(
              Map.entry(frontend, api),
              Map.entry(api, db),
              Map.entry(api, cache),
              Map.entry(cache, db)));

  @Test
  void aServiceTwoHopsAwayPointsThroughTheOneBetweenWhenThatOneFails() {
    StormDrawing drawing = stormOfDb(service(api, "api"), service(frontend, "frontend"));

    assertThat(drawing.edges()).hasSize(2);
    StormDrawing.Node cause = node(drawing, "db");
    StormDrawing.Node middle = node(drawing, "api");
    StormDrawing.Node far = node(drawing, "frontend");
    assertThat(cause.cause()).isTrue();
    assertThat(drawing.widthClass()).isEqualTo("columns-3");
    assertThat(far.x()).isLessThan(middle.x());
    assertThat(middle.x()).isLessThan(cause.x());
    assertThat(drawing.edges()).containsExactlyInAnyOrder(arrow(far, middle), arrow(middle, cause));
  }

  @Test
  void aServiceTwoHopsAwayPointsStraightAtTheCauseWhenTheOneBetweenIsNotFailing() {
    StormDrawing drawing = stormOfDb(service(frontend, "frontend"));

    StormDrawing.Node cause = node(drawing, "db");
    StormDrawing.Node far = node(drawing, "frontend");
    assertThat(drawing.nodes()).hasSize(2);
    assertThat(drawing.edges()).containsExactly(arrow(far, cause));
  }

  @Test
  void aServiceNeedingTheCauseOnlyThroughAnotherFailingOneHasOneArrow() {
    StormDrawing drawing = stormOfDb(service(api, "api"), service(cache, "cache"));

    assertThat(drawing.edges())
        .containsExactlyInAnyOrder(
            arrow(node(drawing, "api"), node(drawing, "cache")),
            arrow(node(drawing, "cache"), node(drawing, "db")));
  }

  @Test
  void aLargeStormIsDrawnInColumnsOfAtMostEightAndCappedWithTheRestCounted() {
    List<Map.Entry<UUID, UUID>> edges = new java.util.ArrayList<>();
    List<StormDrawing.Service> failing = new java.util.ArrayList<>();
    for (int i = 0; i < StormDrawing.DRAWN + 3; i++) {
      UUID id = UUID.randomUUID();
      edges.add(Map.entry(id, db));
      failing.add(service(id, "api-" + i));
    }
    StormDrawing drawing =
        StormDrawing.of(service(db, "db"), failing, DependencyGraph.of(edges)::closure);

    assertThat(drawing.nodes()).hasSize(StormDrawing.DRAWN + 1);
    assertThat(drawing.notDrawn()).isEqualTo(3);
    assertThat(drawing.edges()).hasSize(StormDrawing.DRAWN);
    assertThat(drawing.nodes().stream().map(StormDrawing.Node::x).distinct())
        .hasSize(1 + StormDrawing.DRAWN / StormDrawing.ROWS);
    assertThat(drawing.height())
        .isLessThanOrEqualTo(16 + StormDrawing.ROWS * (StormDrawing.NODE_HEIGHT + 12));
  }

  /** The drawing of a storm on the graph above, with db as its cause. */
  private StormDrawing stormOfDb(StormDrawing.Service... failing) {
    return StormDrawing.of(service(db, "db"), List.of(failing), graph::closure);
  }

  private static StormDrawing.Service service(UUID id, String name) {
    return new StormDrawing.Service(id, name, "since 03:12:04", "/services/" + id);
  }

  private static StormDrawing.Node node(StormDrawing drawing, String name) {
    return drawing.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
  }

  private static StormDrawing.Edge arrow(StormDrawing.Node from, StormDrawing.Node to) {
    return new StormDrawing.Edge(
        from.x() + from.width(), from.y() + from.height() / 2, to.x(), to.y() + to.height() / 2);
  }
}
