package io.tocsin.ingest.email;

import io.tocsin.directory.integration.EmailRules;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.integration.IntegrationService.EmailRecipient;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.ingest.IncomingAlert;
import io.tocsin.platform.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * EmailListener is Tocsin's SMTP server for email integrations, built on SubEthaSMTP: off unless
 * {@code tocsin.email-in.port} is set. It answers RCPT for an address no email integration has with
 * 550, so the sending MTA bounces the mail to its sender rather than Tocsin dropping it unseen, and
 * answers a mail's data with 250 only once its alerts are committed: a storage failure answers 451,
 * and the sender queues the mail and tries again (RFC 5321, section 4.2.5).
 */
@Component
class EmailListener implements SmartLifecycle {

  private static final Log log = LogFactory.getLog(EmailListener.class);

  /** Compiled rules by their source: compiled once, not once per mail. */
  private static final int MAX_COMPILED = 1_000;

  private final EmailInProperties properties;
  private final IntegrationService integrations;
  private final AlertIngestion ingestion;
  private final Map<EmailRules, SubjectRules> compiled = new ConcurrentHashMap<>();
  private @Nullable SMTPServer server;
  private @Nullable ExecutorService sessions;

  EmailListener(
      EmailInProperties properties, IntegrationService integrations, AlertIngestion ingestion) {
    this.properties = properties;
    this.integrations = integrations;
    this.ingestion = ingestion;
  }

  @Override
  public synchronized void start() {
    Integer port = properties.port();
    if (port == null || server != null) {
      return;
    }
    InetAddress bind;
    try {
      bind = InetAddress.getByName(properties.host());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(
          "TOCSIN_EMAIL_IN_HOST (tocsin.email-in.host) is '"
              + properties.host()
              + "': not an address of this machine",
          e);
    }
    // Bounded: each session is a thread, and a flood of connections must not take the heap.
    sessions = Executors.newFixedThreadPool(properties.maxConnections());
    server =
        SMTPServer.port(port)
            .bindAddress(bind)
            .softwareName("Tocsin")
            .messageHandlerFactory(Delivery::new)
            .executorService(sessions)
            .maxConnections(properties.maxConnections())
            .maxMessageSize((int) properties.maxMessageSize().toBytes())
            .maxRecipients(100)
            .connectionTimeout(
                (int) properties.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .build();
    server.start();
    log.info(
        "Taking mail for email integrations on "
            + properties.host()
            + ":"
            + server.getPortAllocated());
  }

  @Override
  public synchronized void stop() {
    if (server != null) {
      server.stop();
      server = null;
    }
    if (sessions != null) {
      sessions.shutdownNow();
      sessions = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return server != null;
  }

  /** The port taken, or 0 when there is no listener. */
  synchronized int port() {
    return server == null ? 0 : server.getPortAllocated();
  }

  private SubjectRules rules(EmailRules rules) {
    if (compiled.size() >= MAX_COMPILED) {
      compiled.clear();
    }
    return compiled.computeIfAbsent(rules, SubjectRules::new);
  }

  /** One mail transaction of one SMTP session. */
  private final class Delivery implements MessageHandler {

    private @Nullable String from;
    private final Map<UUID, EmailRecipient> recipients = new LinkedHashMap<>();

    Delivery(MessageContext context) {}

    @Override
    public void from(String from) {
      this.from = from;
    }

    @Override
    public void recipient(String address) throws RejectException {
      Optional<EmailRecipient> found;
      try {
        found = integrations.emailRecipient(address);
      } catch (RuntimeException e) {
        log.warn("Could not look up the email integration of " + address, e);
        throw new RejectException(451, "4.3.0 Cannot check recipients now; try again later");
      }
      if (found.isEmpty()) {
        throw new RejectException(550, "5.1.1 <" + address + ">: no such integration here");
      }
      recipients.putIfAbsent(found.get().owner().integrationId(), found.get());
    }

    @Override
    public @Nullable String data(InputStream data) throws RejectException, IOException {
      byte[] mime = readLimited(data);
      List<EmailRecipient> targets = new ArrayList<>(recipients.values());
      try {
        for (EmailRecipient recipient : targets) {
          IncomingAlert alert = MailReader.read(mime, from, rules(recipient.rules()));
          ingestion.ingest(recipient.owner(), "email", List.of(alert));
        }
      } catch (InvalidInputException e) {
        throw new RejectException(554, "5.6.0 Not an alert Tocsin can store: " + e.getMessage());
      } catch (jakarta.mail.MessagingException | IOException e) {
        // Parsed from memory: the mail itself is broken, and sending it again will not help.
        throw new RejectException(554, "5.6.0 Not a readable mail: " + e.getMessage());
      } catch (RuntimeException e) {
        log.warn("Could not store a mail for " + targets.size() + " email integration(s)", e);
        throw new RejectException(451, "4.3.0 Could not store the alert; try again later");
      }
      return null;
    }

    /**
     * The whole mail, or 552 once it passes the limit. The rest is read and thrown away first:
     * SubEthaSMTP does not skip what a refusing handler left, and would read it as commands.
     */
    private byte[] readLimited(InputStream data) throws IOException, RejectException {
      long limit = properties.maxMessageSize().toBytes();
      ByteArrayOutputStream mime = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int read;
      while ((read = data.read(buffer)) != -1) {
        if (mime.size() + read > limit) {
          data.transferTo(OutputStream.nullOutputStream());
          throw new RejectException(
              552, "5.3.4 Message larger than " + limit + " bytes, the limit for alerts");
        }
        mime.write(buffer, 0, read);
      }
      return mime.toByteArray();
    }

    @Override
    public void done() {}
  }
}
