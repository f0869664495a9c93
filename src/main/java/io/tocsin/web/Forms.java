package io.tocsin.web;

import io.tocsin.platform.ConflictException;
import io.tocsin.platform.ForbiddenException;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.UnknownValueException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * How a page's form reports back: the action runs through the same module API as the REST call;
 * what it refuses comes back to the page as {@code problem}, and {@code problemField} names the
 * input that caused it so the page shows the message next to that field (fragment {@code web/forms
 * :: error(field)}).
 */
final class Forms {

  private Forms() {}

  /**
   * Runs {@code action}; on success flashes {@code notice} (if not null) and redirects to {@code
   * back}, on refusal flashes the problem and redirects to {@code back} as well, so a reload never
   * posts twice.
   */
  static String run(
      RedirectAttributes redirect, String back, @Nullable String notice, Runnable action) {
    if (attempt(redirect, action) && notice != null) {
      redirect.addFlashAttribute("notice", notice);
    }
    return "redirect:" + back;
  }

  /** Runs {@code action}; a refusal is flashed in words and answered with false. */
  private static boolean attempt(RedirectAttributes redirect, Runnable action) {
    try {
      action.run();
      return true;
    } catch (InvalidInputException e) {
      refuse(redirect, e.field(), e.getMessage());
    } catch (UnknownValueException e) {
      refuse(redirect, e.field(), e.getMessage());
    } catch (ConflictException | NotFoundException | ForbiddenException e) {
      refuse(redirect, null, Objects.requireNonNull(e.getMessage()));
    }
    return false;
  }

  /**
   * Deletes what a page shows: on success the browser goes to {@code gone} (the list the thing was
   * in) with {@code notice}; on refusal, such as a service still referred to, it stays on {@code
   * back} with the reason in words.
   */
  static String delete(
      RedirectAttributes redirect, String gone, String back, String notice, Runnable action) {
    if (!attempt(redirect, action)) {
      return "redirect:" + back;
    }
    redirect.addFlashAttribute("notice", notice);
    return "redirect:" + gone;
  }

  /**
   * A {@code datetime-local} input, read in the viewer's zone as the form labels it; null when left
   * empty.
   */
  static @Nullable Instant localTime(String field, @Nullable String text, ZoneId zone) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return LocalDateTime.parse(text.trim()).atZone(zone).toInstant();
    } catch (DateTimeException e) {
      throw new InvalidInputException(
          field, "'" + text.trim() + "' is not a date and time such as 2026-12-01T14:30");
    }
  }

  /** Sends the page back with {@code message} shown next to {@code field} (or at the top). */
  static void refuse(RedirectAttributes redirect, @Nullable String field, String message) {
    redirect.addFlashAttribute("problem", message);
    if (field != null) {
      redirect.addFlashAttribute("problemField", field);
    }
  }
}
