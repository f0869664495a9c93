package io.tocsin.incident;

import io.tocsin.platform.EnumText;
import java.util.List;

/** Where an incident stands. {@link #IN_PROGRESS} is optional; {@link #RESOLVED} is final. */
public enum IncidentStatus {
  OPEN,
  ACKNOWLEDGED,
  IN_PROGRESS,
  RESOLVED;

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
