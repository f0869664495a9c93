package io.tocsin.incident;

import io.tocsin.platform.EnumText;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Where an incident stands. {@link #IN_PROGRESS} is optional; {@link #RESOLVED} is final. */
public enum IncidentStatus {
  OPEN,
  ACKNOWLEDGED,
  IN_PROGRESS,
  RESOLVED;

  /**
   * The statuses before {@link #RESOLVED}, as an SQL list for {@code status IN}: an index on the
   * status serves it, where {@code status <> 'resolved'} makes PostgreSQL read every incident ever
   * kept to find the few still open.
   */
  static final String UNRESOLVED_SQL =
      Arrays.stream(values())
          .filter(status -> status != RESOLVED)
          .map(status -> "'" + status.text() + "'")
          .collect(Collectors.joining(", ", "(", ")"));

  /** The statuses this one may move to. */
  public List<IncidentStatus> next() {
    switch (this) {
      case OPEN:
        return List.of(ACKNOWLEDGED, IN_PROGRESS, RESOLVED);
      case ACKNOWLEDGED:
        return List.of(IN_PROGRESS, RESOLVED);
      case IN_PROGRESS:
        return List.of(RESOLVED);
      default:
        return List.of();
    }
  }

  public boolean canMoveTo(IncidentStatus status) {
    return next().contains(status);
  }

  public String text() {
    return EnumText.canonical(this);
  }
}
