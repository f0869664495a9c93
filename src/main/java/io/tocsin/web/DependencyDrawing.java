package io.tocsin.web;

import java.util.ArrayList;
import java.util.List;

/**
 * A service's neighbourhood in the dependency graph, laid out for an inline SVG: what needs the
 * service on the left, the service in the middle, what it needs on the right, an arrow for each
 * "depends on". Drawn on the server, so the page needs no graph library and works without
 * JavaScript; the view box scales it down to a phone's width.
 */
record DependencyDrawing(int width, int height, List<Node> nodes, List<Edge> edges) {

  /** A box with a name, linking to that service's page. */
  record Node(String name, String label, String href, int x, int y, boolean centre)
      implements GraphBox {

    public int height() {
      return NODE_HEIGHT;
    }

    public int textY() {
      return y + NODE_HEIGHT / 2 + 5;
    }
  }

  /** An arrow from the dependent's box to the box of what it depends on. */
  record Edge(int x1, int y1, int x2, int y2) {}

  /** A service as the drawing shows it. */
  record Service(String name, String href) {}

  static final int NODE_WIDTH = GraphBox.WIDTH;
  static final int NODE_HEIGHT = 40;
  private static final int GAP = 16;
  private static final int COLUMN_GAP = 60;
  private static final int MARGIN = 8;

  static DependencyDrawing of(
      Service centre, List<Service> dependents, List<Service> dependencies) {
    int rows = Math.max(1, Math.max(dependents.size(), dependencies.size()));
    int height = 2 * MARGIN + rows * NODE_HEIGHT + (rows - 1) * GAP;
    // An empty side takes no room, so that a phone draws the rest larger.
    int left = MARGIN;
    int middle = dependents.isEmpty() ? left : left + NODE_WIDTH + COLUMN_GAP;
    int right = middle + NODE_WIDTH + COLUMN_GAP;
    int width = (dependencies.isEmpty() ? middle + NODE_WIDTH : right + NODE_WIDTH) + MARGIN;
    Node centreNode = node(centre, middle, (height - NODE_HEIGHT) / 2, true);
    int centreMid = centreNode.y() + NODE_HEIGHT / 2;
    List<Node> nodes = new ArrayList<>(List.of(centreNode));
    List<Edge> edges = new ArrayList<>();
    for (Node node : column(dependents, left, height)) {
      nodes.add(node);
      edges.add(new Edge(left + NODE_WIDTH, node.y() + NODE_HEIGHT / 2, middle, centreMid));
    }
    for (Node node : column(dependencies, right, height)) {
      nodes.add(node);
      edges.add(new Edge(middle + NODE_WIDTH, centreMid, right, node.y() + NODE_HEIGHT / 2));
    }
    return new DependencyDrawing(width, height, nodes, edges);
  }

  /** A column's boxes, stacked around the vertical middle. */
  private static List<Node> column(List<Service> services, int x, int height) {
    int total = services.size() * NODE_HEIGHT + Math.max(0, services.size() - 1) * GAP;
    int y = (height - total) / 2;
    List<Node> nodes = new ArrayList<>();
    for (Service service : services) {
      nodes.add(node(service, x, y, false));
      y += NODE_HEIGHT + GAP;
    }
    return nodes;
  }

  private static Node node(Service service, int x, int y, boolean centre) {
    String name = service.name();
    return new Node(name, GraphBox.label(name), service.href(), x, y, centre);
  }
}
