package io.tocsin.notify.api;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.directory.Role;
import io.tocsin.directory.SignedInUser;
import io.tocsin.notify.Subscriptions;
import io.tocsin.platform.InvalidInputException;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/services/{id}/subscriptions}: who hears of the service's incidents without being
 * paged. People subscribe themselves; admins subscribe anyone, and teams.
 */
@RestController
@RequestMapping("/api/v1/services/{serviceId}/subscriptions")
class SubscriptionController {

  private final Subscriptions subscriptions;

  SubscriptionController(Subscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  record NewSubscription(@Nullable UUID userId, @Nullable UUID teamId) {}

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping
  List<Subscriptions.Subscription> list(@PathVariable UUID serviceId) {
    return subscriptions.list(serviceId);
  }

  @Operation(
      summary = "Follow the service's incidents: opened, status updates, resolved",
      description =
          "Name exactly one of userId and teamId. Messages go through the first step of each"
              + " person's low-urgency rules.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping
  ResponseEntity<Subscriptions.Subscription> subscribe(
      @PathVariable UUID serviceId, @RequestBody NewSubscription request) {
    if ((request.userId() == null) == (request.teamId() == null)) {
      throw new InvalidInputException("userId", "name exactly one of userId and teamId");
    }
    SignedInUser me = SignedInUser.current();
    boolean admin = me != null && me.role() == Role.ADMIN;
    if (!admin && (request.teamId() != null || me == null || !me.id().equals(request.userId()))) {
      throw new AccessDeniedException("Only admins subscribe others and teams.");
    }
    Subscriptions.Subscription created =
        request.userId() != null
            ? subscriptions.subscribe(serviceId, Subscriptions.Kind.USER, request.userId())
            : subscriptions.subscribe(serviceId, Subscriptions.Kind.TEAM, request.teamId());
    return ResponseEntity.created(URI.create("subscriptions/" + created.id())).body(created);
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @DeleteMapping("/{id}")
  ResponseEntity<Void> unsubscribe(@PathVariable UUID serviceId, @PathVariable UUID id) {
    Subscriptions.Subscription subscription = subscriptions.get(serviceId, id);
    SignedInUser me = SignedInUser.current();
    boolean own =
        me != null
            && subscription.kind() == Subscriptions.Kind.USER
            && subscription.subscriberId().equals(me.id());
    if (!own && (me == null || me.role() != Role.ADMIN)) {
      throw new AccessDeniedException("Only admins end others' subscriptions.");
    }
    subscriptions.unsubscribe(serviceId, id);
    return ResponseEntity.noContent().build();
  }
}
