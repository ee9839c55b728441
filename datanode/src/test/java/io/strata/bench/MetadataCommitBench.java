package io.strata.bench;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaCommand;
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
 * Committed metadata operations per second through the 3-peer Ratis group: each op is one
 * key-value put (a 100-byte value), acknowledged after commit and apply on the leader. The client
 * keeps {@code inFlight} ops outstanding and its batcher merges them into Raft entries.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
public class MetadataCommitBench {
  static final int OPS = 2000;

  @Param({"1", "256"})
  int inFlight;

  MetadataClient meta;
  long next;
  ByteString value = ByteString.copyFrom(new byte[100]);

  @Setup
  public void setup(ClusterState s) {
    meta = s.cluster.client().metadata();
  }

  @Benchmark
  @OperationsPerInvocation(OPS)
  public void put() {
    Semaphore window = new Semaphore(inFlight);
    CompletableFuture<?>[] all = new CompletableFuture<?>[OPS];
    for (int i = 0; i < OPS; i++) {
      window.acquireUninterruptibly();
      MetaCommand c = MetaCommand.newBuilder().setKvTxn(KvTxn.newBuilder().addWrites(KvWrite.newBuilder()
          .setNamespace("bench").setKey(ByteString.copyFromUtf8("k" + (next++))).setValue(value))).build();
      all[i] = meta.submit(c).whenComplete((v, t) -> window.release());
    }
    CompletableFuture.allOf(all).join();
  }
}
