package io.tocsin.ingest;

import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.server.ResponseStatusException;

/**
 * Who may read Tocsin's Alertmanager API: amtool with an alertmanager integration key, which sees
 * its own service, or a person with an API token, who sees every service. Nobody else.
 */
public final class AlertmanagerReaders {

  private AlertmanagerReaders() {}

  /** The service a key's holder may read, or null for a signed-in person who reads them all. */
  public static @Nullable UUID scope(HttpServletRequest request) {
    Object owner = request.getAttribute(AlertIngestion.KEY_OWNER);
    if (owner instanceof KeyOwner key) {
      return key.serviceId();
    }
    Authentication user = SecurityContextHolder.getContext().getAuthentication();
    if (user == null || !user.isAuthenticated() || user instanceof AnonymousAuthenticationToken) {
      throw new ResponseStatusException(
          HttpStatus.UNAUTHORIZED,
          "Send an alertmanager integration key (bearer token or basic-auth password) or an API"
              + " token.");
    }
    return null;
  }

  /**
   * The integration whose key the request was sent with, or null for a person; call {@link #scope}
   * first to refuse everyone else.
   */
  public static @Nullable UUID integration(HttpServletRequest request) {
    return request.getAttribute(AlertIngestion.KEY_OWNER) instanceof KeyOwner key
        ? key.integrationId()
        : null;
  }
}
