package io.tocsin.notify.channel.email;

import io.tocsin.platform.CheckedSettings;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The SMTP server that carries email notifications. Without a host, email is off.
 *
 * @param security {@code starttls} (required, certificate checked), {@code tls} (implicit TLS) or
 *     {@code none}
 * @param from the From address; empty means {@code tocsin@<host>}
 * @param replyTo the Reply-To address; empty means the From address
 * @param timeout how long connecting, reading and writing may each take
 */
@ConfigurationProperties("tocsin.smtp")
record SmtpProperties(
    @DefaultValue("") String host,
    @DefaultValue("587") @Min(1) @Max(65535) int port,
    @DefaultValue("") String username,
    @DefaultValue("") String password,
    @DefaultValue("starttls") String security,
    @DefaultValue("") String from,
    @DefaultValue("") String replyTo,
    @DefaultValue("10s") @DurationMin(nanos = 0, inclusive = false) @DurationMax(minutes = 5)
        Duration timeout)
    implements CheckedSettings {

  static final Set<String> SECURITY = Set.of("starttls", "tls", "none");

  @Override
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (!SECURITY.contains(security.trim().toLowerCase(Locale.ROOT))) {
      problems.add(
          CheckedSettings.name("tocsin.smtp.security")
              + " is '"
              + security
              + "': allowed values are starttls, tls, none");
    }
    addressProblem("tocsin.smtp.from", from, problems);
    addressProblem("tocsin.smtp.reply-to", replyTo, problems);
    return problems;
  }

  private static void addressProblem(String property, String address, List<String> problems) {
    if (address.isBlank()) {
      return;
    }
    try {
      new InternetAddress(address.trim(), true);
    } catch (AddressException e) {
      problems.add(CheckedSettings.name(property) + " is '" + address + "': not an email address");
    }
  }
}
