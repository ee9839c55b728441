package io.strata.bench;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.proto.ChunkId;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Replicated chunk writes and reads through the client library, 3 copies, with a fixed number of
 * operations in flight. Score = operations per second (multiply by the size for bytes/s).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
public class ChunkIoBench {
  static final int OPS = 512;

  @Param({"4096", "1048576"})
  int sizeBytes;

  @Param({"32"})
  int inFlight;

  ByteString payload;
  ChunkClient chunks;
  int pool;
  long next;

  @Setup
  public void setup(ClusterState s) {
    byte[] b = new byte[sizeBytes];
    new Random(1).nextBytes(b);
    payload = ByteString.copyFrom(b);
    chunks = s.cluster.client().chunks();
    pool = s.cluster.poolId();
    // Pre-populate the chunks the read benchmark reads.
    run(true, 0);
  }

  private void run(boolean write, long base) {
    Semaphore window = new Semaphore(inFlight);
    CompletableFuture<?>[] all = new CompletableFuture<?>[OPS];
    for (int i = 0; i < OPS; i++) {
      window.acquireUninterruptibly();
      ChunkId id = chunks.chunkId(pool, ByteString.copyFromUtf8("bench"), (base + i) % (sizeBytes > 65536 ? 256 : 8192));
      CompletableFuture<?> f = write ? chunks.write(id, payload, false) : chunks.read(id, 0, 0);
      all[i] = f.whenComplete((v, t) -> window.release());
    }
    CompletableFuture.allOf(all).join();
  }

  @Benchmark
  @OperationsPerInvocation(OPS)
  public void write() {
    run(true, next);
    next += OPS;
  }

  @Benchmark
  @OperationsPerInvocation(OPS)
  public void read() {
    run(false, next);
    next += OPS;
  }
}
