package io.strata.s3.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.s3.S3Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with the Debian AWS CLI v2 (/usr/bin/aws, package awscli), curl and boto3
 * (/usr/bin/python3, package python3-boto3) against a gateway on a real MiniCluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AwsCliTest {
  static final String AWS = "/usr/bin/aws";
  static final String CURL = "/usr/bin/curl";
  static final String PYTHON = "/usr/bin/python3";

  static GatewayFixture gw;
  @TempDir
  static Path dir;
  static Map<String, String> env;

  @BeforeAll
  static void start() throws Exception {
    Proc.requireExecutable(AWS, "awscli");
    Proc.requireExecutable(CURL, "curl");
    Proc.requireExecutable(PYTHON, "python3-boto3");
    gw = new GatewayFixture(S3Config.defaults());
    env = new HashMap<>();
    env.put("AWS_ACCESS_KEY_ID", GatewayFixture.KEY_ID);
    env.put("AWS_SECRET_ACCESS_KEY", GatewayFixture.SECRET);
    env.put("AWS_DEFAULT_REGION", "us-east-1");
    env.put("AWS_CONFIG_FILE", dir.resolve("config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("credentials").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_PAGER", "");
    env.put("HOME", dir.toString());
    Proc.run(env, dir, AWS, "configure", "set", "default.s3.multipart_threshold", "5MB").ok();
    Proc.run(env, dir, AWS, "configure", "set", "default.s3.multipart_chunksize", "5MB").ok();
  }

  @AfterAll
  static void stop() {
    if (gw != null) {
      gw.close();
    }
  }

  static Proc.Result aws(String... args) throws Exception {
    String[] cmd = new String[args.length + 3];
    cmd[0] = AWS;
    cmd[1] = "--endpoint-url";
    cmd[2] = gw.endpoint();
    System.arraycopy(args, 0, cmd, 3, args.length);
    return Proc.run(env, dir, cmd);
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  @Order(1)
  void makeBucketCopySmallAndMultipartFilesAndReadThemBack() throws Exception {
    aws("s3", "mb", "s3://cli-bucket").ok();
    assertTrue(aws("s3", "ls").ok().out().contains("cli-bucket"));
    Path small = dir.resolve("small.bin");
    Files.write(small, random(1000, 1));
    Path big = dir.resolve("big.bin");
    Files.write(big, random(20 << 20, 2));
    aws("s3", "cp", small.toString(), "s3://cli-bucket/dir/small.bin").ok();
    aws("s3", "cp", big.toString(), "s3://cli-bucket/dir/sub/big.bin").ok();
    String head = aws("s3api", "head-object", "--bucket", "cli-bucket", "--key", "dir/sub/big.bin").ok().out();
    assertTrue(head.contains("\"ContentLength\": 20971520"), head);
    assertTrue(head.contains("-4\\\""), "multipart ETag md5-of-md5s-4: " + head);
    aws("s3", "cp", "s3://cli-bucket/dir/sub/big.bin", dir.resolve("big.back").toString()).ok();
    assertArrayEquals(Files.readAllBytes(big), Files.readAllBytes(dir.resolve("big.back")));
    aws("s3", "cp", "s3://cli-bucket/dir/small.bin", dir.resolve("small.back").toString()).ok();
    assertArrayEquals(Files.readAllBytes(small), Files.readAllBytes(dir.resolve("small.back")));
    String ls = aws("s3", "ls", "--recursive", "s3://cli-bucket/").ok().out();
    assertTrue(ls.contains("dir/small.bin") && ls.contains("dir/sub/big.bin"), ls);
    String top = aws("s3", "ls", "s3://cli-bucket/dir/").ok().out();
    assertTrue(top.contains("PRE sub/") && top.contains("small.bin"), top);
  }

  @Test
  @Order(2)
  void s3apiMetadataRangeCopyAndListV2() throws Exception {
    Path f = dir.resolve("meta.txt");
    Files.writeString(f, "0123456789abcdefghij");
    aws("s3api", "put-object", "--bucket", "cli-bucket", "--key", "meta.txt", "--body", f.toString(),
        "--content-type", "text/plain", "--metadata", "color=blue,size=small").ok();
    String head = aws("s3api", "head-object", "--bucket", "cli-bucket", "--key", "meta.txt").ok().out();
    assertTrue(head.contains("\"color\": \"blue\"") && head.contains("text/plain"), head);
    aws("s3api", "get-object", "--bucket", "cli-bucket", "--key", "meta.txt", "--range", "bytes=5-9",
        dir.resolve("range.out").toString()).ok();
    assertEquals("56789", Files.readString(dir.resolve("range.out")));
    aws("s3api", "copy-object", "--bucket", "cli-bucket", "--key", "meta-copy.txt",
        "--copy-source", "cli-bucket/meta.txt").ok();
    aws("s3", "cp", "s3://cli-bucket/meta-copy.txt", dir.resolve("copy.out").toString()).ok();
    assertEquals("0123456789abcdefghij", Files.readString(dir.resolve("copy.out")));
    String list = aws("s3api", "list-objects-v2", "--bucket", "cli-bucket", "--delimiter", "/").ok().out();
    assertTrue(list.contains("\"Prefix\": \"dir/\"") && list.contains("meta-copy.txt"), list);
    String paged = aws("s3api", "list-objects-v2", "--bucket", "cli-bucket", "--max-items", "1", "--page-size", "1").ok().out();
    assertTrue(paged.contains("NextToken"), paged);
    String v1 = aws("s3api", "list-objects", "--bucket", "cli-bucket", "--prefix", "dir/").ok().out();
    assertTrue(v1.contains("dir/small.bin"), v1);
    Proc.Result missing = aws("s3api", "head-object", "--bucket", "cli-bucket", "--key", "nope");
    assertNotEquals(0, missing.exit());
    assertTrue(missing.err().contains("404"), missing.err());
  }

  @Test
  @Order(3)
  void presignedUrlWorksWithCurlAndExpires() throws Exception {
    String url = aws("s3", "presign", "s3://cli-bucket/meta.txt", "--expires-in", "300").ok().out().trim();
    Proc.Result got = Proc.run(env, dir, CURL, "-sS", "-f", url).ok();
    assertEquals("0123456789abcdefghij", got.out());
    Proc.Result tampered = Proc.run(env, dir, CURL, "-sS", url.replace("meta.txt", "meta-copy.txt"));
    assertTrue(tampered.out().contains("SignatureDoesNotMatch"), tampered.out());
    Proc.Result anonymous = Proc.run(env, dir, CURL, "-sS", "-i", gw.endpoint() + "/cli-bucket/meta.txt");
    assertTrue(anonymous.out().contains("403") && anonymous.out().contains("AccessDenied")
        && anonymous.out().toLowerCase().contains("x-amz-request-id"), anonymous.out());
  }

  @Test
  @Order(4)
  void wrongSecretAndBucketRules() throws Exception {
    Map<String, String> bad = new HashMap<>(env);
    bad.put("AWS_SECRET_ACCESS_KEY", "wrong-secret-wrong-secret-wrong-secret00");
    Proc.Result r = Proc.run(bad, dir, AWS, "--endpoint-url", gw.endpoint(), "s3", "ls");
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("SignatureDoesNotMatch"), r.err());
    bad.put("AWS_ACCESS_KEY_ID", "AKIANOSUCHKEY0000000");
    r = Proc.run(bad, dir, AWS, "--endpoint-url", gw.endpoint(), "s3", "ls");
    assertTrue(r.err().contains("InvalidAccessKeyId"), r.err());
    assertTrue(aws("s3", "mb", "s3://Bad_Name").err().contains("InvalidBucketName"));
    Proc.Result notEmpty = aws("s3", "rb", "s3://cli-bucket");
    assertNotEquals(0, notEmpty.exit());
    assertTrue(notEmpty.err().contains("BucketNotEmpty"), notEmpty.err());
  }

  @Test
  @Order(5)
  void boto3Script() throws Exception {
    Path script = dir.resolve("boto_check.py");
    try (var in = AwsCliTest.class.getResourceAsStream("/boto_check.py")) {
      Files.write(script, in.readAllBytes());
    }
    Proc.Result r = Proc.run(env, dir, PYTHON, script.toString(), gw.endpoint()).ok();
    assertTrue(r.out().contains("BOTO3 OK"), r.out() + r.err());
  }

  @Test
  @Order(6)
  void removeRecursiveThenRemoveBucket() throws Exception {
    aws("s3", "rm", "--recursive", "s3://cli-bucket/").ok();
    assertEquals("", aws("s3", "ls", "--recursive", "s3://cli-bucket/").out().trim());
    aws("s3", "rb", "s3://cli-bucket").ok();
    assertFalse(aws("s3", "ls").ok().out().contains("cli-bucket"));
  }
}
