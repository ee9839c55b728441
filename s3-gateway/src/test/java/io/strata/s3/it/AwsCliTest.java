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
    Files.write(big, random(100 << 20, 2));  // the CLI's defaults: 8 MiB threshold and parts, so 13 parts
    aws("s3", "cp", small.toString(), "s3://cli-bucket/dir/small.bin").ok();
    aws("s3", "cp", big.toString(), "s3://cli-bucket/dir/sub/big.bin").ok();
    String head = aws("s3api", "head-object", "--bucket", "cli-bucket", "--key", "dir/sub/big.bin").ok().out();
    assertTrue(head.contains("\"ContentLength\": 104857600"), head);
    assertTrue(head.contains("-13\\\""), "multipart ETag md5-of-md5s-13: " + head);
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
  void syncUpAndDownAgain() throws Exception {
    Path src = Files.createDirectories(dir.resolve("tree/a/b"));
    Files.write(src.resolve("one.txt"), random(2000, 3));
    Files.write(dir.resolve("tree/a/two.txt"), random(3000, 4));
    Files.write(dir.resolve("tree/top.txt"), random(10, 5));
    String up = aws("s3", "sync", dir.resolve("tree").toString(), "s3://cli-bucket/tree/").ok().out();
    assertTrue(up.contains("upload:") && up.contains("top.txt"), up);
    assertEquals("", aws("s3", "sync", dir.resolve("tree").toString(), "s3://cli-bucket/tree/").ok().out().trim(),
        "a second sync finds nothing to do");
    aws("s3", "sync", "s3://cli-bucket/tree/", dir.resolve("tree-back").toString()).ok();
    for (String f : new String[] {"a/b/one.txt", "a/two.txt", "top.txt"}) {
      assertArrayEquals(Files.readAllBytes(dir.resolve("tree").resolve(f)), Files.readAllBytes(dir.resolve("tree-back").resolve(f)), f);
    }
  }

  @Test
  @Order(3)
  void s3apiVersioningAndMultipartCalls() throws Exception {
    aws("s3api", "create-bucket", "--bucket", "cli-versions").ok();
    aws("s3api", "put-bucket-versioning", "--bucket", "cli-versions", "--versioning-configuration", "Status=Enabled").ok();
    assertTrue(aws("s3api", "get-bucket-versioning", "--bucket", "cli-versions").ok().out().contains("Enabled"));
    Path f = dir.resolve("v.txt");
    Files.writeString(f, "first");
    String v1 = jsonField(aws("s3api", "put-object", "--bucket", "cli-versions", "--key", "v", "--body", f.toString()).ok().out(), "VersionId");
    Files.writeString(f, "second");
    aws("s3api", "put-object", "--bucket", "cli-versions", "--key", "v", "--body", f.toString()).ok();
    aws("s3api", "get-object", "--bucket", "cli-versions", "--key", "v", "--version-id", v1, dir.resolve("v1.out").toString()).ok();
    assertEquals("first", Files.readString(dir.resolve("v1.out")));
    String versions = aws("s3api", "list-object-versions", "--bucket", "cli-versions").ok().out();
    assertTrue(versions.contains(v1) && versions.contains("\"IsLatest\": true"), versions);
    assertTrue(aws("s3api", "delete-object", "--bucket", "cli-versions", "--key", "v").ok().out().contains("\"DeleteMarker\": true"));

    String upload = jsonField(aws("s3api", "create-multipart-upload", "--bucket", "cli-versions", "--key", "mp").ok().out(), "UploadId");
    Path part = dir.resolve("part.bin");
    Files.write(part, random(5 << 20, 6));
    String etag = jsonField(aws("s3api", "upload-part", "--bucket", "cli-versions", "--key", "mp", "--part-number", "1",
        "--upload-id", upload, "--body", part.toString()).ok().out(), "ETag");
    assertTrue(aws("s3api", "list-parts", "--bucket", "cli-versions", "--key", "mp", "--upload-id", upload).ok().out()
        .contains("\"PartNumber\": 1"));
    assertTrue(aws("s3api", "list-multipart-uploads", "--bucket", "cli-versions").ok().out().contains(upload));
    Path parts = dir.resolve("parts.json");
    Files.writeString(parts, "{\"Parts\":[{\"PartNumber\":1,\"ETag\":" + "\"" + etag.replace("\"", "\\\"") + "\"}]}");
    aws("s3api", "complete-multipart-upload", "--bucket", "cli-versions", "--key", "mp", "--upload-id", upload,
        "--multipart-upload", "file://" + parts).ok();
    String aborted = jsonField(aws("s3api", "create-multipart-upload", "--bucket", "cli-versions", "--key", "gone").ok().out(), "UploadId");
    aws("s3api", "abort-multipart-upload", "--bucket", "cli-versions", "--key", "gone", "--upload-id", aborted).ok();
    assertTrue(aws("s3api", "head-object", "--bucket", "cli-versions", "--key", "mp").ok().out().contains("5242880"));
  }

  /** The string value of a top-level field in the CLI's JSON output. */
  static String jsonField(String json, String field) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + field + "\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    assertTrue(m.find(), field + " in " + json);
    return m.group(1).replace("\\\"", "\"");
  }

  @Test
  @Order(4)
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
  @Order(5)
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
  @Order(6)
  void boto3Script() throws Exception {
    Path script = dir.resolve("boto_check.py");
    try (var in = AwsCliTest.class.getResourceAsStream("/boto_check.py")) {
      Files.write(script, in.readAllBytes());
    }
    Proc.Result r = Proc.run(env, dir, PYTHON, script.toString(), gw.endpoint()).ok();
    assertTrue(r.out().contains("BOTO3 OK"), r.out() + r.err());
  }

  @Test
  @Order(7)
  void removeRecursiveThenRemoveBucket() throws Exception {
    aws("s3", "rm", "--recursive", "s3://cli-bucket/").ok();
    assertEquals("", aws("s3", "ls", "--recursive", "s3://cli-bucket/").out().trim());
    aws("s3", "rb", "s3://cli-bucket").ok();
    assertFalse(aws("s3", "ls").ok().out().contains("cli-bucket"));
  }
}
