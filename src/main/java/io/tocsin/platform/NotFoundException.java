package io.tocsin.platform;

/** A referenced thing that does not exist (or that the caller may not know exists): 404. */
public class NotFoundException extends RuntimeException {

  public NotFoundException(String message) {
    super(message);
  }
}
