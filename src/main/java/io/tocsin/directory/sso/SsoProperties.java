package io.tocsin.directory.sso;

import io.tocsin.platform.CheckedSettings;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Sign-in through the company's identity providers ({@code tocsin.sso}). Each provider is named by
 * its key, which is also the last part of its redirect URL ({@code /login/oauth2/code/<key>}), and
 * set by environment variables such as {@code TOCSIN_SSO_PROVIDERS_KEYCLOAK_ISSUER}.
 *
 * @param providers the OpenID Connect providers, by key
 * @param roles which of the providers' groups give which role; a user in several gets the highest
 * @param teams which groups make a person a member of which team, as {@code Team name=group,group;
 *     Other team=group}: a team named here is kept in step with the groups at every sign-in, the
 *     others are left to Tocsin's admins
 * @param localPasswords whether email and password still sign in; off, only {@code breakGlassAdmin}
 *     may, so that an admin can get in while the provider is down
 * @param breakGlassAdmin the email of the one account that signs in with a password when local
 *     passwords are off
 */
@ConfigurationProperties("tocsin.sso")
public record SsoProperties(
    @DefaultValue Map<String, @Valid Provider> providers,
    @DefaultValue Roles roles,
    @DefaultValue("") String teams,
    @DefaultValue("true") boolean localPasswords,
    @DefaultValue("") String breakGlassAdmin)
    implements CheckedSettings {

  /** Letters and digits only: an environment variable cannot say where a key with _ or - ends. */
  private static final Pattern KEY = Pattern.compile("[a-z0-9]{1,40}");

  /**
   * One provider.
   *
   * @param issuer its issuer URL, where {@code /.well-known/openid-configuration} is found
   * @param name what its sign-in button says ("Sign in with …"); the key when empty
   * @param groupsClaim the ID token's or user info's claim that lists the user's groups
   */
  public record Provider(
      @DefaultValue("") String issuer,
      @DefaultValue("") String clientId,
      @DefaultValue("") String clientSecret,
      @DefaultValue({"openid", "profile", "email"}) List<String> scopes,
      @DefaultValue("") String name,
      @DefaultValue("groups") String groupsClaim) {

    /** What its button says after "Sign in with": its name, else its key. */
    public String label(String key) {
      return name.isBlank() ? key : name;
    }
  }

  /** The groups of each role, as the providers name them. */
  public record Roles(
      @DefaultValue List<String> admin,
      @DefaultValue List<String> responder,
      @DefaultValue List<String> viewer) {}

  /** The teams mapping, parsed: each team's name and its groups, in the order written. */
  public Map<String, List<String>> teamGroups() {
    Map<String, List<String>> parsed = new LinkedHashMap<>();
    for (String entry : teams.split(";")) {
      if (entry.isBlank()) {
        continue;
      }
      int equals = entry.indexOf('=');
      if (equals < 0) {
        throw new IllegalArgumentException("'" + entry.trim() + "' has no '='");
      }
      String team = entry.substring(0, equals).trim();
      List<String> groups =
          Arrays.stream(entry.substring(equals + 1).split(","))
              .map(String::trim)
              .filter(group -> !group.isEmpty())
              .toList();
      if (team.isEmpty() || groups.isEmpty()) {
        throw new IllegalArgumentException(
            "'" + entry.trim() + "' needs a team name before '=' and groups after it");
      }
      parsed.put(team, groups);
    }
    return parsed;
  }

  @Override
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    try {
      teamGroups();
    } catch (IllegalArgumentException e) {
      problems.add(
          CheckedSettings.name("tocsin.sso.teams")
              + ": "
              + e.getMessage()
              + " (expected 'Team name=group,group;Other team=group')");
    }
    providers.forEach(
        (key, provider) -> {
          if (!KEY.matcher(key).matches()) {
            problems.add(
                setting(key, "issuer")
                    + ": '"
                    + key
                    + "' is not a provider key (lower-case letters and digits, up to 40)");
          }
          if (provider.issuer().isBlank()) {
            problems.add(setting(key, "issuer") + " is required");
          } else if (!isHttpUrl(provider.issuer())) {
            problems.add(
                setting(key, "issuer")
                    + " is '"
                    + provider.issuer()
                    + "': expected an http or https URL");
          }
          if (provider.clientId().isBlank()) {
            problems.add(setting(key, "client-id") + " is required");
          }
          if (!provider.scopes().contains("openid")) {
            problems.add(
                setting(key, "scopes")
                    + " must include openid, or the provider signs in without an ID token");
          }
        });
    if (!localPasswords && breakGlassAdmin.isBlank()) {
      problems.add(
          CheckedSettings.name("tocsin.sso.break-glass-admin")
              + " is required when local passwords are off: without it nobody can sign in while"
              + " the identity provider is down");
    }
    if (!localPasswords && providers.isEmpty()) {
      problems.add(
          CheckedSettings.name("tocsin.sso.local-passwords")
              + " is false but no provider is configured: only the break-glass admin could sign"
              + " in");
    }
    return problems;
  }

  /**
   * A provider's setting as operators write it: the variable that Spring binds to the map's entry
   * (without the dashes of the property), then the property.
   */
  private static String setting(String key, String field) {
    return ("TOCSIN_SSO_PROVIDERS_" + key + "_" + field.replace("-", ""))
            .toUpperCase(java.util.Locale.ROOT)
        + " (tocsin.sso.providers."
        + key
        + "."
        + field
        + ")";
  }

  private static boolean isHttpUrl(String text) {
    try {
      URI uri = URI.create(text);
      return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
