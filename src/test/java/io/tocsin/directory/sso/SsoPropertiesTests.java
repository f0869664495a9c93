package io.tocsin.directory.sso;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The providers as operators set them: environment variables, one per setting of each. */
class SsoPropertiesTests {

  @Test
  void aProviderIsBoundFromTheEnvironmentVariablesTheReadmeShows() {
    SsoProperties sso =
        bind(
            Map.of(
                "TOCSIN_SSO_PROVIDERS_KEYCLOAK_ISSUER", "https://sso.example.com/realms/example",
                "TOCSIN_SSO_PROVIDERS_KEYCLOAK_CLIENTID", "tocsin",
                "TOCSIN_SSO_PROVIDERS_KEYCLOAK_CLIENTSECRET", "secret",
                "TOCSIN_SSO_PROVIDERS_KEYCLOAK_NAME", "Example SSO",
                "TOCSIN_SSO_PROVIDERS_KEYCLOAK_GROUPSCLAIM", "roles",
                "TOCSIN_SSO_PROVIDERS_KEYCLOAK_SCOPES", "openid,email",
                "TOCSIN_SSO_ROLES_RESPONDER", "oncall,payments-oncall"));

    SsoProperties.Provider keycloak = sso.providers().get("keycloak");
    assertThat(keycloak.issuer()).isEqualTo("https://sso.example.com/realms/example");
    assertThat(keycloak.clientId()).isEqualTo("tocsin");
    assertThat(keycloak.clientSecret()).isEqualTo("secret");
    assertThat(keycloak.name()).isEqualTo("Example SSO");
    assertThat(keycloak.groupsClaim()).isEqualTo("roles");
    assertThat(keycloak.scopes()).containsExactly("openid", "email");
    assertThat(sso.roles().responder()).containsExactly("oncall", "payments-oncall");
    assertThat(sso.localPasswords()).isTrue();
    assertThat(sso.problems()).isEmpty();
    assertThat(
            bind(Map.of("TOCSIN_SSO_TEAMS", " Payments = payments-oncall, payments-dev ;Search=x;"))
                .teamGroups())
        .containsExactly(
            Map.entry("Payments", List.of("payments-oncall", "payments-dev")),
            Map.entry("Search", List.of("x")));
  }

  @Test
  void eachMissingOrWrongSettingIsNamedByItsVariable() {
    SsoProperties sso =
        bind(
            Map.of(
                "TOCSIN_SSO_PROVIDERS_ENTRA_ISSUER", "login.microsoftonline.com",
                "TOCSIN_SSO_PROVIDERS_ENTRA_SCOPES", "profile,email",
                "TOCSIN_SSO_TEAMS", "Payments=payments-oncall;Search",
                "TOCSIN_SSO_LOCAL_PASSWORDS", "false"));

    assertThat(sso.problems())
        .containsExactlyInAnyOrder(
            "TOCSIN_SSO_PROVIDERS_ENTRA_ISSUER (tocsin.sso.providers.entra.issuer) is"
                + " 'login.microsoftonline.com': expected an http or https URL",
            "TOCSIN_SSO_PROVIDERS_ENTRA_CLIENTID (tocsin.sso.providers.entra.client-id) is"
                + " required",
            "TOCSIN_SSO_PROVIDERS_ENTRA_SCOPES (tocsin.sso.providers.entra.scopes) must include"
                + " openid, or the provider signs in without an ID token",
            "TOCSIN_SSO_BREAK_GLASS_ADMIN (tocsin.sso.break-glass-admin) is required when local"
                + " passwords are off: without it nobody can sign in while the identity provider"
                + " is down",
            "TOCSIN_SSO_TEAMS (tocsin.sso.teams): 'Search' has no '=' (expected 'Team"
                + " name=group,group;Other team=group')");
  }

  @Test
  void passwordsOffWithoutAnyProviderIsRefused() {
    SsoProperties sso =
        bind(
            Map.of(
                "TOCSIN_SSO_LOCAL_PASSWORDS", "false",
                "TOCSIN_SSO_BREAK_GLASS_ADMIN", "root@example.com"));

    assertThat(sso.problems())
        .containsExactly(
            "TOCSIN_SSO_LOCAL_PASSWORDS (tocsin.sso.local-passwords) is false but no provider is"
                + " configured: only the break-glass admin could sign in");
  }

  private static SsoProperties bind(Map<String, Object> environment) {
    return new Binder(
            ConfigurationPropertySources.from(
                new SystemEnvironmentPropertySource(
                    StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment)))
        .bindOrCreate("tocsin.sso", SsoProperties.class);
  }
}
