package io.tocsin.directory.sso;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.web.authentication.logout.LogoutHandler;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Signing out of a session that a provider signed in also ends the provider's session, where the
 * provider offers that (OpenID Connect RP-initiated logout, its {@code end_session_endpoint}):
 * otherwise the next visitor of a shared computer would be signed straight back in. The provider
 * then sends the browser back to Tocsin's sign-in page.
 */
@Component
public class SsoSignOut implements LogoutHandler {

  /** The session attribute that holds where to send a browser that signs out. */
  private static final String END_SESSION = SsoSignOut.class.getName() + ".endSession";

  /** The request attribute that carries it from the ended session to the sign-out's answer. */
  private static final String PROVIDER_SIGN_OUT = SsoSignOut.class.getName() + ".providerSignOut";

  /** Remembers, at sign-in, how to end this session's provider session. */
  void signedIn(HttpServletRequest request, ClientRegistration provider, String idToken) {
    Object endpoint =
        provider.getProviderDetails().getConfigurationMetadata().get("end_session_endpoint");
    if (endpoint == null) {
      return;
    }
    String back =
        UriComponentsBuilder.fromUriString(request.getRequestURL().toString())
            .replacePath(request.getContextPath() + "/login")
            .replaceQuery(null)
            .build()
            .toUriString();
    request
        .getSession()
        .setAttribute(
            END_SESSION,
            UriComponentsBuilder.fromUriString(endpoint.toString())
                .queryParam("id_token_hint", idToken)
                .queryParam("client_id", provider.getClientId())
                .queryParam("post_logout_redirect_uri", back)
                .encode()
                .build()
                .toUriString());
  }

  /** Before the session ends: keeps the provider's sign-out address for the answer. */
  @Override
  public void logout(
      HttpServletRequest request,
      HttpServletResponse response,
      @Nullable Authentication authentication) {
    HttpSession session = request.getSession(false);
    if (session != null && session.getAttribute(END_SESSION) instanceof String endSession) {
      request.setAttribute(PROVIDER_SIGN_OUT, endSession);
    }
  }

  /** Where a browser that just signed out goes next; null when no provider signed it in. */
  public @Nullable String providerSignOut(HttpServletRequest request) {
    return request.getAttribute(PROVIDER_SIGN_OUT) instanceof String endSession ? endSession : null;
  }
}
