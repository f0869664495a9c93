package io.tocsin.incident.postmortem;

import io.tocsin.platform.EnumText;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** The write-up of a resolved incident. */
public record Postmortem(
    UUID incidentId,
    String status,
    String summary,
    String impact,
    List<TimelineItem> timeline,
    String rootCause,
    String resolution,
    List<FollowUp> followUps,
    Map<String, Boolean> checklist,
    String createdBy,
    Instant createdAt,
    String updatedBy,
    Instant updatedAt) {

  public enum Status {
    DRAFT,
    IN_REVIEW,
    PUBLISHED
  }

  /** What a review checks before the postmortem is done. */
  public enum ChecklistItem {
    TIMELINE_DOCUMENTED("Timeline documented"),
    ROOT_CAUSE_IDENTIFIED("Root cause identified"),
    IMPACT_ASSESSED("Impact assessed"),
    FIX_VERIFIED("Fix verified"),
    MONITORING_ENHANCED("Monitoring enhanced"),
    RUNBOOKS_UPDATED("Runbooks updated"),
    LESSONS_SHARED("Lessons shared");

    final String label;

    ChecklistItem(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    public String key() {
      return EnumText.canonical(this);
    }
  }

  public record TimelineItem(@Nullable Instant at, @Nullable String text) {}

  public record FollowUp(
      @Nullable String description,
      @Nullable UUID ownerId,
      @Nullable LocalDate dueDate,
      @Nullable Boolean done) {}
}
