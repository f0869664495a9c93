package io.tocsin.web;

import io.tocsin.platform.ForbiddenException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;

/**
 * A console action refused for whom it concerns (another team's incident) that its page did not
 * turn into a message of its own: the "not allowed" page with the reason, never the API's JSON.
 * Ahead of platform's handler, which answers the API's callers.
 */
@ControllerAdvice(basePackageClasses = ConsoleRefusals.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ConsoleRefusals {

  @ExceptionHandler(ForbiddenException.class)
  @ResponseStatus(HttpStatus.FORBIDDEN)
  String refused(ForbiddenException e, Model model) {
    model.addAttribute("reason", e.getMessage());
    return "web/admin-denied";
  }
}
