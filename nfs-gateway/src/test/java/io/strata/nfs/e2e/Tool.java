package io.strata.nfs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real client binary. A missing binary FAILS the test (never skips): these tests are the
 * proof that real clients work, so CI must install them (libnfs-utils).
 */
final class Tool {
  static final long TIMEOUT_SECONDS = 300;

  private Tool() {}

  record Result(int exit, String output) {}

  static Path require(String binary) {
    if (binary.contains("/")) {
      return Files.isExecutable(Path.of(binary)) ? Path.of(binary) : fail(binary + " is not installed");
    }
    for (String dir : (System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin").split(":")) {
      Path p = Path.of(dir, binary);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return fail(binary + " is not installed; run: apt-get install -y libnfs-utils");
  }

  static Result run(String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, require(command[0]).toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();  // ends when the process closes its output
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    System.out.println("$ " + String.join(" ", command) + "\n" + text);
    return new Result(p.exitValue(), text);
  }

  /** Starts a client in the background, its output going to {@code log}. */
  static Process start(Path log, String... command) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, require(command[0]).toString());
    System.out.println("$ " + String.join(" ", command) + " &");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    p.getOutputStream().close();
    return p;
  }

  static String sha256(Path file) throws IOException {
    try (java.io.InputStream in = Files.newInputStream(file)) {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return java.util.HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A file of {@code bytes} pseudo-random bytes (seeded, so a failure replays). */
  static Path randomFile(Path dir, String name, long bytes, long seed) throws IOException {
    Path p = dir.resolve(name);
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    byte[] buf = new byte[1 << 20];
    try (java.io.OutputStream out = Files.newOutputStream(p)) {
      for (long done = 0; done < bytes; done += buf.length) {
        for (int i = 0; i < buf.length; i += 8) {
          long v = r.nextLong();
          for (int k = 0; k < 8; k++) {
            buf[i + k] = (byte) (v >>> (8 * k));
          }
        }
        out.write(buf, 0, (int) Math.min(buf.length, bytes - done));
      }
    }
    return p;
  }

  /** Runs and asserts exit status 0; returns the output. */
  static String ok(String... command) throws IOException, InterruptedException {
    Result r = run(command);
    assertEquals(0, r.exit(), String.join(" ", command) + " failed:\n" + r.output());
    return r.output();
  }

  static void assertContains(String haystack, String needle) {
    assertTrue(haystack.contains(needle), "expected '" + needle + "' in:\n" + haystack);
  }
}
