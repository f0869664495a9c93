package io.tocsin.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of a real server that a test can cut (connections refused, open ones reset)
 * and restore on the same port: a database outage without stopping the database.
 */
public final class TcpProxy implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;

  /** Creates the proxy cut: nothing listens until {@link #restore()}. */
  public TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      this.port = probe.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public synchronized void restore() throws IOException {
    if (server != null) {
      return;
    }
    ServerSocket listening = new ServerSocket();
    listening.setReuseAddress(true);
    listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    server = listening;
    Thread acceptor = new Thread(() -> accept(listening), "tcp-proxy-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Stops listening and resets every open connection, as a crashed or partitioned server would. */
  public synchronized void cut() throws IOException {
    ServerSocket listening = server;
    server = null;
    if (listening != null) {
      listening.close();
    }
    for (Socket socket : open) {
      try {
        socket.setSoLinger(true, 0);
        socket.close();
      } catch (IOException ignored) {
        // already closed by the other side
      }
    }
    open.clear();
  }

  @Override
  public void close() throws IOException {
    cut();
  }

  private void accept(ServerSocket listening) {
    while (!listening.isClosed()) {
      try {
        Socket client = listening.accept();
        Socket upstream = new Socket(targetHost, targetPort);
        open.add(client);
        open.add(upstream);
        synchronized (this) {
          if (server != listening) {
            // Accepted just before a cut that did not yet see it: a cut connection stays cut.
            closeQuietly(client);
            closeQuietly(upstream);
            continue;
          }
        }
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        // the listening socket was closed by cut(), or the target refused: the client sees a reset
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int read; (read = in.read(buffer)) >= 0; ) {
                  out.write(buffer, 0, read);
                  out.flush();
                }
              } catch (IOException e) {
                // connection ended, by either side or by cut()
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-proxy-pump-" + port);
    thread.setDaemon(true);
    thread.start();
  }

  private void closeQuietly(Socket socket) {
    open.remove(socket);
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }
}
