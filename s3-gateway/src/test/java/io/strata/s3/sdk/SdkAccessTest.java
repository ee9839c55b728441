package io.strata.s3.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Bucket owners, cross-user access through bucket policies, public read, and CORS with preflight. */
class SdkAccessTest {
  static SdkGateway gw;
  static S3Client alice;
  static S3Client bob;
  static final String B = "sdk-access";

  @BeforeAll
  static void start() throws Exception {
    gw = SdkGateway.get();
    alice = gw.client(gw.alice);
    bob = gw.client(gw.bob);
    alice.createBucket(b -> b.bucket(B));
    alice.putObject(b -> b.bucket(B).key("shared/doc"), RequestBody.fromString("for bob"));
    alice.putObject(b -> b.bucket(B).key("private/doc"), RequestBody.fromString("not for bob"));
  }

  static String code(Runnable r) {
    return assertThrows(S3Exception.class, r::run).awsErrorDetails().errorCode();
  }

  @Test
  void policiesGrantAndDenyPerUser() {
    assertEquals("AccessDenied", code(() -> bob.getObject(b -> b.bucket(B).key("shared/doc"))));
    assertEquals("AccessDenied", code(() -> bob.listObjectsV2(b -> b.bucket(B))));
    assertEquals("NoSuchBucketPolicy", code(() -> alice.getBucketPolicy(b -> b.bucket(B))));
    String policy = """
        {"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::strata:user/bob"]},
           "Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::sdk-access/shared/*"},
          {"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::sdk-access"},
          {"Effect":"Deny","Principal":{"AWS":"bob"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::sdk-access/shared/keep"}]}""";
    alice.putBucketPolicy(b -> b.bucket(B).policy(policy));
    assertTrue(alice.getBucketPolicy(b -> b.bucket(B)).policy().contains("s3:ListBucket"));
    assertEquals("for bob", bob.getObjectAsBytes(b -> b.bucket(B).key("shared/doc")).asUtf8String());
    assertEquals("AccessDenied", code(() -> bob.getObject(b -> b.bucket(B).key("private/doc"))));
    assertEquals(2, bob.listObjectsV2(b -> b.bucket(B)).keyCount());
    bob.putObject(b -> b.bucket(B).key("shared/keep"), RequestBody.fromString("from bob"));
    assertEquals("AccessDenied", code(() -> bob.deleteObject(b -> b.bucket(B).key("shared/keep"))));
    bob.deleteObject(b -> b.bucket(B).key("shared/doc"));
    assertEquals("AccessDenied", code(() -> bob.putBucketPolicy(b -> b.bucket(B).policy(policy))));
    assertEquals("AccessDenied", code(() -> bob.deleteBucket(b -> b.bucket(B))));
    assertEquals("AccessDenied", code(() -> gw.anonymous().getObject(b -> b.bucket(B).key("shared/keep"))));
    assertEquals("MalformedPolicy", code(() -> alice.putBucketPolicy(b -> b.bucket(B).policy("{not json"))));
    assertEquals("MalformedPolicy", code(() -> alice.putBucketPolicy(b -> b.bucket(B).policy(
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::other/*\"}]}"))));
    alice.deleteBucketPolicy(b -> b.bucket(B));
    assertEquals("AccessDenied", code(() -> bob.getObject(b -> b.bucket(B).key("shared/keep"))));
  }

  @Test
  void publicReadLetsAnonymousGetObjectOnly() throws Exception {
    alice.createBucket(b -> b.bucket("sdk-public"));
    alice.putObject(b -> b.bucket("sdk-public").key("index.html"), RequestBody.fromString("<h1>hi</h1>"));
    alice.putBucketPolicy(b -> b.bucket("sdk-public").policy("""
        {"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*",
          "Action":"s3:GetObject","Resource":"arn:aws:s3:::sdk-public/*"}]}"""));
    assertEquals("<h1>hi</h1>", gw.anonymous().getObjectAsBytes(b -> b.bucket("sdk-public").key("index.html")).asUtf8String());
    HttpResponse<String> curl = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(gw.endpoint() + "/sdk-public/index.html")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, curl.statusCode());
    assertEquals("<h1>hi</h1>", curl.body());
    assertEquals("AccessDenied", code(() -> gw.anonymous().putObject(b -> b.bucket("sdk-public").key("x"),
        RequestBody.fromString("x"))));
    assertEquals("AccessDenied", code(() -> gw.anonymous().listObjectsV2(b -> b.bucket("sdk-public"))));
  }

  @Test
  void corsConfigurationAndPreflight() throws Exception {
    alice.createBucket(b -> b.bucket("sdk-cors"));
    assertEquals("NoSuchCORSConfiguration", code(() -> alice.getBucketCors(b -> b.bucket("sdk-cors"))));
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest preflight = HttpRequest.newBuilder(URI.create(gw.endpoint() + "/sdk-cors/obj"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://app.example.com")
        .header("Access-Control-Request-Method", "PUT").header("Access-Control-Request-Headers", "content-type").build();
    assertEquals(403, http.send(preflight, HttpResponse.BodyHandlers.ofString()).statusCode());
    alice.putBucketCors(b -> b.bucket("sdk-cors").corsConfiguration(c -> c.corsRules(CORSRule.builder()
        .allowedOrigins("https://*.example.com").allowedMethods("GET", "PUT").allowedHeaders("*")
        .exposeHeaders("ETag").maxAgeSeconds(600).build())));
    assertEquals(1, alice.getBucketCors(b -> b.bucket("sdk-cors")).corsRules().size());
    HttpResponse<String> ok = http.send(preflight, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("https://app.example.com", ok.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertTrue(ok.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("PUT"));
    assertEquals("600", ok.headers().firstValue("Access-Control-Max-Age").orElse(""));
    HttpRequest denied = HttpRequest.newBuilder(URI.create(gw.endpoint() + "/sdk-cors/obj"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.test")
        .header("Access-Control-Request-Method", "PUT").build();
    assertEquals(403, http.send(denied, HttpResponse.BodyHandlers.ofString()).statusCode());
    alice.putObject(b -> b.bucket("sdk-cors").key("obj"), RequestBody.fromString("x"));
    var withOrigin = alice.getObject(b -> b.bucket("sdk-cors").key("obj")
        .overrideConfiguration(o -> o.putHeader("Origin", "https://app.example.com")));
    assertEquals("https://app.example.com", withOrigin.response().sdkHttpResponse()
        .firstMatchingHeader("Access-Control-Allow-Origin").orElse(""));
    withOrigin.close();
    alice.deleteBucketCors(b -> b.bucket("sdk-cors"));
    assertEquals("NoSuchCORSConfiguration", code(() -> alice.getBucketCors(b -> b.bucket("sdk-cors"))));
  }
}
