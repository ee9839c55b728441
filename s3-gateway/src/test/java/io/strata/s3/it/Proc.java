package io.strata.s3.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real client binary with a deadline; fails the test (never skips) when it is missing. */
final class Proc {
  static final long TIMEOUT_SECONDS = 120;

  record Result(int exit, String out, String err) {
    Result ok() {
      assertTrue(exit == 0, "exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
      return this;
    }
  }

  private Proc() {}

  static void requireExecutable(String path, String aptPackage) {
    assertTrue(Files.isExecutable(Path.of(path)), path + " is missing: apt-get install -y " + aptPackage);
  }

  static Result run(Map<String, String> env, Path cwd, String... cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(List.of(cmd)).directory(cwd.toFile());
    pb.environment().putAll(env);
    Path out = Files.createTempFile(cwd, "out", ".txt");
    Path err = Files.createTempFile(cwd, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("timed out: " + String.join(" ", cmd) + "\nstdout: "
          + Files.readString(out, StandardCharsets.UTF_8) + "\nstderr: " + Files.readString(err, StandardCharsets.UTF_8));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  static List<String> args(String... a) {
    return new ArrayList<>(List.of(a));
  }
}
