package io.tocsin.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.test.system.CapturedOutput;

/** The one-time setup token that a Tocsin without an admin writes to its log, read back. */
public final class SetupTokenLog {

  // Matches the token in text logs and in JSON logs, where the quotes come escaped.
  private static final Pattern SETUP_TOKEN =
      Pattern.compile("\\\\?\"token\\\\?\":\\\\?\"([0-9a-f]{32})");

  private SetupTokenLog() {}

  /** Waits until the token is in {@code output}, and returns it. */
  public static String awaitToken(CapturedOutput output) {
    await().atMost(Duration.ofSeconds(30)).until(() -> SETUP_TOKEN.matcher(output.getOut()).find());
    Matcher token = SETUP_TOKEN.matcher(output.getOut());
    assertThat(token.find()).isTrue();
    return token.group(1);
  }
}
