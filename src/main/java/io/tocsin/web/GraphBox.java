package io.tocsin.web;

/**
 * A box of a graph drawn on the server ({@link DependencyDrawing}, {@link StormDrawing}): every box
 * is as wide as the longest label it shows, and its text is centred in it.
 */
interface GraphBox {

  /** The width of every box. */
  int WIDTH = 200;

  /** The longest label that fits {@link #WIDTH}. */
  int LABEL_CHARACTERS = 22;

  int x();

  int y();

  default int width() {
    return WIDTH;
  }

  default int textX() {
    return x() + WIDTH / 2;
  }

  /** {@code name}, cut short with an ellipsis when it would not fit the box. */
  static String label(String name) {
    return name.length() <= LABEL_CHARACTERS ? name : name.substring(0, LABEL_CHARACTERS - 1) + "…";
  }
}
