package io.strata.bench;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.proto.ChunkId;
import java.util.Random;
import java.util.Set;
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
 * Replicated chunk writes, reads and write+flush pairs through the client library, 3 copies,
 * with a fixed number of operations in flight. Score = operations per second (multiply by the
 * size for bytes/s). Reads read chunks that exist (the setup writes every key once). Typical runs:
 * {@code ./strata bench ChunkIoBench -p inFlight=32} and
 * {@code ./strata bench 'ChunkIoBench.writeFlush' -p inFlight=1 -p sizeBytes=4096}.
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
    // Every chunk the read benchmark reads exists (a read of a missing chunk is much cheaper).
    for (long base = 0; base < keys(); base += OPS) {
      run(Op.WRITE, base);
    }
  }

  private int keys() {
    return sizeBytes > 65536 ? 256 : 8192;
  }

  enum Op { WRITE, READ, WRITE_FLUSH }

  private void run(Op op, long base) {
    Semaphore window = new Semaphore(inFlight);
    CompletableFuture<?>[] all = new CompletableFuture<?>[OPS];
    for (int i = 0; i < OPS; i++) {
      window.acquireUninterruptibly();
      ChunkId id = chunks.chunkId(pool, ByteString.copyFromUtf8("bench"), (base + i) % keys());
      CompletableFuture<?> f = switch (op) {
        case WRITE -> chunks.write(id, payload, false);
        case READ -> chunks.read(id, 0, 0).thenAccept(o -> o.orElseThrow());
        case WRITE_FLUSH -> chunks.write(id, payload, false).thenCompose(v -> chunks.flush(pool, Set.of(id.getPg())));
      };
      all[i] = f.whenComplete((v, t) -> window.release());
    }
    CompletableFuture.allOf(all).join();
  }

  @Benchmark
  @OperationsPerInvocation(OPS)
  public void write() {
    run(Op.WRITE, next);
    next += OPS;
  }

  @Benchmark
  @OperationsPerInvocation(OPS)
  public void read() {
    run(Op.READ, next);
    next += OPS;
  }

  /** A write then a flush of its group, {@code inFlight} pairs at a time: the durable-write path (NBD FLUSH). */
  @Benchmark
  @OperationsPerInvocation(OPS)
  public void writeFlush() {
    run(Op.WRITE_FLUSH, next);
    next += OPS;
  }
}
