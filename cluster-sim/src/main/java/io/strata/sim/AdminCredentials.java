package io.strata.sim;

import io.strata.s3.auth.AccessKey;
import io.strata.s3.auth.IamStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The admin user of an embedded cloud: created on the first start, written as an AWS shared
 * credentials file (profile {@code strata}, mode 600) in the data directory, and re-registered
 * from that file on every later start, so the keys stay the same.
 */
final class AdminCredentials {
  static final String PROFILE = "strata";

  private AdminCredentials() {}

  static AccessKey ensure(IamStore iam, Path file) {
    try {
      if (Files.exists(file)) {
        String id = null;
        String secret = null;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          String[] kv = line.split("=", 2);
          if (kv.length == 2 && kv[0].trim().equals("aws_access_key_id")) {
            id = kv[1].trim();
          } else if (kv.length == 2 && kv[0].trim().equals("aws_secret_access_key")) {
            secret = kv[1].trim();
          }
        }
        if (id != null && secret != null) {
          return iam.createUser("admin", id, secret);
        }
      }
      AccessKey k = iam.createUser("admin");
      Files.write(file, List.of("[" + PROFILE + "]", "aws_access_key_id = " + k.accessKeyId(),
          "aws_secret_access_key = " + k.secretKey(), "region = us-east-1"), StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX filesystem: nothing more to do
      }
      return k;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
