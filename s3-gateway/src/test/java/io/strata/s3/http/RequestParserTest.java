package io.strata.s3.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.ops.ByteRangeProbe;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestParserTest {
  final RequestParser parser = new RequestParser(List.of("localhost"));

  S3Request parse(String uri, String host) {
    DefaultHttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    r.headers().set("host", host);
    return parser.parse(r, "id");
  }

  @Test
  void pathStyle() {
    S3Request r = parse("/bucket/dir/a%20b%2Bc.txt?list-type=2&prefix=a%2Fb&empty", "127.0.0.1:9000");
    assertEquals("bucket", r.bucket());
    assertEquals("dir/a b+c.txt", r.key());
    assertEquals("a/b", r.param("prefix"));
    assertEquals("", r.param("empty"));
    assertEquals("/bucket/dir/a b+c.txt", r.decodedPath());
    assertNull(parse("/bucket", "h").key());
    assertNull(parse("/bucket/", "h").key());
    assertNull(parse("/", "h").bucket());
  }

  @Test
  void virtualHostStyle() {
    S3Request r = parse("/photos/a.jpg", "mybucket.localhost:9000");
    assertEquals("mybucket", r.bucket());
    assertEquals("photos/a.jpg", r.key());
    S3Request b = parse("/?location", "mybucket.localhost");
    assertEquals("mybucket", b.bucket());
    assertNull(b.key());
    assertEquals("b", parse("/b", "localhost:80").bucket());
  }

  @Test
  void badRequestsAreNamedErrors() {
    assertEquals(S3ErrorCode.KEY_TOO_LONG, assertThrows(S3Exception.class,
        () -> parse("/b/" + "k".repeat(1025), "h")).code());
    assertEquals(S3ErrorCode.INVALID_ARGUMENT, assertThrows(S3Exception.class, () -> parse("/b/%zz", "h")).code());
    assertEquals(S3ErrorCode.INVALID_REQUEST, assertThrows(S3Exception.class, () -> parse("http://x/b", "h")).code());
  }

  @Test
  void ranges() {
    assertEquals("0:10", ByteRangeProbe.parse("bytes=0-9", 100));
    assertEquals("90:10", ByteRangeProbe.parse("bytes=-10", 100));
    assertEquals("95:5", ByteRangeProbe.parse("bytes=95-", 100));
    assertEquals("95:5", ByteRangeProbe.parse("bytes=95-200", 100));
    assertEquals("whole", ByteRangeProbe.parse("bytes=0-1,5-6", 100));
    assertEquals("whole", ByteRangeProbe.parse("items=0-1", 100));
    assertEquals(S3ErrorCode.INVALID_RANGE, assertThrows(S3Exception.class, () -> ByteRangeProbe.parse("bytes=100-", 100)).code());
  }
}
