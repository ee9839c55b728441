package io.strata.client;

import io.strata.metadata.client.MetadataClient;
import java.util.Map;

/**
 * The storage client library: metadata operations plus replicated chunk and byte-range I/O.
 * Every gateway talks to the cluster only through this.
 */
public final class StrataClient implements AutoCloseable {
  private final MetadataClient metadata;
  private final ClusterMapCache maps;
  private final PeerChannels channels;
  private final ChunkClient chunks;
  private final Fencing fencing;

  public StrataClient(Map<String, String> metadataPeers) {
    this.metadata = new MetadataClient(metadataPeers);
    this.maps = new ClusterMapCache(metadata);
    this.channels = new PeerChannels();
    this.chunks = new ChunkClient(maps, channels);
    this.fencing = new Fencing(metadata, maps, channels);
  }

  /** Raising fences and waiting until they hold on every datanode. */
  public Fencing fencing() {
    return fencing;
  }

  public MetadataClient metadata() {
    return metadata;
  }

  public ChunkClient chunks() {
    return chunks;
  }

  public ClusterMapCache maps() {
    return maps;
  }

  /** Byte-range I/O over fixed-size chunks of one object in one pool. */
  public RangeIo ranges(int poolId, int chunkSizeBytes) {
    return new RangeIo(chunks, poolId, chunkSizeBytes);
  }

  @Override
  public void close() {
    chunks.close();
    channels.close();
    metadata.close();
  }
}
