package io.tocsin.ingest.email;

import com.google.re2j.Pattern;
import io.tocsin.ingest.AlertStatus;
import io.tocsin.ingest.IncomingAlert;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * MailReader turns one mail into one alert: the subject is the summary, the plain-text body (or the
 * HTML body reduced to text) the description, and the sender and subject are labels. The dedup key
 * comes from the subject by the integration's {@link SubjectRules}, so the same mail twice is one
 * alert whatever else differs (its date, its message id, a footer).
 */
final class MailReader {

  /** The longest description kept: a mail is read by a person, not archived. */
  static final int DESCRIPTION_LIMIT = 64 * 1024;

  /** The longest label value taken from a mail. */
  static final int LABEL_LIMIT = 1024;

  private static final Session SESSION = Session.getInstance(new Properties());
  private static final Pattern INVISIBLE =
      Pattern.compile("(?is)<(script|style|head)\\b.*?</(script|style|head)\\s*>|<!--.*?-->");
  private static final Pattern BREAKS =
      Pattern.compile("(?i)<br\\s*/?>|</(p|div|li|tr|h[1-6]|table|ul|ol|pre|blockquote)\\s*>");
  private static final Pattern TAGS = Pattern.compile("<[^>]*>");
  private static final Pattern BLANK_LINES =
      Pattern.compile("\\n[ \\t\\x{a0}]*(\\n[ \\t\\x{a0}]*)+");
  private static final Pattern LINE_SPACES = Pattern.compile("[ \\t\\x{a0}]+");

  private MailReader() {}

  /**
   * The alert for a mail. {@code envelopeFrom} (the SMTP {@code MAIL FROM}) stands in for a missing
   * {@code From} header.
   */
  static IncomingAlert read(byte[] mime, @Nullable String envelopeFrom, SubjectRules rules)
      throws MessagingException, IOException {
    MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(mime));
    String rawSubject = message.getSubject();
    SubjectRules.Reading subject = rules.read(rawSubject == null ? "" : rawSubject);
    Map<String, String> labels = new LinkedHashMap<>();
    String from = sender(message.getFrom(), envelopeFrom);
    if (from != null) {
      labels.put("from", cut(from, LABEL_LIMIT));
    }
    labels.put("subject", cut(subject.subject(), LABEL_LIMIT));
    String body = text(message);
    return new IncomingAlert(
        labels,
        Map.of(),
        null,
        null,
        null,
        subject.resolves() ? AlertStatus.RESOLVED : AlertStatus.FIRING,
        subject.dedupKey(),
        subject.subject().isEmpty() ? "(no subject)" : subject.subject(),
        null,
        body == null || body.isBlank() ? null : cut(body.strip(), DESCRIPTION_LIMIT),
        null,
        List.of(),
        false);
  }

  private static @Nullable String sender(Address @Nullable [] from, @Nullable String envelope) {
    if (from != null) {
      for (Address address : from) {
        if (address instanceof InternetAddress internet && internet.getAddress() != null) {
          return internet.getAddress().toLowerCase(Locale.ROOT);
        }
      }
    }
    return envelope == null || envelope.isBlank() ? null : envelope.toLowerCase(Locale.ROOT);
  }

  /** The first plain-text part, else the first HTML part as text; null for neither. */
  private static @Nullable String text(Part part) throws MessagingException, IOException {
    String plain = find(part, "text/plain");
    if (plain != null) {
      return plain;
    }
    String html = find(part, "text/html");
    return html == null ? null : htmlToText(html);
  }

  private static @Nullable String find(Part part, String type)
      throws MessagingException, IOException {
    if (Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
      return null;
    }
    if (part.isMimeType(type)) {
      return content(part);
    }
    if (part.isMimeType("multipart/*") && part.getContent() instanceof Multipart multipart) {
      for (int i = 0; i < multipart.getCount(); i++) {
        BodyPart child = multipart.getBodyPart(i);
        String found = find(child, type);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static @Nullable String content(Part part) throws MessagingException, IOException {
    try {
      Object content = part.getContent();
      return content instanceof String text ? text : null;
    } catch (UnsupportedEncodingException e) {
      // An unknown charset: the bytes as Latin-1 beat no description at all.
      return new String(
          part.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  /** HTML reduced to its text: scripts and styles dropped, block ends kept as line breaks. */
  static String htmlToText(String html) {
    String text = INVISIBLE.matcher(html).replaceAll(" ");
    text = BREAKS.matcher(text).replaceAll("\n");
    text = TAGS.matcher(text).replaceAll("");
    text =
        text.replace("&nbsp;", " ")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&apos;", "'")
            .replace("&amp;", "&");
    text = LINE_SPACES.matcher(text).replaceAll(" ");
    text = BLANK_LINES.matcher(text).replaceAll("\n\n");
    return text.strip();
  }

  private static String cut(String text, int limit) {
    return text.length() <= limit ? text : text.substring(0, limit);
  }
}
