package io.tocsin.platform.web;

import org.springframework.http.HttpStatus;

/** The reason phrase of a status code, for the {@code title} of a problem. */
final class HttpStatusText {

  private HttpStatusText() {}

  static String of(int status) {
    HttpStatus known = HttpStatus.resolve(status);
    return known == null ? "Error " + status : known.getReasonPhrase();
  }
}
