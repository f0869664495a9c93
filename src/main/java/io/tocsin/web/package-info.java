/**
 * The responder's console: server-rendered pages (Thymeleaf, htmx for partial updates, every asset
 * served by Tocsin itself) that call the other modules' APIs only. Live updates come as Server-Sent
 * Events.
 */
@ApplicationModule(
    allowedDependencies = {
      "platform",
      "directory",
      "directory::service",
      "directory::integration",
      "directory::team",
      "directory::token",
      "directory::sso",
      "ingest",
      "correlate",
      "incident",
      "incident::postmortem",
      "oncall",
      "notify",
      "config",
      "replay"
    })
@NullMarked
package io.tocsin.web;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
