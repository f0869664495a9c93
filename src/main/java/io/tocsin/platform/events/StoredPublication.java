package io.tocsin.platform.events;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.modulith.events.core.PublicationTargetIdentifier;
import org.springframework.modulith.events.core.TargetEventPublication;

/** A publication read back from the store; its event is deserialized when first asked for. */
final class StoredPublication implements TargetEventPublication {

  private final UUID id;
  private final Instant publicationDate;
  private final String listenerId;
  private final Supplier<Object> eventReader;
  private final @Nullable Instant lastResubmissionDate;
  private final int completionAttempts;
  private Status status;
  private @Nullable Instant completionDate;
  private @Nullable Object event;

  StoredPublication(
      UUID id,
      Instant publicationDate,
      String listenerId,
      Supplier<Object> eventReader,
      Status status,
      @Nullable Instant lastResubmissionDate,
      int completionAttempts) {
    this.id = id;
    this.publicationDate = publicationDate;
    this.listenerId = listenerId;
    this.eventReader = eventReader;
    this.status = status;
    this.lastResubmissionDate = lastResubmissionDate;
    this.completionAttempts = completionAttempts;
  }

  @Override
  public UUID getIdentifier() {
    return id;
  }

  @Override
  public Object getEvent() {
    if (event == null) {
      event = eventReader.get();
    }
    return event;
  }

  @Override
  public PublicationTargetIdentifier getTargetIdentifier() {
    return PublicationTargetIdentifier.of(listenerId);
  }

  @Override
  public Instant getPublicationDate() {
    return publicationDate;
  }

  @Override
  public Optional<Instant> getCompletionDate() {
    return Optional.ofNullable(completionDate);
  }

  @Override
  public void markCompleted(Instant instant) {
    completionDate = instant;
    status = Status.COMPLETED;
  }

  @Override
  public Status getStatus() {
    return status;
  }

  @Override
  public @Nullable Instant getLastResubmissionDate() {
    return lastResubmissionDate;
  }

  @Override
  public int getCompletionAttempts() {
    return completionAttempts;
  }
}
