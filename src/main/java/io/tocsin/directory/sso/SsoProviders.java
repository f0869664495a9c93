package io.tocsin.directory.sso;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/** What the sign-in page offers: a button per provider, and whether passwords still sign in. */
@Component
public class SsoProviders {

  /** The session attribute where a failed sign-in leaves its explanation for the sign-in page. */
  static final String FAILURE = SsoProviders.class.getName() + ".failure";

  private final SsoProperties settings;

  SsoProviders(SsoProperties settings) {
    this.settings = settings;
  }

  /** A provider's button: its label and where it starts the sign-in. */
  public record Choice(String key, String label, String path) {}

  public List<Choice> choices() {
    return settings.providers().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(
            provider ->
                new Choice(
                    provider.getKey(),
                    provider.getValue().label(provider.getKey()),
                    SsoSecurity.AUTHORIZATION_PATH + "/" + provider.getKey()))
        .toList();
  }

  /** A provider as the admin page shows it: no secret. */
  public record Configured(String key, String label, String issuer, String callbackPath) {}

  /** The whole sign-in setup as the admin page shows it. */
  public record Setup(
      List<Configured> providers,
      List<String> adminGroups,
      List<String> responderGroups,
      List<String> viewerGroups,
      Map<String, List<String>> teams,
      boolean localPasswords,
      String breakGlassAdmin) {}

  public Setup setup() {
    return new Setup(
        settings.providers().entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(
                provider ->
                    new Configured(
                        provider.getKey(),
                        provider.getValue().label(provider.getKey()),
                        provider.getValue().issuer(),
                        SsoSecurity.CALLBACK_PATH + "/" + provider.getKey()))
            .toList(),
        settings.roles().admin(),
        settings.roles().responder(),
        settings.roles().viewer(),
        settings.teamGroups(),
        settings.localPasswords(),
        settings.breakGlassAdmin());
  }

  /** Whether email and password sign in, for everyone but the break-glass admin. */
  public boolean localPasswords() {
    return settings.localPasswords();
  }

  /** Why the last sign-in through a provider failed, once: the page that shows it takes it. */
  public @Nullable String takeFailure(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session == null || !(session.getAttribute(FAILURE) instanceof String failure)) {
      return null;
    }
    session.removeAttribute(FAILURE);
    return failure;
  }
}
