package io.tocsin.notify.api;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.incident.Actor;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.Templates;
import io.tocsin.platform.EnumText;
import java.util.List;
import org.jspecify.annotations.Nullable;
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
 * {@code /api/v1/notification-templates}: the subject and text of messages, per channel and kind.
 */
@RestController
@RequestMapping("/api/v1/notification-templates")
class TemplateController {

  private final Templates templates;

  TemplateController(Templates templates) {
    this.templates = templates;
  }

  record TemplateView(String channel, String kind, String subject, String body, boolean custom) {}

  record TemplateInput(@Nullable String subject, @Nullable String body) {}

  record PreviewInput(@Nullable String kind, @Nullable String subject, @Nullable String body) {}

  @Operation(summary = "Every channel's templates for pages and subscription messages")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping
  List<TemplateView> list() {
    return templates.list().stream().map(TemplateController::view).toList();
  }

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/{channel}/{kind}")
  TemplateView get(@PathVariable String channel, @PathVariable String kind) {
    return view(templates.get(channel(channel), kind(kind)));
  }

  @Operation(
      summary = "Replace a template (Mustache)",
      description =
          "Values: incident.{reference, number, title, severity, SEVERITY, status, firingCount,"
              + " alertCount, openedAt, url}, service.{name, runbook, runbooks}, probableCause,"
              + " recipient, alerts.firing and alerts.resolved (each summary, severity, labels,"
              + " status), page.{level, round, via, direct}, links.{acknowledge, resolve,"
              + " escalate}, event.{name, title, verb, phase, update, by}. The template is"
              + " rendered against a sample first: a mistake is a 422 naming the line.")
  @PreAuthorize("hasRole('ADMIN')")
  @PutMapping("/{channel}/{kind}")
  TemplateView save(
      @PathVariable String channel, @PathVariable String kind, @RequestBody TemplateInput input) {
    return view(
        templates.save(
            channel(channel), kind(kind), input.subject(), input.body(), Actor.current()));
  }

  @Operation(summary = "Go back to the built-in template")
  @PreAuthorize("hasRole('ADMIN')")
  @DeleteMapping("/{channel}/{kind}")
  TemplateView reset(@PathVariable String channel, @PathVariable String kind) {
    return view(templates.reset(channel(channel), kind(kind), Actor.current()));
  }

  @Operation(summary = "Render a template against the sample, without saving it")
  @PreAuthorize("hasRole('VIEWER')")
  @PostMapping("/preview")
  Templates.Rendered preview(@RequestBody PreviewInput input) {
    return templates.preview(
        kind(input.kind() == null ? "page" : input.kind()), input.subject(), input.body());
  }

  private static ChannelType channel(String text) {
    return EnumText.parse(ChannelType.class, "channel", text);
  }

  private static Templates.Kind kind(String text) {
    return EnumText.parse(Templates.Kind.class, "kind", text);
  }

  private static TemplateView view(Templates.MessageTemplate template) {
    return new TemplateView(
        template.channel().text(),
        EnumText.canonical(template.kind()),
        template.subject(),
        template.body(),
        template.custom());
  }
}
