/**
 * Notifications: a {@link io.tocsin.oncall.PageRequested} becomes messages through the person's
 * verified contact methods, following their notification rules. Every message is a row of the
 * outbox, written in the transaction that decided to send it; workers of each channel claim due
 * rows, deliver them through a {@link io.tocsin.notify.Channel} (one sub-package each), retry with
 * backoff, open a circuit breaker per destination host, and leave what never got through in the
 * dead-letter list. Messages carry signed links that act on the incident as their recipient.
 *
 * <p>Owns the tables {@code notify_contact_method}, {@code notify_rule}, {@code notify_message},
 * {@code notify_attempt}, {@code notify_action_use}, {@code notify_subscription} and {@code
 * notify_template}.
 */
@ApplicationModule(
    allowedDependencies = {
      "platform",
      "directory",
      "directory::service",
      "directory::team",
      "ingest",
      "incident",
      "oncall"
    })
@NullMarked
package io.tocsin.notify;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
