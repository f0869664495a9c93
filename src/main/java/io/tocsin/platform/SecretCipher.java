package io.tocsin.platform;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SecretCipher keeps the secrets Tocsin must read back (a webhook's signing secret, a chat
 * webhook's URL, a push token) unreadable in the database: AES-256-GCM with a fresh 96-bit nonce
 * per value, under a key derived from the server secret. The stored form names its key, {@code
 * enc:v1:<key id>:<base64url(nonce, ciphertext and tag)>}, so that values written under an earlier
 * server secret stay readable while that secret is listed as a previous one.
 *
 * <p>Each value is bound to where it is stored (the {@code context}, e.g. table, row and field):
 * someone who can write the database cannot move one method's secret into another row.
 */
public final class SecretCipher {

  private static final String PREFIX = "enc:v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  // HKDF info labels (RFC 5869): the server secret also signs tokens and links, so the cipher key
  // is derived under a label of its own instead of using those bytes directly.
  private static final String KEY_LABEL = "tocsin secrets at rest: aes-256-gcm v1";
  private static final String KEY_ID_LABEL = "tocsin secrets at rest: key id v1";

  private final String currentId;
  private final Map<String, SecretKey> keys = new LinkedHashMap<>();
  private final SecureRandom random = new SecureRandom();

  public SecretCipher(ServerSecret current, List<ServerSecret> previous) {
    this.currentId = keyId(current);
    keys.put(currentId, key(current));
    for (ServerSecret secret : previous) {
      keys.putIfAbsent(keyId(secret), key(secret));
    }
  }

  /** The short fingerprint of a server secret that stored values name; it reveals nothing of it. */
  public static String keyId(ServerSecret secret) {
    return HexFormat.of().formatHex(hkdf(secret.bytes(), KEY_ID_LABEL), 0, 4);
  }

  public String currentKeyId() {
    return currentId;
  }

  /**
   * Whether {@code stored} is in the encrypted form (any key); anything else is legacy plaintext.
   */
  public static boolean isEncrypted(String stored) {
    return stored.startsWith(PREFIX);
  }

  /** Whether {@code stored} is encrypted under the current key: nothing to rewrite. */
  public boolean isCurrent(String stored) {
    return stored.startsWith(PREFIX + currentId + ":");
  }

  public String encrypt(String plaintext, String context) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
      return PREFIX + currentId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java runtime", e);
    }
  }

  /**
   * The plaintext of a stored value. Legacy plaintext (stored before encryption existed) comes back
   * as it is; the startup rewrite encrypts it.
   *
   * @throws UnreadableSecretException when the value's key is not configured, or the value was
   *     altered or belongs to another context
   */
  public String decrypt(String stored, String context) {
    if (!isEncrypted(stored)) {
      return stored;
    }
    int colon = stored.indexOf(':', PREFIX.length());
    if (colon < 0) {
      throw new UnreadableSecretException("?", "cannot decrypt secret: malformed stored value");
    }
    String id = stored.substring(PREFIX.length(), colon);
    SecretKey key = keys.get(id);
    if (key == null) {
      throw new UnreadableSecretException(
          id, "cannot decrypt secret: key " + id + " not configured");
    }
    try {
      byte[] in = Base64.getUrlDecoder().decode(stored.substring(colon + 1));
      if (in.length < NONCE_BYTES + TAG_BITS / 8) {
        throw new IllegalArgumentException("too short");
      }
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return new String(
          cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (AEADBadTagException | IllegalArgumentException e) {
      throw new UnreadableSecretException(
          id, "cannot decrypt secret: the value under key " + id + " was altered or moved");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java runtime", e);
    }
  }

  private static SecretKey key(ServerSecret secret) {
    return new SecretKeySpec(hkdf(secret.bytes(), KEY_LABEL), "AES");
  }

  /** HKDF-SHA256 (RFC 5869) with an empty salt, for one 32-byte block of output. */
  private static byte[] hkdf(byte[] inputKey, String info) {
    try {
      Mac extract = Mac.getInstance("HmacSHA256");
      extract.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
      byte[] pseudoRandomKey = extract.doFinal(inputKey);
      Mac expand = Mac.getInstance("HmacSHA256");
      expand.init(new SecretKeySpec(pseudoRandomKey, "HmacSHA256"));
      expand.update(info.getBytes(StandardCharsets.UTF_8));
      return expand.doFinal(new byte[] {1});
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  @Override
  public String toString() {
    return "SecretCipher[current key " + currentId + ", " + keys.size() + " keys]";
  }
}
