package io.strata.s3.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * A response before it is written: status, headers and either a small body (XML) or a
 * {@link BodyStream} (object data, with Content-Length already set by the operation).
 */
public final class Reply {
  private final int status;
  private final HttpHeaders headers = new DefaultHttpHeaders();
  private final byte[] body;
  private final BodyStream stream;

  private Reply(int status, byte[] body, BodyStream stream) {
    this.status = status;
    this.body = body;
    this.stream = stream;
  }

  public static Reply empty(int status) {
    return new Reply(status, new byte[0], null);
  }

  public static Reply xml(int status, byte[] xml) {
    Reply r = new Reply(status, xml, null);
    r.headers.set("Content-Type", "application/xml");
    return r;
  }

  public static Reply bytes(int status, byte[] body, String contentType) {
    Reply r = new Reply(status, body, null);
    r.headers.set("Content-Type", contentType);
    return r;
  }

  public static Reply streaming(int status, BodyStream stream) {
    return new Reply(status, null, stream);
  }

  public Reply header(String name, Object value) {
    headers.set(name, value);
    return this;
  }

  public int status() {
    return status;
  }

  public HttpHeaders headers() {
    return headers;
  }

  public byte[] body() {
    return body;
  }

  public BodyStream stream() {
    return stream;
  }
}
