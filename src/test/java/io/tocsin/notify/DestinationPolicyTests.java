package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tocsin.platform.InvalidInputException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class DestinationPolicyTests {

  private static final HostResolver NO_DNS =
      host -> {
        throw new UnknownHostException(host);
      };

  private final DestinationPolicy byDefault = new DestinationPolicy(allowing(""), NO_DNS);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.255.255.254",
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.255",
        "0.0.0.0",
        "0.1.2.3",
        "224.0.0.1",
        "239.255.255.250",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "febf::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:a9fe:a9fe"
      })
  void privateLoopbackLinkLocalAndSpecialAddressesAreRefusedByDefault(String address)
      throws Exception {
    assertThat(byDefault.permits(InetAddress.getByName(address))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms of 127.0.0.1 and 169.254.169.254
        "00000000000000000000ffff7f000001",
        "00000000000000000000ffffa9fea9fe",
        "0000000000000000000000007f000001",
        "0064ff9b0000000000000000a9fea9fe",
        "20027f00000100000000000000000001"
      })
  void ipv6FormsOfForbiddenIpv4AddressesAreRefused(String hex) throws Exception {
    InetAddress address = Inet6Address.getByAddress(null, HexFormat.of().parseHex(hex), -1);
    assertThat(byDefault.permits(address)).as(address.toString()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "93.184.215.14",
        "8.8.8.8",
        "172.32.0.1",
        "100.128.0.1",
        "192.169.0.1",
        "2606:4700:4700::1111",
        "2002:5db8:d70e::1"
      })
  void publicAddressesArePermitted(String address) throws Exception {
    assertThat(byDefault.permits(InetAddress.getByName(address))).isTrue();
  }

  @Test
  void anAdminsRangesArePermittedAndNothingElse() throws Exception {
    DestinationPolicy onPremises =
        new DestinationPolicy(allowing(" 10.1.0.0/16 , fd00:1::/32,192.168.7.7"), NO_DNS);
    assertThat(onPremises.permits(InetAddress.getByName("10.1.200.3"))).isTrue();
    assertThat(onPremises.permits(InetAddress.getByName("fd00:1::5"))).isTrue();
    assertThat(onPremises.permits(InetAddress.getByName("192.168.7.7"))).isTrue();
    assertThat(onPremises.permits(InetAddress.getByName("10.2.0.1"))).isFalse();
    assertThat(onPremises.permits(InetAddress.getByName("192.168.7.8"))).isFalse();
    assertThat(onPremises.permits(InetAddress.getByName("127.0.0.1"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0/33", "intranet.example.com", "10.0.0/8", "fd00::/129", "/8"})
  void aRangeThatIsNotOneIsRefusedNamingTheSettingAndTheValue(String range) {
    assertThatThrownBy(() -> new DestinationPolicy(allowing("10.0.0.0/8," + range), NO_DNS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "tocsin.notify.allowed-destinations: '"
                + range
                + "' is not an address range; write CIDR ranges such as 10.0.0.0/8 or fd00::/8,"
                + " separated by commas");
  }

  @Test
  void aNameResolvingToAForbiddenAddressIsRefusedNamingTheField() {
    DestinationPolicy policy =
        new DestinationPolicy(
            allowing(""),
            host ->
                new InetAddress[] {
                  InetAddress.getByName("93.184.215.14"), InetAddress.getByName("127.0.0.1")
                });
    assertThatThrownBy(() -> policy.check("target", URI.create("https://partly.example/x")))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("target"))
        .hasMessageContaining("private network")
        .hasMessageContaining("tocsin.notify.allowed-destinations");
  }

  @Test
  void aNameThatDoesNotResolveNowIsLeftToTheConnectTimeCheck() {
    byDefault.check("target", URI.create("https://not-yet.example/hook"));
  }

  @Test
  void aSaveDoesNotWaitLongForANameServerThatStalls() throws Exception {
    CountDownLatch stalled = new CountDownLatch(1);
    try (DestinationPolicy policy =
        new DestinationPolicy(
            allowing(""),
            host -> {
              if (host.equals("slow.example")) {
                try {
                  stalled.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
            })) {
      assertTimeoutPreemptively(
          Duration.ofSeconds(10),
          () -> policy.check("target", URI.create("https://slow.example/hook")));
      assertThatThrownBy(() -> policy.check("target", URI.create("http://127.0.0.1/")))
          .as("a literal address needs no name server")
          .isInstanceOf(InvalidInputException.class);
    } finally {
      stalled.countDown();
    }
  }

  /** The settings as Spring binds them, with only the allowed destinations set. */
  private static NotifyProperties allowing(String ranges) {
    return new Binder(
            new MapConfigurationPropertySource(
                Map.of("tocsin.notify.allowed-destinations", ranges)))
        .bindOrCreate("tocsin.notify", NotifyProperties.class);
  }
}
