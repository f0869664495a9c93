package io.tocsin.web;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * A storm laid out for an inline SVG on the incident page: the cause on the right, the failing
 * services in columns by how far they are from it, an arrow for each "depends on" between them.
 * Only services on the incident are drawn: a failing service points at the nearest service of the
 * storm it needs, so a service two hops away points through the one between only when that one
 * fails too, and straight at the cause otherwise. Drawn on the server like {@link
 * DependencyDrawing}; the table beside it says the same for screen readers and phones.
 */
record StormDrawing(int width, int height, List<Node> nodes, List<Edge> edges, int notDrawn) {

  /** A box with the service's name and a second line (when it began, or that it is the cause). */
  record Node(String name, String label, String detail, String href, int x, int y, boolean cause)
      implements GraphBox {

    public int height() {
      return NODE_HEIGHT;
    }

    public int nameY() {
      return y + 22;
    }

    public int detailY() {
      return y + 42;
    }
  }

  /** An arrow from a failing service's box to the box of the storm's service it needs. */
  record Edge(int x1, int y1, int x2, int y2) {}

  /** A service as the drawing shows it; {@code detail} is its second line. */
  record Service(UUID id, String name, String detail, String href) {}

  static final int NODE_WIDTH = GraphBox.WIDTH;
  static final int NODE_HEIGHT = 54;
  private static final int GAP = 12;
  private static final int COLUMN_GAP = 60;
  private static final int MARGIN = 8;

  /** Boxes in one column; a larger layer takes more columns, so the drawing stays short. */
  static final int ROWS = 8;

  /** Failing services drawn; the table lists every one. */
  static final int DRAWN = 32;

  /**
   * The storm of {@code cause} and the {@code failing} services on its incident (in the order to
   * keep when there are more than {@link #DRAWN}); {@code closure} is what a service needs,
   * directly or through others.
   */
  static StormDrawing of(Service cause, List<Service> failing, Function<UUID, List<UUID>> closure) {
    List<Service> drawn = failing.subList(0, Math.min(DRAWN, failing.size()));
    Map<UUID, Service> storm = new LinkedHashMap<>();
    storm.put(cause.id(), cause);
    drawn.forEach(service -> storm.putIfAbsent(service.id(), service));

    // What each failing service points at: the storm's services it needs, less those it needs
    // only through another of them.
    Map<UUID, Set<UUID>> needs = new HashMap<>();
    for (UUID id : storm.keySet()) {
      Set<UUID> inStorm = new LinkedHashSet<>();
      for (UUID need : closure.apply(id)) {
        if (storm.containsKey(need) && !need.equals(id)) {
          inStorm.add(need);
        }
      }
      needs.put(id, inStorm);
    }
    Map<UUID, Set<UUID>> points = new HashMap<>();
    for (UUID id : storm.keySet()) {
      Set<UUID> needed = Objects.requireNonNull(needs.get(id));
      Set<UUID> nearest = new LinkedHashSet<>(needed);
      for (UUID need : needed) {
        nearest.removeAll(Objects.requireNonNull(needs.get(need)));
      }
      nearest.remove(id);
      points.put(id, id.equals(cause.id()) ? Set.of() : nearest);
    }

    // Layers: the cause is 0, a service one more than the farthest it points at. A service that
    // needs nothing of the storm (merged in by hand) stands beside the cause's dependents.
    Map<UUID, Integer> layer = new HashMap<>();
    layer.put(cause.id(), 0);
    for (UUID id : storm.keySet()) {
      layerOf(id, points, layer, new HashSet<>());
    }
    int layers = layer.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;

    // Columns from the right: the cause, then each layer in columns of at most ROWS boxes, each
    // layer ordered by where what it points at stands, so that arrows cross less.
    Map<UUID, Integer> row = new HashMap<>();
    List<List<UUID>> columns = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      final int current = l;
      List<UUID> members =
          storm.keySet().stream()
              .filter(id -> Objects.requireNonNull(layer.get(id)) == current)
              .sorted(
                  Comparator.comparingDouble(
                          (UUID id) ->
                              Objects.requireNonNull(points.get(id)).stream()
                                  .mapToInt(target -> row.getOrDefault(target, 0))
                                  .average()
                                  .orElse(Double.MAX_VALUE))
                      .thenComparing(id -> Objects.requireNonNull(storm.get(id)).name()))
              .toList();
      for (int start = 0; start < members.size(); start += ROWS) {
        List<UUID> column = members.subList(start, Math.min(members.size(), start + ROWS));
        for (int i = 0; i < column.size(); i++) {
          row.put(column.get(i), i);
        }
        columns.add(column);
      }
    }
    int rows = columns.stream().mapToInt(List::size).max().orElse(1);
    int height = 2 * MARGIN + rows * NODE_HEIGHT + (rows - 1) * GAP;
    int width = 2 * MARGIN + columns.size() * NODE_WIDTH + (columns.size() - 1) * COLUMN_GAP;

    Map<UUID, Node> nodes = new LinkedHashMap<>();
    for (int c = 0; c < columns.size(); c++) {
      List<UUID> column = columns.get(c);
      int x = width - MARGIN - NODE_WIDTH - c * (NODE_WIDTH + COLUMN_GAP);
      int total = column.size() * NODE_HEIGHT + (column.size() - 1) * GAP;
      int y = (height - total) / 2;
      for (UUID id : column) {
        nodes.put(id, node(Objects.requireNonNull(storm.get(id)), x, y, id.equals(cause.id())));
        y += NODE_HEIGHT + GAP;
      }
    }
    List<Edge> edges = new ArrayList<>();
    for (Map.Entry<UUID, Set<UUID>> pointing : points.entrySet()) {
      Node from = Objects.requireNonNull(nodes.get(pointing.getKey()));
      for (UUID target : pointing.getValue()) {
        Node to = Objects.requireNonNull(nodes.get(target));
        edges.add(
            new Edge(
                from.x() + NODE_WIDTH,
                from.y() + NODE_HEIGHT / 2,
                to.x(),
                to.y() + NODE_HEIGHT / 2));
      }
    }
    // Arrows first, so that boxes stand on them; a stable order keeps the page's markup stable.
    edges.sort(Comparator.comparingInt(Edge::y1).thenComparingInt(Edge::x1));
    return new StormDrawing(
        width, height, List.copyOf(nodes.values()), edges, failing.size() - drawn.size());
  }

  /**
   * The class saying how many columns wide the drawing is (4 for more), for the page to cap its
   * width near its natural size: a small storm is not blown up to the page's width (the
   * Content-Security-Policy allows no style attribute that would say so in pixels).
   */
  public String widthClass() {
    int columns = (width - 2 * MARGIN + COLUMN_GAP) / (NODE_WIDTH + COLUMN_GAP);
    return "columns-" + Math.min(columns, 4);
  }

  private static int layerOf(
      UUID id, Map<UUID, Set<UUID>> points, Map<UUID, Integer> layer, Set<UUID> visiting) {
    Integer known = layer.get(id);
    if (known != null) {
      return known;
    }
    // The graph has no cycles (the catalog refuses them); this guards the drawing anyway.
    if (!visiting.add(id)) {
      return 0;
    }
    int farthest = 0;
    for (UUID target : Objects.requireNonNull(points.get(id))) {
      farthest = Math.max(farthest, layerOf(target, points, layer, visiting));
    }
    layer.put(id, farthest + 1);
    return farthest + 1;
  }

  private static Node node(Service service, int x, int y, boolean cause) {
    String name = service.name();
    return new Node(name, GraphBox.label(name), service.detail(), service.href(), x, y, cause);
  }
}
