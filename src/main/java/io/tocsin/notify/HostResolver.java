package io.tocsin.notify;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.stereotype.Component;

/**
 * Turns a destination's host name into addresses, for the save-time check and for the connection
 * itself. A bean of its own so that a test can answer as a rebinding DNS server would.
 */
interface HostResolver {

  InetAddress[] resolve(String host) throws UnknownHostException;

  /** The system's resolver. */
  @Component
  class SystemDns implements HostResolver {

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
      return InetAddress.getAllByName(host);
    }
  }
}
