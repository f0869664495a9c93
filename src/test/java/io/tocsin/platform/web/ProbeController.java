package io.tocsin.platform.web;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.Map;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A stand-in API, so the error contract can be tested before any module has endpoints. */
@RestController
@RequestMapping("/api/probe")
class ProbeController {

  enum Colour {
    DARK_RED,
    BLUE
  }

  record Paint(@NotNull Colour colour, @Min(1) int litres) {}

  @PostMapping("/paint")
  Paint paint(@Valid @RequestBody Paint paint) {
    return paint;
  }

  @GetMapping("/paint")
  Map<String, Object> byColour(@RequestParam Colour colour) {
    return Map.of("colour", colour);
  }

  @GetMapping("/boom")
  void boom() {
    throw new IllegalStateException("internal detail that must not leak");
  }

  @GetMapping("/forbidden")
  void forbidden() {
    throw new AccessDeniedException("needs the admin role");
  }

  @GetMapping("/database-gone")
  void databaseGone() {
    throw new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection");
  }
}
