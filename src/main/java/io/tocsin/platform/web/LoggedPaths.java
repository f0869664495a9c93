package io.tocsin.platform.web;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The form of a request path that may be written to a log: some routes carry their credential in
 * the path, and logs travel further (aggregators, tickets, screenshots) than the secrets should.
 * Query strings are never logged, so only path segments need masking.
 */
final class LoggedPaths {

  static final String MASK = "****";

  // The segment after each prefix is the credential itself: a heartbeat integration's key, a
  // message's action-link token, a calendar feed's token (which ends in .ics).
  private static final Pattern SECRET_SEGMENT =
      Pattern.compile("^(/api/v1/heartbeats/|/actions/|/calendars/)[^/]+?(\\.ics)?(?=/|$)");

  private LoggedPaths() {}

  static String masked(String path) {
    Matcher secret = SECRET_SEGMENT.matcher(path);
    if (!secret.find()) {
      return path;
    }
    String suffix = secret.group(2) == null ? "" : secret.group(2);
    return secret.group(1) + MASK + suffix + path.substring(secret.end());
  }
}
