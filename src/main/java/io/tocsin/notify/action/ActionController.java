package io.tocsin.notify.action;

import io.tocsin.incident.Incident;
import io.tocsin.notify.MessageActions;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.HttpSecurityContribution;
import io.tocsin.platform.NotFoundException;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * {@code /actions/{token}}: the links in messages. Opening one shows what it will do and a button;
 * the POST does it. Programs (a webhook receiver, an ntfy action) POST with {@code Accept:
 * application/json} and get JSON, and problem details when the link is unusable.
 */
@RestController
class ActionController {

  private final MessageActions actions;

  ActionController(MessageActions actions) {
    this.actions = actions;
  }

  /**
   * The token is the credential, so no session is involved: the links work from any device, and
   * CSRF (a forged request riding on ambient credentials) does not apply.
   */
  @Bean
  static HttpSecurityContribution actionLinksArePublic() {
    return http ->
        http.authorizeHttpRequests(
                requests ->
                    requests
                        .requestMatchers(
                            PathPatternRequestMatcher.withDefaults().matcher("/actions/{token}"))
                        .permitAll())
            .csrf(
                csrf ->
                    csrf.ignoringRequestMatchers(
                        PathPatternRequestMatcher.withDefaults().matcher("/actions/{token}")));
  }

  @GetMapping(value = "/actions/{token}", produces = MediaType.TEXT_HTML_VALUE)
  ResponseEntity<String> confirm(@PathVariable String token) {
    try {
      MessageActions.Prepared prepared = actions.check(token);
      Incident incident = prepared.incident();
      String label = prepared.action().label();
      String body =
          "<h1>"
              + escape(label)
              + " incident "
              + escape(incident.reference())
              + "?</h1><p class=\"title\">"
              + escape(incident.title())
              + "</p><p>It is <strong>"
              + escape(incident.status().text())
              + "</strong>. You act as "
              + escape(prepared.user().name())
              + ".</p><form method=\"post\"><button type=\"submit\">"
              + escape(label)
              + "</button></form>";
      return page(HttpStatus.OK, label + " " + incident.reference(), body);
    } catch (NotFoundException | ErrorResponseException e) {
      return unusable(e);
    }
  }

  @PostMapping("/actions/{token}")
  ResponseEntity<?> act(
      @PathVariable String token,
      @RequestHeader(value = "Accept", required = false) String accept) {
    boolean json = accept != null && accept.contains(MediaType.APPLICATION_JSON_VALUE);
    if (json) {
      Incident incident = actions.perform(token);
      return ResponseEntity.ok(
          Map.of(
              "done",
              true,
              "incident",
              Map.of(
                  "id", incident.id(),
                  "number", incident.number(),
                  "status", incident.status().text())));
    }
    try {
      Incident incident = actions.perform(token);
      return page(
          HttpStatus.OK,
          "Done",
          "<h1>Done</h1><p>Incident "
              + escape(incident.reference())
              + " is now <strong>"
              + escape(incident.status().text())
              + "</strong>.</p><p class=\"title\">"
              + escape(incident.title())
              + "</p>");
    } catch (ConflictException e) {
      return page(
          HttpStatus.CONFLICT,
          "Nothing to do",
          "<h1>Nothing to do</h1><p>" + escape(e.getMessage()) + "</p>");
    } catch (NotFoundException | ErrorResponseException e) {
      return unusable(e);
    }
  }

  private static ResponseEntity<String> unusable(RuntimeException e) {
    if (e instanceof ErrorResponseException) {
      ErrorResponseException gone = (ErrorResponseException) e;
      return page(
          HttpStatus.valueOf(gone.getStatusCode().value()),
          "Link not usable",
          "<h1>This link no longer works</h1><p>" + escape(gone.getBody().getDetail()) + "</p>");
    }
    return page(
        HttpStatus.NOT_FOUND,
        "Link not usable",
        "<h1>This link does not work</h1><p>" + escape(e.getMessage()) + "</p>");
  }

  private static ResponseEntity<String> page(HttpStatus status, String title, String body) {
    String html =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<meta name=\"referrer\" content=\"no-referrer\">"
            + "<title>"
            + escape(title)
            + " · Tocsin</title><style>"
            + "body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;"
            + "line-height:1.5;color:#1b1b1f;background:#fff}"
            + "@media (prefers-color-scheme:dark){body{color:#eee;background:#151518}}"
            + ".title{font-size:1.1rem}button{font-size:1.1rem;padding:.7rem 1.4rem;border:0;"
            + "border-radius:6px;background:#b42318;color:#fff;cursor:pointer}"
            + "button:focus-visible{outline:3px solid #1c7ed6;outline-offset:2px}"
            + "</style></head><body><main>"
            + body
            + "</main></body></html>";
    return ResponseEntity.status(status)
        .contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
        .header("Cache-Control", "no-store")
        .body(html);
  }

  private static String escape(@Nullable String text) {
    return HtmlUtils.htmlEscape(text == null ? "" : text);
  }
}
