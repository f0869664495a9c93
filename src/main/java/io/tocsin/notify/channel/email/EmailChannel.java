package io.tocsin.notify.channel.email;

import io.tocsin.notify.Channel;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.ContactMethod;
import io.tocsin.notify.DeliveryResult;
import io.tocsin.notify.Message;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.ServerSecret;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.web.util.HtmlUtils;

/**
 * Email over SMTP, present when {@code TOCSIN_SMTP_HOST} is set ({@link EmailConfiguration}): plain
 * text and HTML parts, and a {@code Message-ID} derived from the message's idempotency key, so a
 * re-send after a crash is the same message to the receiving side.
 */
class EmailChannel implements Channel {

  private final JavaMailSenderImpl sender;
  private final InternetAddress from;
  private final InternetAddress replyTo;
  private final ServerSecret secret;
  private final String domain;

  EmailChannel(SmtpProperties settings, ServerSecret secret) {
    this.secret = secret;
    String host = settings.host();
    String username = settings.username();
    String security = settings.security();
    String from = settings.from();
    String replyTo = settings.replyTo();
    this.sender = new JavaMailSenderImpl();
    sender.setHost(host.trim());
    sender.setPort(settings.port());
    sender.setDefaultEncoding(StandardCharsets.UTF_8.name());
    if (!username.isBlank()) {
      sender.setUsername(username);
      sender.setPassword(settings.password());
    }
    Properties properties = sender.getJavaMailProperties();
    String millis = Long.toString(settings.timeout().toMillis());
    properties.put("mail.smtp.connectiontimeout", millis);
    properties.put("mail.smtp.timeout", millis);
    properties.put("mail.smtp.writetimeout", millis);
    properties.put("mail.smtp.auth", Boolean.toString(!username.isBlank()));
    switch (security.trim().toLowerCase(Locale.ROOT)) {
      case "tls":
        properties.put("mail.smtp.ssl.enable", "true");
        properties.put("mail.smtp.ssl.checkserveridentity", "true");
        break;
      case "starttls":
        properties.put("mail.smtp.starttls.enable", "true");
        properties.put("mail.smtp.starttls.required", "true");
        properties.put("mail.smtp.ssl.checkserveridentity", "true");
        break;
      case "none":
        break;
      default:
        throw new IllegalStateException(
            "TOCSIN_SMTP_SECURITY must be tls, starttls or none, not '" + security + "'");
    }
    this.from = address("TOCSIN_SMTP_FROM", from.isBlank() ? "tocsin@" + host.trim() : from);
    this.replyTo = replyTo.isBlank() ? this.from : address("TOCSIN_SMTP_REPLY_TO", replyTo);
    this.domain = this.from.getAddress().substring(this.from.getAddress().indexOf('@') + 1);
  }

  private static InternetAddress address(String setting, String text) {
    try {
      return new InternetAddress(text.trim(), true);
    } catch (AddressException e) {
      throw new IllegalStateException(setting + " is not an email address: " + text, e);
    }
  }

  @Override
  public ChannelType type() {
    return ChannelType.EMAIL;
  }

  @Override
  public Map<String, String> validate(String target, Map<String, String> settings) {
    try {
      InternetAddress address = new InternetAddress(target, true);
      if (!address.getAddress().contains("@")) {
        throw new AddressException("no domain");
      }
    } catch (AddressException e) {
      throw new InvalidInputException("target", "must be an email address");
    }
    return Map.of();
  }

  /** The SMTP server: every email goes through it, so one breaker guards them all. */
  @Override
  public Destination destination(ContactMethod method) {
    String server = "smtp://" + sender.getHost() + ":" + sender.getPort();
    return new Destination(server, server);
  }

  @Override
  public DeliveryResult deliver(Message message) {
    try {
      String messageId =
          "<"
              + secret.sign("message-id:" + message.idempotencyKey()).substring(0, 32)
              + "@"
              + domain
              + ">";
      MimeMessage mime =
          new MimeMessage(sender.getSession()) {
            @Override
            protected void updateMessageID() throws MessagingException {
              setHeader("Message-ID", messageId);
            }
          };
      mime.setFrom(from);
      mime.setReplyTo(new InternetAddress[] {replyTo});
      mime.setRecipients(
          jakarta.mail.Message.RecipientType.TO,
          new InternetAddress[] {new InternetAddress(message.method().target(), true)});
      mime.setSubject(message.subject(), StandardCharsets.UTF_8.name());
      mime.setHeader("X-Tocsin-Idempotency-Key", message.idempotencyKey());
      if (message.kind() == Message.Kind.PAGE) {
        mime.setHeader("X-Priority", "1");
      }
      MimeBodyPart text = new MimeBodyPart();
      text.setText(message.text(), StandardCharsets.UTF_8.name(), "plain");
      MimeBodyPart html = new MimeBodyPart();
      html.setText(html(message), StandardCharsets.UTF_8.name(), "html");
      MimeMultipart alternatives = new MimeMultipart("alternative");
      alternatives.addBodyPart(text);
      alternatives.addBodyPart(html);
      mime.setContent(alternatives);
      sender.send(mime);
      return new DeliveryResult.Delivered("accepted by " + sender.getHost());
    } catch (MailAuthenticationException e) {
      return new DeliveryResult.Retryable("SMTP authentication failed: " + e.getMessage(), null);
    } catch (MailSendException e) {
      for (Exception failure : e.getFailedMessages().values()) {
        if (failure instanceof SendFailedException
            && ((SendFailedException) failure).getInvalidAddresses() != null
            && ((SendFailedException) failure).getInvalidAddresses().length > 0) {
          return new DeliveryResult.Permanent("address rejected: " + failure.getMessage());
        }
      }
      return new DeliveryResult.Retryable("SMTP: " + e.getMessage(), null);
    } catch (MailException e) {
      return new DeliveryResult.Retryable("SMTP: " + e.getMessage(), null);
    } catch (MessagingException e) {
      return new DeliveryResult.Permanent("cannot build the email: " + e.getMessage());
    }
  }

  private static String html(Message message) {
    StringBuilder html =
        new StringBuilder(
            "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.4\">");
    Message.IncidentView incident = message.incident();
    if (incident != null) {
      html.append("<h2 style=\"margin:0 0 8px\"><a href=\"")
          .append(HtmlUtils.htmlEscape(incident.url()))
          .append("\">#")
          .append(incident.number())
          .append(' ')
          .append(HtmlUtils.htmlEscape(incident.title()))
          .append("</a></h2>");
    }
    html.append("<p style=\"white-space:pre-line\">")
        .append(HtmlUtils.htmlEscape(message.text()))
        .append("</p>");
    if (!message.actions().isEmpty()) {
      html.append("<p>");
      for (Message.Action action : message.actions()) {
        html.append("<a href=\"")
            .append(HtmlUtils.htmlEscape(action.url()))
            .append("\" style=\"display:inline-block;margin:0 8px 8px 0;padding:8px 14px;")
            .append("border-radius:4px;background:#b42318;color:#fff;text-decoration:none\">")
            .append(HtmlUtils.htmlEscape(action.label()))
            .append("</a>");
      }
      html.append("</p>");
    }
    return html.append("</body></html>").toString();
  }
}
