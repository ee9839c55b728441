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
