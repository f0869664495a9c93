package io.tocsin.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The identity of an alert: Prometheus's label-set fingerprint (FNV-1a 64 over the label names in
 * sorted order and their values, each followed by the byte 0xFF, printed as 16 hex digits), so that
 * Tocsin and Alertmanager name the same alert the same way.
 */
public record Fingerprint(String value) {

  private static final long OFFSET = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;
  private static final int SEPARATOR = 0xff;

  public static Fingerprint of(Map<String, String> labels) {
    long hash = OFFSET;
    for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
      hash = add(hash, label.getKey().getBytes(StandardCharsets.UTF_8));
      hash = (hash ^ SEPARATOR) * PRIME;
      hash = add(hash, label.getValue().getBytes(StandardCharsets.UTF_8));
      hash = (hash ^ SEPARATOR) * PRIME;
    }
    return new Fingerprint(String.format("%016x", hash));
  }

  private static long add(long hash, byte[] bytes) {
    long result = hash;
    for (byte b : bytes) {
      result = (result ^ (b & 0xff)) * PRIME;
    }
    return result;
  }

  @Override
  public String toString() {
    return value;
  }
}
