package io.strata.common;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The admin endpoint every service exposes: {@code GET /health}, {@code GET /metrics} and
 * whatever control routes the process registers. The JDK's built-in HTTP server is enough for a
 * handful of low-rate admin calls; the data paths use Netty.
 */
public final class AdminHttpServer implements AutoCloseable {
  /** A route's answer. */
  public record Response(int status, String contentType, String body) {
    public static Response json(int status, String body) {
      return new Response(status, "application/json", body);
    }

    public static Response text(int status, String body) {
      return new Response(status, "text/plain; charset=utf-8", body);
    }
  }

  /** A request as a route sees it. */
  public record Request(String method, String path, Map<String, String> query) {
    public String param(String name) {
      return query.get(name);
    }
  }

  private static final int MAX_BODY_BYTES = 64 * 1024;
  private final HttpServer server;
  private final ExecutorService executor;

  public AdminHttpServer(String host, int port) throws IOException {
    this.server = HttpServer.create(new InetSocketAddress(host, port), 16);
    this.executor = Executors.newFixedThreadPool(2, Threads.daemon("admin-http"));
    server.setExecutor(executor);
    route("/metrics", req -> Response.text(200, Metrics.global().renderPrometheus()));
  }

  public void route(String path, Function<Request, Response> handler) {
    server.createContext(path, exchange -> handle(exchange, handler));
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void handle(HttpExchange exchange, Function<Request, Response> handler) throws IOException {
    Response response;
    try (InputStream in = exchange.getRequestBody()) {
      if (in.readNBytes(MAX_BODY_BYTES + 1).length > MAX_BODY_BYTES) {
        response = Response.json(413, "{\"error\":\"body larger than " + MAX_BODY_BYTES + " bytes\"}");
      } else {
        URI uri = exchange.getRequestURI();
        response = handler.apply(new Request(exchange.getRequestMethod(), uri.getPath(), parseQuery(uri.getRawQuery())));
      }
    } catch (RuntimeException e) {
      response = Response.json(500, "{\"error\":" + Json.quote(String.valueOf(e.getMessage())) + "}");
    }
    byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", response.contentType());
    exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  static Map<String, String> parseQuery(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
