package io.tocsin.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real local HTTP server that records every request and answers as a test tells it: 200 by
 * default, a status (with {@code Retry-After}) for the next N requests, or a hang until released.
 */
public final class RecordingHttpServer implements AutoCloseable {

  /** A request as received. Header names are in lower case. */
  public record Request(
      String method, String path, Map<String, String> headers, String body, Instant at) {}

  /** How to answer: {@code status}, and {@code retryAfter} seconds when not null. */
  private record Answer(int status, String retryAfter) {}

  private final HttpServer server;
  private final Queue<Request> requests = new ConcurrentLinkedQueue<>();
  private final Queue<Answer> next = new ConcurrentLinkedQueue<>();
  private final AtomicReference<Answer> always = new AtomicReference<>();
  private final AtomicReference<CountDownLatch> hang = new AtomicReference<>();

  /** A started server for a test class's static field, where a checked exception cannot go. */
  public static RecordingHttpServer started() {
    try {
      return new RecordingHttpServer();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public RecordingHttpServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Answers the next {@code times} requests with {@code status}. */
  public void failNext(int times, int status, String retryAfter) {
    for (int i = 0; i < times; i++) {
      next.add(new Answer(status, retryAfter));
    }
  }

  /** Answers every request with {@code status} until {@link #recover()}. */
  public void failAlways(int status) {
    always.set(new Answer(status, null));
  }

  public void recover() {
    always.set(null);
    next.clear();
  }

  /** Holds every request until {@link #release()}. */
  public void hang() {
    hang.set(new CountDownLatch(1));
  }

  public void release() {
    CountDownLatch latch = hang.getAndSet(null);
    if (latch != null) {
      latch.countDown();
    }
  }

  public List<Request> requests() {
    return new ArrayList<>(requests);
  }

  public List<Request> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> headers = new TreeMap<>();
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> headers.put(name.toLowerCase(java.util.Locale.ROOT), values.get(0)));
    requests.add(
        new Request(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getPath(),
            headers,
            body,
            Instant.now()));
    CountDownLatch latch = hang.get();
    if (latch != null) {
      try {
        latch.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Answer answer = always.get();
    if (answer == null) {
      answer = next.poll();
    }
    int status = answer == null ? 200 : answer.status();
    if (answer != null && answer.retryAfter() != null) {
      exchange.getResponseHeaders().set("Retry-After", answer.retryAfter());
    }
    byte[] reply = (status < 300 ? "ok" : "failed on purpose").getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, reply.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(reply);
    }
  }

  @Override
  public void close() {
    release();
    server.stop(0);
  }
}
