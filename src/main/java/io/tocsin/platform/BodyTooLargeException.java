package io.tocsin.platform;

import java.io.IOException;
import java.util.Objects;

/**
 * A request body over its endpoint's limit, found while reading it (a chunked body announces no
 * length). An {@link IOException}, so that it passes through whatever is reading the stream; the
 * API answers 413 wherever it surfaces.
 */
public class BodyTooLargeException extends IOException {

  public BodyTooLargeException(long limit) {
    super(
        "The body is larger than the limit of " + limit + " bytes. Send fewer alerts per request.");
  }

  /** Never null: every constructor sets a message. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }
}
