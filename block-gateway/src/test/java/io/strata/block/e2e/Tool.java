package io.strata.block.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real client binary. A missing binary FAILS the test (never skips): these tests are the
 * proof that real clients work, so CI must install them (qemu-utils, libnbd-bin, fio).
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
    return fail(binary + " is not installed; run: apt-get install -y qemu-utils libnbd-bin fio");
  }

  static Result run(String... command) throws IOException, InterruptedException {
    return run(TIMEOUT_SECONDS, command);
  }

  /** Output goes to a file, not a pipe, so a hung client cannot outlive the timeout by holding it open. */
  static Result run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, require(command[0]).toString());
    Path log = Files.createTempFile("strata-tool", ".out");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      p.getOutputStream().close();
      boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!finished) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String text = Files.readString(log, StandardCharsets.UTF_8);
      System.out.println("$ " + String.join(" ", command) + "\n" + text);
      if (!finished) {
        fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s; output:\n" + text);
      }
      return new Result(p.exitValue(), text);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /**
   * Runs the command on a thread of its own, never on the common pool: with its parallelism of 2
   * (surefire.argLine) a busy or leaked task there would delay the client's start indefinitely.
   */
  static CompletableFuture<Result> background(String... command) {
    CompletableFuture<Result> done = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        done.complete(run(command));
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    }, "tool-" + command[0]);
    t.setDaemon(true);
    t.start();
    return done;
  }

  /** Runs and asserts exit status 0; returns the output. */
  static String ok(String... command) throws IOException, InterruptedException {
    return ok(TIMEOUT_SECONDS, command);
  }

  static String ok(long timeoutSeconds, String... command) throws IOException, InterruptedException {
    Result r = run(timeoutSeconds, command);
    assertEquals(0, r.exit(), String.join(" ", command) + " failed:\n" + r.output());
    return r.output();
  }

  /** The gateway's per-command, per-result request counts: whether a failure was our answer or the client's. */
  static String nbdRequestCounters() {
    StringBuilder b = new StringBuilder();
    for (String line : io.strata.common.Metrics.global().renderPrometheus().split("\n")) {
      if (line.startsWith("strata_nbd_requests_total")) {
        b.append(line).append('\n');
      }
    }
    return b.toString();
  }

  static void assertContains(String haystack, String needle) {
    assertTrue(haystack.contains(needle), "expected '" + needle + "' in:\n" + haystack);
  }
}
