package io.tocsin.platform;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;

/**
 * Writes an RFC 9457 problem response from a servlet filter, in the same shape as every other API
 * error. {@code type} is a short slug ({@code sign-in-throttled}); it becomes {@code
 * urn:tocsin:problem:<slug>}.
 */
public interface ProblemResponses {

  void write(
      HttpServletRequest request,
      HttpServletResponse response,
      HttpStatus status,
      String type,
      String detail)
      throws IOException;
}
