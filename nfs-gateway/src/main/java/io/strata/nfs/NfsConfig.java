package io.strata.nfs;

import io.strata.nfs.rpc.RpcServer;

/**
 * Where the gateway listens and its bounds. A port of 0 picks a free one (tests); a negative
 * portmapper port disables the portmapper. Defaults are the standard ports on loopback.
 */
public record NfsConfig(String host, int nfsPort, int mountPort, int portmapPort, long cacheBytes, long dirtyBytes,
                        int workerThreads, RpcServer.Limits limits) {
  public static final int DEFAULT_NFS_PORT = 2049;
  public static final int DEFAULT_MOUNT_PORT = 20048;
  public static final int DEFAULT_PORTMAP_PORT = 111;
  public static final long DEFAULT_CACHE_BYTES = 512L << 20;
  public static final long DEFAULT_DIRTY_BYTES = 256L << 20;
  public static final int DEFAULT_WORKER_THREADS = 32;
  /** A 1 MiB WRITE plus its RPC and NFS headers fits; anything longer closes the connection. */
  public static final int MAX_RECORD_BYTES = (1 << 20) + 64 * 1024;
  public static final int MAX_CONNECTIONS = 256;
  public static final int MAX_IN_FLIGHT_PER_CONNECTION = 64;
  public static final long MAX_IN_FLIGHT_BYTES = 256L << 20;
  public static final int IDLE_TIMEOUT_SECONDS = 900;

  public static RpcServer.Limits defaultLimits() {
    return new RpcServer.Limits(MAX_RECORD_BYTES, MAX_CONNECTIONS, MAX_IN_FLIGHT_PER_CONNECTION,
        MAX_IN_FLIGHT_BYTES, IDLE_TIMEOUT_SECONDS);
  }

  public static NfsConfig defaults() {
    return new NfsConfig("127.0.0.1", DEFAULT_NFS_PORT, DEFAULT_MOUNT_PORT, DEFAULT_PORTMAP_PORT,
        DEFAULT_CACHE_BYTES, DEFAULT_DIRTY_BYTES, DEFAULT_WORKER_THREADS, defaultLimits());
  }

  /** Ports 0 for NFS and MOUNT, no portmapper: what tests use. */
  public static NfsConfig ephemeral() {
    return defaults().withPorts(0, 0, -1);
  }

  public NfsConfig withPorts(int nfs, int mount, int portmap) {
    return new NfsConfig(host, nfs, mount, portmap, cacheBytes, dirtyBytes, workerThreads, limits);
  }

  public NfsConfig withMemory(long cache, long dirty) {
    return new NfsConfig(host, nfsPort, mountPort, portmapPort, cache, dirty, workerThreads, limits);
  }
}
