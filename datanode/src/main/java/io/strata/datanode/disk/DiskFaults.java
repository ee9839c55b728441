package io.strata.datanode.disk;

import io.strata.proto.ChunkStatus;
import java.util.Random;

/**
 * The injectable fault model of one simulated disk. Changed at runtime by tests, the CLI and
 * cluster-sim; read by every disk operation. Randomness comes from a seeded generator so that a
 * fault schedule replays.
 */
public final class DiskFaults {
  private volatile boolean failed;
  private volatile boolean readErrors;
  private volatile boolean writeErrors;
  private volatile double bitFlipOnReadProbability;
  private volatile long extraLatencyMicros;
  private volatile long bandwidthBytesPerSecond;
  private final Random random;

  public DiskFaults(long seed) {
    this.random = new Random(seed);
  }

  /** Fail-stop: every operation fails until healed; reported to metadata as a failed disk. */
  public void failStop() {
    failed = true;
  }

  public void readErrors(boolean on) {
    readErrors = on;
  }

  public void writeErrors(boolean on) {
    writeErrors = on;
  }

  public void bitFlipOnRead(double probability) {
    bitFlipOnReadProbability = probability;
  }

  public void slow(long extraLatencyMicros) {
    this.extraLatencyMicros = extraLatencyMicros;
  }

  /** Shapes throughput: every read and write batch takes at least bytes / rate seconds (0 = off). */
  public void bandwidth(long bytesPerSecond) {
    this.bandwidthBytesPerSecond = bytesPerSecond;
  }

  /** Clears every fault. */
  public void heal() {
    failed = false;
    readErrors = false;
    writeErrors = false;
    bitFlipOnReadProbability = 0;
    extraLatencyMicros = 0;
    bandwidthBytesPerSecond = 0;
  }

  public boolean isFailed() {
    return failed;
  }

  public String describe() {
    StringBuilder b = new StringBuilder();
    if (failed) {
      b.append("failed ");
    }
    if (readErrors) {
      b.append("read-errors ");
    }
    if (writeErrors) {
      b.append("write-errors ");
    }
    if (bitFlipOnReadProbability > 0) {
      b.append("bitflip=").append(bitFlipOnReadProbability).append(' ');
    }
    if (extraLatencyMicros > 0) {
      b.append("slow=").append(extraLatencyMicros).append("us ");
    }
    if (bandwidthBytesPerSecond > 0) {
      b.append("bandwidth=").append(bandwidthBytesPerSecond).append("B/s ");
    }
    return b.length() == 0 ? "ok" : b.toString().trim();
  }

  void beforeRead(String disk) {
    delay();
    if (failed) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "disk " + disk + " has failed");
    }
    if (readErrors) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "read error on disk " + disk);
    }
  }

  void beforeWrite(String disk) {
    delay();
    if (failed) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "disk " + disk + " has failed");
    }
    if (writeErrors) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "write error on disk " + disk);
    }
  }

  /** Whether I/O on this disk sleeps (latency or bandwidth shaping): then it must not run on an event loop. */
  public boolean delays() {
    return extraLatencyMicros > 0 || bandwidthBytesPerSecond > 0;
  }

  /** {@link #afterRead(byte[])} for data read into a buffer (position to limit). */
  void afterRead(java.nio.ByteBuffer data) {
    double p = bitFlipOnReadProbability;
    int n = data.remaining();
    if (p <= 0 || n == 0) {
      return;
    }
    synchronized (random) {
      if (random.nextDouble() < p) {
        int bit = random.nextInt(n * 8);
        int at = data.position() + bit / 8;
        data.put(at, (byte) (data.get(at) ^ (1 << (bit % 8))));
      }
    }
  }

  /** Maybe flips one bit of data just read, the way a decaying medium would. */
  void afterRead(byte[] data) {
    double p = bitFlipOnReadProbability;
    if (p <= 0 || data.length == 0) {
      return;
    }
    synchronized (random) {
      if (random.nextDouble() < p) {
        int bit = random.nextInt(data.length * 8);
        data[bit / 8] ^= (byte) (1 << (bit % 8));
      }
    }
  }

  /** Time the medium needs to move {@code bytes} at the shaped rate. */
  void transfer(long bytes) {
    long rate = bandwidthBytesPerSecond;
    if (rate > 0 && bytes > 0) {
      sleepMicros(bytes * 1_000_000L / rate);
    }
  }

  private void delay() {
    sleepMicros(extraLatencyMicros);
  }

  private static void sleepMicros(long us) {
    if (us > 0) {
      try {
        Thread.sleep(us / 1000, (int) (us % 1000) * 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
