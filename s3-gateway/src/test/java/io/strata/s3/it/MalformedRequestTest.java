package io.strata.s3.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.s3.S3Config;
import io.strata.s3.auth.SigV4Crypto;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input over real sockets against a gateway on a MiniCluster: every case gets an S3 error
 * document (or a clean close) and the server keeps serving afterwards.
 */
class MalformedRequestTest {
  static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw = new GatewayFixture(S3Config.defaults().withIdleTimeoutSeconds(3));
    try (RawClient c = client()) {
      c.send(RawClient.signedHead("PUT", "/raw", "", host(), Map.of(), SigV4Crypto.EMPTY_SHA256, 0));
      assertTrue(c.readResponse().startsWith("HTTP/1.1 200"));
    }
  }

  @AfterAll
  static void stop() {
    if (gw != null) {
      gw.close();
    }
  }

  static RawClient client() throws Exception {
    return new RawClient(gw.server.port());
  }

  static String host() {
    return "127.0.0.1:" + gw.server.port();
  }

  /** A signed request still works after each abuse: the server is alive. */
  static void assertServing() throws Exception {
    try (RawClient c = client()) {
      c.send(RawClient.signedHead("GET", "/raw", "list-type=2", host(), Map.of(), SigV4Crypto.EMPTY_SHA256, -1));
      String r = c.readResponse();
      assertTrue(r.startsWith("HTTP/1.1 200") && r.contains("<ListBucketResult"), r);
    }
  }

  static void assertError(String response, int status, String code) {
    assertTrue(response.startsWith("HTTP/1.1 " + status), response);
    assertTrue(response.contains("<Code>" + code + "</Code>") && response.contains("<RequestId>")
        && response.toLowerCase().contains("x-amz-request-id:"), response);
  }

  @Test
  void garbageRequestLineGetsInvalidRequestAndClose() throws Exception {
    try (RawClient c = client()) {
      c.send("\u0001\u0002 NOT HTTP AT ALL\r\n\r\n");
      String r = c.readResponse();
      assertTrue(r.startsWith("HTTP/1.1 400"), r);
      assertTrue(c.closedByServer());
    }
    assertServing();
  }

  @Test
  void oversizedHeadersAreRejected() throws Exception {
    try (RawClient c = client()) {
      c.send("GET /raw HTTP/1.1\r\nhost: x\r\nx-big: " + "a".repeat(40_000) + "\r\n\r\n");
      assertError(c.readResponse(), 400, "RequestHeaderSectionTooLarge");
    }
    assertServing();
  }

  @Test
  void unsignedAndBadlySignedRequestsAreDenied() throws Exception {
    try (RawClient c = client()) {
      c.send("GET /raw HTTP/1.1\r\nhost: x\r\n\r\n");
      assertError(c.readResponse(), 403, "AccessDenied");
    }
    try (RawClient c = client()) {
      String head = RawClient.signedHead("GET", "/raw", "", host(), Map.of(), SigV4Crypto.EMPTY_SHA256, -1);
      c.send(head.replace("GET /raw", "GET /raw2"));
      assertError(c.readResponse(), 403, "SignatureDoesNotMatch");
    }
    try (RawClient c = client()) {
      c.send("GET /raw HTTP/1.1\r\nhost: x\r\nauthorization: AWS4-HMAC-SHA256 nonsense\r\nx-amz-date: 20240101T000000Z\r\n"
          + "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n");
      assertError(c.readResponse(), 400, "AuthorizationHeaderMalformed");
    }
    assertServing();
  }

  @Test
  void badXmlBodyIsMalformedXml() throws Exception {
    byte[] body = "<Delete><Object><Key>a</Key></Object".getBytes(StandardCharsets.UTF_8);
    try (RawClient c = client()) {
      c.send(RawClient.signedHead("POST", "/raw", "delete", host(), Map.of(), SigV4Crypto.sha256Hex(body), body.length));
      c.send(body);
      assertError(c.readResponse(), 400, "MalformedXML");
      // keep-alive: the same connection serves the next request
      c.send(RawClient.signedHead("GET", "/raw", "location", host(), Map.of(), SigV4Crypto.EMPTY_SHA256, -1));
      assertTrue(c.readResponse().contains("<LocationConstraint"));
    }
    byte[] xxe = ("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        + "<Delete><Object><Key>&x;</Key></Object></Delete>").getBytes(StandardCharsets.UTF_8);
    try (RawClient c = client()) {
      c.send(RawClient.signedHead("POST", "/raw", "delete", host(), Map.of(), SigV4Crypto.sha256Hex(xxe), xxe.length));
      c.send(xxe);
      assertError(c.readResponse(), 400, "MalformedXML");
    }
  }

  @Test
  void payloadHashMismatchAndTruncatedBodyCommitNothing() throws Exception {
    byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
    try (RawClient c = client()) {
      c.send(RawClient.signedHead("PUT", "/raw/lie", "", host(), Map.of(), SigV4Crypto.sha256Hex("other"), body.length));
      c.send(body);
      assertError(c.readResponse(), 400, "XAmzContentSHA256Mismatch");
    }
    try (RawClient c = client()) {
      c.send(RawClient.signedHead("PUT", "/raw/short", "", host(), Map.of(), "UNSIGNED-PAYLOAD", 1000));
      c.send("only ten b");
      // the client stalls: the idle timeout answers RequestTimeout and closes
      assertError(c.readResponse(), 400, "RequestTimeout");
    }
    try (RawClient c = client()) {
      c.send(RawClient.signedHead("PUT", "/raw/cut", "", host(), Map.of(), "UNSIGNED-PAYLOAD", 1000));
      c.send("cut off");
    }  // the client goes away mid-body
    try (RawClient c = client()) {
      c.send(RawClient.signedHead("HEAD", "/raw/lie", "", host(), Map.of(), SigV4Crypto.EMPTY_SHA256, -1));
      assertTrue(c.readResponse().startsWith("HTTP/1.1 404"));
      c.send(RawClient.signedHead("HEAD", "/raw/short", "", host(), Map.of(), SigV4Crypto.EMPTY_SHA256, -1));
    }
    assertServing();
  }

  @Test
  void malformedAwsChunkedBodyIsRejected() throws Exception {
    String body = "zz\r\nhello\r\n0\r\n\r\n";
    try (RawClient c = client()) {
      c.send(RawClient.signedHead("PUT", "/raw/chunked", "", host(),
          Map.of("content-encoding", "aws-chunked", "x-amz-decoded-content-length", "5", "x-amz-trailer", "x-amz-checksum-crc32"),
          "STREAMING-UNSIGNED-PAYLOAD-TRAILER", body.length()));
      c.send(body);
      assertError(c.readResponse(), 400, "InvalidChunkSizeError");
    }
    String good = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
    try (RawClient c = client()) {
      c.send(RawClient.signedHead("PUT", "/raw/chunked", "", host(),
          Map.of("content-encoding", "aws-chunked", "x-amz-decoded-content-length", "5", "x-amz-trailer", "x-amz-checksum-crc32"),
          "STREAMING-UNSIGNED-PAYLOAD-TRAILER", good.length()));
      c.send(good);
      String r = c.readResponse();
      assertTrue(r.startsWith("HTTP/1.1 200") && r.contains("x-amz-checksum-crc32: NhCmhg=="), r);
      c.send(RawClient.signedHead("GET", "/raw/chunked", "", host(), Map.of(), SigV4Crypto.EMPTY_SHA256, -1));
      assertTrue(c.readResponse().endsWith("\r\n\r\nhello"));
    }
  }

  @Test
  void virtualHostAddressingAndExpectContinue() throws Exception {
    String vhost = "raw.localhost:" + gw.server.port();
    try (RawClient c = client()) {
      String head = RawClient.signedHead("PUT", "/vh.txt", "", vhost, Map.of("expect", "100-continue"), "UNSIGNED-PAYLOAD", 2);
      c.send(head);
      assertTrue(c.readResponse().startsWith("HTTP/1.1 100"));
      c.send("hi");
      assertTrue(c.readResponse().startsWith("HTTP/1.1 200"));
      c.send(RawClient.signedHead("GET", "/raw/vh.txt", "", host(), Map.of("range", "bytes=1-"), SigV4Crypto.EMPTY_SHA256, -1));
      String r = c.readResponse();
      assertTrue(r.startsWith("HTTP/1.1 206") && r.endsWith("\r\n\r\ni"), r);
    }
    try (RawClient c = client()) {
      // a denied 100-continue request is answered before its body is sent
      c.send("PUT /raw/x HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\ncontent-length: 100000\r\n\r\n");
      assertError(c.readResponse(), 403, "AccessDenied");
    }
  }
}
