package io.tocsin.ingest.email;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.tocsin.directory.integration.EmailRules;
import io.tocsin.platform.Digests;
import org.jspecify.annotations.Nullable;

/**
 * An email integration's {@link EmailRules}, compiled: what a subject's dedup key is, and whether
 * the mail resolves.
 */
final class SubjectRules {

  /** The longest dedup key ingestion takes (PagerDuty's limit). */
  static final int DEDUP_KEY_LIMIT = 255;

  /** What is left between a resolve marker and the rest: "RESOLVED: Disk full" is "Disk full". */
  private static final Pattern SEPARATORS = Pattern.compile("^[\\s:;,.|\\-–—\\]\\)>*]+");

  private static final Pattern SPACES = Pattern.compile("\\s+");

  private final @Nullable Pattern dedup;
  private final @Nullable Pattern resolve;

  SubjectRules(EmailRules rules) {
    this.dedup = rules.dedupPattern() == null ? null : Pattern.compile(rules.dedupPattern());
    this.resolve = rules.resolvePattern() == null ? null : Pattern.compile(rules.resolvePattern());
  }

  /** A subject read: the normalised subject, its dedup key, and whether it resolves. */
  record Reading(String subject, String dedupKey, boolean resolves) {}

  /**
   * Reads a subject. A resolving subject's key is taken from the subject without the resolve
   * marker, so "RESOLVED: Disk full on db-1" resolves the alert "Disk full on db-1" opened.
   */
  Reading read(String rawSubject) {
    String subject = normalise(rawSubject);
    String keySubject = subject;
    boolean resolves = false;
    if (resolve != null) {
      Matcher marker = resolve.matcher(subject);
      if (marker.find()) {
        resolves = true;
        String rest =
            subject.substring(0, marker.start())
                + " "
                + SEPARATORS.matcher(subject.substring(marker.end())).replaceFirst("");
        keySubject = normalise(rest).isEmpty() ? subject : normalise(rest);
      }
    }
    return new Reading(subject, limited(key(keySubject)), resolves);
  }

  private String key(String subject) {
    if (dedup != null) {
      Matcher found = dedup.matcher(subject);
      if (found.find() && found.group(1) != null && !normalise(found.group(1)).isEmpty()) {
        return normalise(found.group(1));
      }
    }
    return subject.isEmpty() ? "(no subject)" : subject;
  }

  /** Trimmed, every run of white space one space: a mail client's folding is not a new alert. */
  static String normalise(String text) {
    return SPACES.matcher(text).replaceAll(" ").trim();
  }

  /** A key over the limit keeps its start, readable, and a digest of the whole, unique. */
  private static String limited(String key) {
    if (key.length() <= DEDUP_KEY_LIMIT) {
      return key;
    }
    String digest = Digests.sha256(key).substring(0, 32);
    return key.substring(0, DEDUP_KEY_LIMIT - digest.length() - 1) + "~" + digest;
  }
}
