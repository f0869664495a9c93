package io.tocsin.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretCipherTests {

  private static final ServerSecret KEY_A =
      new ServerSecret("key-a-0123456789abcdef0123456789abcdef");
  private static final ServerSecret KEY_B =
      new ServerSecret("key-b-0123456789abcdef0123456789abcdef");
  private static final String CONTEXT = "notify_contact_method:1:settings.secret";

  @Test
  void aValueComesBackFromItsSelfDescribingEncryptedForm() {
    SecretCipher cipher = new SecretCipher(KEY_A, List.of());

    String stored = cipher.encrypt("https://chat.example.com/hooks/incoming/abc123", CONTEXT);

    assertThat(stored)
        .startsWith("enc:v1:" + SecretCipher.keyId(KEY_A) + ":")
        .doesNotContain("chat.example.com")
        .doesNotContain("abc123");
    assertThat(cipher.isCurrent(stored)).isTrue();
    assertThat(cipher.decrypt(stored, CONTEXT))
        .isEqualTo("https://chat.example.com/hooks/incoming/abc123");
  }

  @Test
  void everyEncryptionUsesAFreshNonce() {
    SecretCipher cipher = new SecretCipher(KEY_A, List.of());

    assertThat(cipher.encrypt("same", CONTEXT)).isNotEqualTo(cipher.encrypt("same", CONTEXT));
  }

  @Test
  void theKeyIdIsAShortFingerprintThatDiffersBetweenKeysAndHidesTheKey() {
    assertThat(SecretCipher.keyId(KEY_A)).hasSize(8).isNotEqualTo(SecretCipher.keyId(KEY_B));
    assertThat(SecretCipher.keyId(KEY_A))
        .as("every node derives the same id from the same key")
        .isEqualTo(SecretCipher.keyId(new ServerSecret("key-a-0123456789abcdef0123456789abcdef")))
        .doesNotContain("key-a");
  }

  @Test
  void aPreviousKeyStillReadsWhatItWroteButNewValuesUseTheCurrentKey() {
    String underA = new SecretCipher(KEY_A, List.of()).encrypt("tk_secret", CONTEXT);
    SecretCipher rotated = new SecretCipher(KEY_B, List.of(KEY_A));

    assertThat(rotated.decrypt(underA, CONTEXT)).isEqualTo("tk_secret");
    assertThat(rotated.isCurrent(underA)).isFalse();
    assertThat(rotated.encrypt("tk_secret", CONTEXT))
        .startsWith("enc:v1:" + SecretCipher.keyId(KEY_B) + ":");
  }

  @Test
  void aValueUnderAKeyNotConfiguredFailsNamingTheKey() {
    String underA = new SecretCipher(KEY_A, List.of()).encrypt("tk_secret", CONTEXT);
    SecretCipher withoutA = new SecretCipher(KEY_B, List.of());

    assertThatThrownBy(() -> withoutA.decrypt(underA, CONTEXT))
        .isInstanceOf(UnreadableSecretException.class)
        .hasMessage("cannot decrypt secret: key " + SecretCipher.keyId(KEY_A) + " not configured");
  }

  @Test
  void anAlteredValueOrOneMovedToAnotherFieldDoesNotDecrypt() {
    SecretCipher cipher = new SecretCipher(KEY_A, List.of());
    String stored = cipher.encrypt("tk_secret", CONTEXT);
    String prefix = stored.substring(0, stored.lastIndexOf(':') + 1);
    byte[] bytes = Base64.getUrlDecoder().decode(stored.substring(prefix.length()));
    bytes[bytes.length - 1] ^= 1;
    String altered = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

    assertThatThrownBy(() -> cipher.decrypt(altered, CONTEXT))
        .isInstanceOf(UnreadableSecretException.class)
        .hasMessageContaining("altered or moved");
    assertThatThrownBy(() -> cipher.decrypt(stored, "notify_contact_method:2:settings.secret"))
        .isInstanceOf(UnreadableSecretException.class)
        .hasMessageContaining("altered or moved");
    assertThatThrownBy(() -> cipher.decrypt(prefix + "!!", CONTEXT))
        .isInstanceOf(UnreadableSecretException.class);
  }

  @Test
  void legacyPlaintextIsReadAsItIs() {
    SecretCipher cipher = new SecretCipher(KEY_A, List.of());

    assertThat(cipher.decrypt("plain-secret-from-before", CONTEXT))
        .isEqualTo("plain-secret-from-before");
    assertThat(SecretCipher.isEncrypted("plain-secret-from-before")).isFalse();
  }
}
