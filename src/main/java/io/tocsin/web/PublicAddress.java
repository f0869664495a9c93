package io.tocsin.web;

import io.tocsin.platform.PlatformProperties;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The address senders reach Tocsin at, for the setup snippets: {@code TOCSIN_PUBLIC_URL} when set,
 * else the address this request came in at (right for a browser on the same network, wrong behind a
 * proxy that rewrites the host, which is what the setting is for).
 */
@Component
class PublicAddress {

  private final String configured;

  PublicAddress(PlatformProperties settings) {
    this.configured = settings.publicUrl().trim().replaceAll("/+$", "");
  }

  /** The base URL, without a trailing slash. */
  String baseUrl() {
    return configured.isEmpty()
        ? ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString()
        : configured;
  }
}
