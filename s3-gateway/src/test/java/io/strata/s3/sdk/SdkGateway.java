package io.strata.s3.sdk;

import io.strata.minicluster.MiniCluster;
import io.strata.s3.S3Config;
import io.strata.s3.S3Server;
import io.strata.s3.auth.AccessKey;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One MiniCluster and gateway shared by the AWS SDK suites (started once per test JVM, closed at
 * exit) with two users, and SDK clients built exactly as users build them: default checksum
 * settings, so uploads are signed aws-chunked bodies with a CRC32 trailer.
 */
final class SdkGateway {
  static final String USER = "alice";
  static final String OTHER = "bob";
  private static SdkGateway instance;

  final MiniCluster cluster;
  final S3Server server;
  final AccessKey alice;
  final AccessKey bob;

  private SdkGateway() throws Exception {
    cluster = MiniCluster.builder().build();
    server = new S3Server(cluster.client(), cluster.poolId(), "127.0.0.1", 0, S3Config.defaults()).start();
    alice = server.iam().createUser(USER);
    bob = server.iam().createUser(OTHER);
  }

  static synchronized SdkGateway get() throws Exception {
    if (instance == null) {
      instance = new SdkGateway();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        instance.server.close();
        instance.cluster.close();
      }));
    }
    return instance;
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  S3Client client(AccessKey k) {
    return client(StaticCredentialsProvider.create(AwsBasicCredentials.create(k.accessKeyId(), k.secretKey())));
  }

  S3Client anonymous() {
    return client(AnonymousCredentialsProvider.create());
  }

  S3Client withSecret(String accessKeyId, String secret) {
    return client(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)));
  }

  private S3Client client(AwsCredentialsProvider credentials) {
    return S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).credentialsProvider(credentials)
        .forcePathStyle(true)
        .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1)))
        .build();
  }
}
