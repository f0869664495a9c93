package io.tocsin.platform;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The access log, one line per request. A request that asks for quiet is left out when it succeeds:
 * an alert storm is thousands of successful ingestion requests a second, which the ingestion
 * metrics count, and a line each would cost more than storing their alerts.
 */
public final class AccessLog {

  private static final String QUIET = AccessLog.class.getName() + ".quiet";

  private AccessLog() {}

  /** Leaves this request out of the access log if it succeeds. */
  public static void quietOnSuccess(HttpServletRequest request) {
    request.setAttribute(QUIET, Boolean.TRUE);
  }

  /** Whether the access log writes a line for this request, answered with this status. */
  public static boolean logs(HttpServletRequest request, int status) {
    return status >= 400 || request.getAttribute(QUIET) == null;
  }
}
