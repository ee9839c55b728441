package io.strata.s3;

import java.util.List;

/**
 * Every limit of the gateway in one place, each with its unit in its name (habit 4 in
 * STYLE.md). Defaults suit one gateway on a small machine.
 *
 * @param maxHeaderBytes total request header bytes; larger heads get 400 RequestHeaderSectionTooLarge
 * @param maxInitialLineBytes request line (presigned URLs are long)
 * @param maxConnections open connections; more are closed on accept
 * @param idleTimeoutSeconds a connection with no traffic while idle or receiving a body is closed
 * @param workerThreads threads that run blocking metadata calls
 * @param workerQueueDepth queued requests beyond which new ones get 503 SlowDown
 * @param maxObjectBytes largest single PUT or part
 * @param virtualHostSuffixes hosts under which {@code bucket.host} is virtual-host addressing
 */
public record S3Config(int maxHeaderBytes, int maxInitialLineBytes, int maxConnections, int idleTimeoutSeconds,
                       int workerThreads, int workerQueueDepth, long maxObjectBytes, List<String> virtualHostSuffixes) {
  public static final int DECODER_CHUNK_BYTES = 64 << 10;
  /** Chunk buffers all requests together may hold beyond each one's first (pipelining, read-ahead). */
  public static final long BUFFER_BUDGET_BYTES = 512L << 20;

  public static S3Config defaults() {
    return new S3Config(16 << 10, 16 << 10, 256, 60, 16, 1024, 5L << 30, List.of("localhost"));
  }

  public S3Config withIdleTimeoutSeconds(int s) {
    return new S3Config(maxHeaderBytes, maxInitialLineBytes, maxConnections, s, workerThreads, workerQueueDepth,
        maxObjectBytes, virtualHostSuffixes);
  }

  public S3Config withMaxConnections(int n) {
    return new S3Config(maxHeaderBytes, maxInitialLineBytes, n, idleTimeoutSeconds, workerThreads, workerQueueDepth,
        maxObjectBytes, virtualHostSuffixes);
  }

  public S3Config withVirtualHostSuffixes(List<String> suffixes) {
    return new S3Config(maxHeaderBytes, maxInitialLineBytes, maxConnections, idleTimeoutSeconds, workerThreads,
        workerQueueDepth, maxObjectBytes, List.copyOf(suffixes));
  }
}
