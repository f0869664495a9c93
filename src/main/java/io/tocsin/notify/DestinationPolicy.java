package io.tocsin.notify;

import io.tocsin.platform.InvalidInputException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Which network addresses the HTTP channels may send to. A responder chooses a webhook's URL, and
 * its test message answers with what happened, so without this a responder could make Tocsin call
 * its own actuator, a cloud metadata service (169.254.169.254) or scan a private network. Loopback,
 * link-local, private, carrier-grade NAT, unspecified, multicast and reserved addresses (and their
 * IPv4-mapped and -embedded IPv6 forms) are refused unless an admin allows a range in {@code
 * tocsin.notify.allowed-destinations}.
 *
 * <p>The check runs twice: when a method is saved or tested (a clear 422), and on the address each
 * delivery's socket actually connects to ({@link HttpDelivery}), so a name that resolves to a
 * public address when saved and to 127.0.0.1 later (DNS rebinding) still gets nowhere.
 */
@Component
class DestinationPolicy implements AutoCloseable {

  static final String SETTING = "tocsin.notify.allowed-destinations";

  /** The one reason a delivery gives, whichever range matched: it tells a responder nothing. */
  static final String REFUSED = "destination address is not allowed: private network";

  private static final List<Range> FORBIDDEN =
      List.of(
          Range.parse("0.0.0.0/8"), // "this network"; Linux connects 0.0.0.0 to itself
          Range.parse("10.0.0.0/8"),
          Range.parse("100.64.0.0/10"), // carrier-grade NAT, often a cloud's internal network
          Range.parse("127.0.0.0/8"),
          Range.parse("169.254.0.0/16"), // link-local: cloud metadata services live here
          Range.parse("172.16.0.0/12"),
          Range.parse("192.168.0.0/16"),
          Range.parse("224.0.0.0/4"), // multicast
          Range.parse("240.0.0.0/4"), // reserved, and the broadcast address
          Range.parse("::/128"),
          Range.parse("::1/128"),
          Range.parse("fc00::/7"), // unique local
          Range.parse("fe80::/10"), // link-local
          Range.parse("fec0::/10"), // the deprecated site-local range
          Range.parse("ff00::/8")); // multicast

  /**
   * How long a save waits for a name to resolve. The save holds a database connection meanwhile,
   * and a name's DNS server may be slow on purpose; a name still unresolved is left to the
   * connect-time check.
   */
  private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(2);

  private final List<Range> allowed;
  private final HostResolver resolver;

  /** A few threads for save-time lookups, so that slow names cannot pile up threads either. */
  private final ThreadPoolExecutor lookups =
      new ThreadPoolExecutor(
          4,
          4,
          30,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(16),
          runnable -> {
            Thread thread = new Thread(runnable, "Destination lookup");
            thread.setDaemon(true);
            return thread;
          });

  DestinationPolicy(NotifyProperties settings, HostResolver resolver) {
    this.allowed = parseAll(settings.allowedDestinations());
    this.resolver = resolver;
    lookups.allowCoreThreadTimeOut(true);
  }

  /** Whether a delivery may connect to {@code address}. */
  boolean permits(InetAddress address) {
    byte[] bytes = address.getAddress();
    byte @Nullable [] embedded = embeddedIpv4(bytes);
    if (allowed.stream()
        .anyMatch(range -> range.contains(bytes) || embedded != null && range.contains(embedded))) {
      return true;
    }
    return FORBIDDEN.stream()
        .noneMatch(range -> range.contains(bytes) || embedded != null && range.contains(embedded));
  }

  /**
   * Refuses, naming {@code field}, a URL whose host is or resolves to an address a delivery may not
   * connect to. A name that does not resolve now passes: DNS may be down for a moment, and the
   * connect-time check still guards the delivery.
   */
  void check(String field, URI url) {
    String host = url.getHost();
    if (host == null) {
      return;
    }
    InetAddress[] addresses = lookup(unbracketed(host));
    if (addresses == null) {
      return;
    }
    // Any private answer is refused, not only all of them: a name that points even partly into
    // a private network is a mistake or a probe.
    if (Arrays.stream(addresses).anyMatch(address -> !permits(address))) {
      throw new InvalidInputException(
          field,
          "points at a loopback, link-local or private network address, which Tocsin does not"
              + " send to; an admin can allow address ranges for on-premises receivers with "
              + SETTING
              + " (TOCSIN_NOTIFY_ALLOWED_DESTINATIONS)");
    }
  }

  private InetAddress @Nullable [] lookup(String host) {
    if (host.matches("[0-9.]+") || host.contains(":")) {
      // An address literal: no name server to wait for, and never skipped for a busy pool.
      try {
        return resolver.resolve(host);
      } catch (UnknownHostException e) {
        return null;
      }
    }
    Future<InetAddress[]> lookup;
    try {
      lookup = lookups.submit(() -> resolver.resolve(host));
    } catch (RejectedExecutionException e) {
      return null;
    }
    try {
      return lookup.get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      lookup.cancel(true);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  @Override
  public void close() {
    lookups.shutdownNow();
  }

  static String unbracketed(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /**
   * The IPv4 address that an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
   * (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::); null for any other.
   */
  static byte @Nullable [] embeddedIpv4(byte[] address) {
    if (address.length != 16) {
      return null;
    }
    if (zero(address, 0, 10)
        && (address[10] == (byte) 0xff && address[11] == (byte) 0xff
            || address[10] == 0 && address[11] == 0 && !zero(address, 12, 16))) {
      return Arrays.copyOfRange(address, 12, 16);
    }
    if (address[0] == 0x00
        && address[1] == 0x64
        && address[2] == (byte) 0xff
        && address[3] == (byte) 0x9b
        && zero(address, 4, 12)) {
      return Arrays.copyOfRange(address, 12, 16);
    }
    if (address[0] == 0x20 && address[1] == 0x02) {
      return Arrays.copyOfRange(address, 2, 6);
    }
    return null;
  }

  private static boolean zero(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static List<Range> parseAll(String text) {
    List<Range> ranges = new ArrayList<>();
    for (String part : text.split(",")) {
      String range = part.trim();
      if (range.isEmpty()) {
        continue;
      }
      try {
        ranges.add(Range.parse(range));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            SETTING
                + ": '"
                + range
                + "' is not an address range; write CIDR ranges such as 10.0.0.0/8 or fd00::/8,"
                + " separated by commas");
      }
    }
    return List.copyOf(ranges);
  }

  /** An address range in CIDR notation; a bare address is a range of one. */
  record Range(byte[] network, int prefix) {

    static Range parse(String text) {
      String[] parts = text.split("/", -1);
      boolean literal =
          parts[0].matches("\\d{1,3}(\\.\\d{1,3}){3}")
              || parts[0].contains(":") && parts[0].matches("[0-9A-Fa-f:.]+");
      if (parts.length > 2 || !literal) {
        throw new IllegalArgumentException(text);
      }
      byte[] network;
      try {
        // Only digits, hex, dots and colons: a literal, never a name lookup.
        network = InetAddress.getByName(parts[0]).getAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(text, e);
      }
      int bits = network.length * 8;
      int prefix = bits;
      if (parts.length == 2) {
        if (!parts[1].matches("\\d{1,3}")) {
          throw new IllegalArgumentException(text);
        }
        prefix = Integer.parseInt(parts[1]);
        if (prefix > bits) {
          throw new IllegalArgumentException(text);
        }
      }
      return new Range(network, prefix);
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int whole = prefix / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[whole] & mask) == (network[whole] & mask);
    }
  }
}
