package io.tocsin.notify.api;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.notify.ContactMethod;
import io.tocsin.notify.ContactMethods;
import io.tocsin.notify.NotificationRules;
import io.tocsin.notify.Outbox;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/users/{user}/contact-methods} and {@code …/notification-rules}, where {@code
 * {user}} is {@code me} or, for admins, anyone's id.
 */
@RestController
@RequestMapping("/api/v1/users/{user}")
class ContactMethodController {

  private final ContactMethods methods;
  private final NotificationRules rules;
  private final Outbox outbox;

  ContactMethodController(ContactMethods methods, NotificationRules rules, Outbox outbox) {
    this.methods = methods;
    this.rules = rules;
    this.outbox = outbox;
  }

  record MethodView(
      UUID id,
      String type,
      String name,
      String target,
      Map<String, String> settings,
      boolean verified,
      @Nullable Instant verifiedAt,
      Instant createdAt,
      @Nullable String unreadable) {}

  record Code(@Nullable String code) {}

  record Sent(UUID messageId, String status) {}

  @Operation(
      summary = "Add a contact method",
      description =
          "type: email, webhook, slack, teams or ntfy. target: the address or URL. settings:"
              + " webhook {secret} (generated when absent, shown only in this answer), ntfy"
              + " {topic, token}. A new method must be verified before it carries pages. Secrets,"
              + " and Slack and Teams URLs, are stored encrypted; a method whose secrets this"
              + " server cannot decrypt lists with unreadable saying why.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/contact-methods")
  ResponseEntity<MethodView> create(
      @PathVariable String user, @RequestBody ContactMethods.NewMethod input) {
    ContactMethod method = methods.create(UserRef.resolve(user), input);
    return ResponseEntity.created(URI.create("contact-methods/" + method.id()))
        .body(view(method, method.settings()));
  }

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/contact-methods")
  List<MethodView> list(@PathVariable String user) {
    return methods.list(UserRef.resolve(user)).stream()
        .map(method -> view(method, methods.visibleSettings(method)))
        .toList();
  }

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/contact-methods/{id}")
  MethodView get(@PathVariable String user, @PathVariable UUID id) {
    ContactMethod method = methods.get(UserRef.resolve(user), id);
    return view(method, methods.visibleSettings(method));
  }

  @PreAuthorize("hasRole('RESPONDER')")
  @DeleteMapping("/contact-methods/{id}")
  ResponseEntity<Void> delete(@PathVariable String user, @PathVariable UUID id) {
    methods.delete(UserRef.resolve(user), id);
    return ResponseEntity.noContent().build();
  }

  @Operation(summary = "Send a verification code through the method (the previous one expires)")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/contact-methods/{id}/verification")
  ResponseEntity<Void> sendCode(@PathVariable String user, @PathVariable UUID id) {
    methods.sendCode(UserRef.resolve(user), id);
    return ResponseEntity.accepted().build();
  }

  @Operation(
      summary = "Type the code back",
      description =
          "A user's first verified method gets the default rules: every page through it at once.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/contact-methods/{id}/verify")
  MethodView verify(@PathVariable String user, @PathVariable UUID id, @RequestBody Code code) {
    ContactMethod method = methods.verify(UserRef.resolve(user), id, code.code());
    return view(method, methods.visibleSettings(method));
  }

  @Operation(summary = "Send a test message through the method; see its delivery with the id")
  @PreAuthorize("hasRole('RESPONDER')")
  @PostMapping("/contact-methods/{id}/test")
  ResponseEntity<Sent> test(@PathVariable String user, @PathVariable UUID id) {
    UUID message = methods.sendTest(UserRef.resolve(user), id);
    return ResponseEntity.accepted().body(new Sent(message, "pending"));
  }

  @Operation(summary = "A message this user was sent: its status and every attempt")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/messages/{id}")
  DeliveryViews.MessageView message(@PathVariable String user, @PathVariable UUID id) {
    UUID owner = UserRef.resolve(user);
    Outbox.Delivery delivery = outbox.get(id);
    if (!delivery.userId().equals(owner)) {
      throw new io.tocsin.platform.NotFoundException("There is no message " + id + ".");
    }
    return DeliveryViews.of(delivery, outbox.attempts(id));
  }

  @Operation(
      summary = "The user's notification rules, and what keeps pages from reaching them",
      description = "high: critical and error pages; low: warning and info.")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/notification-rules")
  NotificationRules.Rules rules(@PathVariable String user) {
    return rules.get(UserRef.resolve(user));
  }

  @Operation(
      summary = "Replace the user's notification rules",
      description =
          "{\"high\":[{\"contactMethodId\":\"…\",\"delayMinutes\":0},…],\"low\":[…]}: in order,"
              + " each step through one of the user's methods, minutes after the page.")
  @PreAuthorize("hasRole('RESPONDER')")
  @PutMapping("/notification-rules")
  NotificationRules.Rules replaceRules(
      @PathVariable String user, @RequestBody Map<String, List<NotificationRules.Step>> input) {
    return rules.replace(UserRef.resolve(user), input);
  }

  private static MethodView view(ContactMethod method, Map<String, String> settings) {
    return new MethodView(
        method.id(),
        method.type().text(),
        method.name(),
        method.target(),
        new LinkedHashMap<>(settings),
        method.verified(),
        method.verifiedAt(),
        method.createdAt(),
        method.unreadable());
  }
}
