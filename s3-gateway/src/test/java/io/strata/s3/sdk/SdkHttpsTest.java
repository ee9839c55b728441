package io.strata.s3.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.strata.common.Metrics;
import io.strata.minicluster.MiniCluster;
import io.strata.s3.S3Config;
import io.strata.s3.S3Server;
import io.strata.s3.auth.AccessKey;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;

/**
 * The Java SDK over HTTPS with its defaults: it then sends unsigned aws-chunked bodies with a
 * trailing CRC32 (over plain HTTP: signed chunks and a signed trailer); both verified end to end.
 */
class SdkHttpsTest {
  @TempDir
  Path dir;

  @Test
  void defaultUploadsOverHttpsAndHttpUseTheTwoTrailerModes() throws Exception {
    Path ks = dir.resolve("gw.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "gw", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
        "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(),
        "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, new String(p.getInputStream().readAllBytes()));
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, "changeit".toCharArray());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SslContext tls = SslContextBuilder.forServer(kmf).build();
    byte[] data = new byte[6 << 20];
    new Random(8).nextBytes(data);
    try (MiniCluster cluster = MiniCluster.builder().build();
         S3Server server = new S3Server(cluster.client(), cluster.poolId(), "127.0.0.1", 0, S3Config.defaults())
             .withTls(0, tls).start()) {
      AccessKey k = server.iam().createUser("tls");
      S3Client https = S3Client.builder().endpointOverride(URI.create("https://127.0.0.1:" + server.tlsPort()))
          .region(Region.US_EAST_1).forcePathStyle(true)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(k.accessKeyId(), k.secretKey())))
          .httpClientBuilder(Apache5HttpClient.builder().tlsTrustManagersProvider(tmf::getTrustManagers)).build();
      S3Client http = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + server.port()))
          .region(Region.US_EAST_1).forcePathStyle(true)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(k.accessKeyId(), k.secretKey())))
          .build();
      https.createBucket(b -> b.bucket("tls"));
      long unsigned = counter("streaming_unsigned_trailer");
      https.putObject(b -> b.bucket("tls").key("big"), RequestBody.fromBytes(data));
      assertTrue(counter("streaming_unsigned_trailer") > unsigned, "HTTPS upload used STREAMING-UNSIGNED-PAYLOAD-TRAILER");
      long signed = counter("streaming_signed_trailer");
      http.putObject(b -> b.bucket("tls").key("small"), RequestBody.fromString("plain http"));
      assertTrue(counter("streaming_signed_trailer") > signed, "HTTP upload used the signed trailer");
      var got = https.getObjectAsBytes(b -> b.bucket("tls").key("big").checksumMode(ChecksumMode.ENABLED));
      assertArrayEquals(data, got.asByteArray());
      assertTrue(got.response().checksumCRC32() != null);
      assertEquals("plain http", https.getObjectAsBytes(b -> b.bucket("tls").key("small")).asUtf8String());
      https.close();
      http.close();
    }
  }

  static long counter(String mode) {
    String prefix = "strata_s3_payload_mode_total{mode=\"" + mode + "\"} ";
    for (String line : Metrics.global().renderPrometheus().split("\n")) {
      if (line.startsWith(prefix)) {
        return (long) Double.parseDouble(line.substring(prefix.length()).trim());
      }
    }
    return 0;
  }
}
