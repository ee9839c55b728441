package io.strata.s3.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.minicluster.MiniCluster;
import io.strata.s3.S3Service;
import io.strata.s3.auth.AccessKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The gateway run as its own service against a cluster: /health, Prometheus /metrics, and S3 traffic. */
class S3ServiceTest {
  @Test
  void standaloneGatewayServesS3AndReportsHealthAndMetrics() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().build();
         S3Service service = new S3Service(cluster.metadataPeers(), "default", "127.0.0.1", 0, 0)) {
      HttpClient http = HttpClient.newHttpClient();
      String admin = "http://127.0.0.1:" + service.admin().port();
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(admin + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());
      assertTrue(health.body().contains("\"status\":\"ok\"") && health.body().contains("\"metadata\":\"reachable\""));
      AccessKey k = service.server().iam().createUser("svc");
      try (S3Client s3 = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + service.server().port()))
          .region(Region.US_EAST_1).forcePathStyle(true)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(k.accessKeyId(), k.secretKey())))
          .build()) {
        s3.createBucket(b -> b.bucket("svc"));
        s3.putObject(b -> b.bucket("svc").key("k"), RequestBody.fromString("12345"));
        assertEquals("12345", s3.getObjectAsBytes(b -> b.bucket("svc").key("k")).asUtf8String());
      }
      String metrics = http.send(HttpRequest.newBuilder(URI.create(admin + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("strata_s3_responses_total{method=\"PUT\",class=\"2xx\"}"), metrics);
      assertTrue(metrics.contains("strata_s3_received_bytes_total") && metrics.contains("strata_s3_open_connections"), metrics);
    }
  }
}
