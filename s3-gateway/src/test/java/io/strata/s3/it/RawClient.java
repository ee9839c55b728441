package io.strata.s3.it;

import io.strata.s3.auth.CanonicalRequestProbe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** A raw HTTP/1.1 socket client that can send anything, signed or not, and read one response. */
final class RawClient implements AutoCloseable {
  final Socket socket;

  RawClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(20_000);
  }

  void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  void send(String s) throws IOException {
    send(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** A SigV4-signed request head (payload hash given), as the AWS CLI would send it. */
  static String signedHead(String method, String path, String query, String host, Map<String, String> extra,
                           String payloadHash, long contentLength) {
    String amzDate = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(ZonedDateTime.now(ZoneOffset.UTC));
    Map<String, String> h = new LinkedHashMap<>();
    h.put("host", host);
    h.put("x-amz-content-sha256", payloadHash);
    h.put("x-amz-date", amzDate);
    h.putAll(extra);
    String auth = CanonicalRequestProbe.authorization(method, path, query, h, payloadHash, amzDate,
        GatewayFixture.KEY_ID, GatewayFixture.SECRET);
    StringBuilder sb = new StringBuilder(method + " " + path + (query.isEmpty() ? "" : "?" + query) + " HTTP/1.1\r\n");
    h.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
    sb.append("authorization: ").append(auth).append("\r\n");
    if (contentLength >= 0) {
      sb.append("content-length: ").append(contentLength).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  /** Reads one response (head plus Content-Length body); "" on EOF. */
  String readResponse() throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String h = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    if (h.startsWith("HTTP/1.1 100") || h.contains("HEAD-REQUEST")) {
      return h;
    }
    byte[] body = in.readNBytes(length);
    return h + new String(body, StandardCharsets.ISO_8859_1);  // lossless for binary bodies
  }

  /** True when the server closed the connection. */
  boolean closedByServer() throws IOException {
    try {
      return socket.getInputStream().read() < 0;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
