package io.tocsin.directory;

import io.tocsin.platform.CheckedSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the directory: the first admin, rate limits, API tokens, the domain of email
 * integrations, and whether people see every team's services or their own. They sit under several
 * prefixes, as operators have named them since before modules had records, so this record binds at
 * {@code tocsin}.
 */
@ConfigurationProperties("tocsin")
public record DirectoryProperties(
    @DefaultValue @Valid Admin admin,
    @DefaultValue @Valid RateLimit rateLimit,
    @DefaultValue @Valid Security security,
    @DefaultValue @Valid EmailIn emailIn,
    @DefaultValue("all") TeamScope.Visibility teamVisibility)
    implements CheckedSettings {

  @Override
  public List<String> problems() {
    try {
      ZoneId.of(admin.timeZone().trim());
      return List.of();
    } catch (DateTimeException e) {
      return List.of(
          CheckedSettings.name("tocsin.admin.time-zone")
              + " is '"
              + admin.timeZone()
              + "': expected an IANA time zone such as Europe/Berlin or UTC");
    }
  }

  /**
   * The first admin of an empty installation; without both an email and a password, the server logs
   * a one-time setup token.
   */
  public record Admin(
      @DefaultValue("") String email,
      @DefaultValue("") String password,
      @DefaultValue("Administrator") String name,
      @DefaultValue("UTC") String timeZone) {}

  /**
   * Requests per minute one API token, and one integration key, may make (a token bucket per node).
   * The integration keys' is generous: an alert storm is what the system is for.
   */
  public record RateLimit(
      @DefaultValue("600") @Min(1) int apiTokenPerMinute,
      @DefaultValue("60000") @Min(1) int integrationKeyPerMinute) {}

  /**
   * The longest an API token may live (e.g. 90d); none means no limit, so that scripts that hold a
   * token without expiry keep working until an admin chooses a policy.
   */
  public record Security(
      @Nullable @DurationMin(nanos = 0, inclusive = false) Duration maxTokenLifetime) {}

  /** The domain of every email integration's address, {@code alerts-<token>@<domain>}. */
  public record EmailIn(@DefaultValue("localhost") @NotBlank String domain) {}
}
