package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.common.Checksums;
import io.strata.proto.ChunkId;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The test-side record of what the cluster promised: for each chunk, the CRC32C of the last
 * acknowledged write, plus chunks whose last write failed (either value may be there).
 */
final class Acked {
  final Map<ChunkId, Integer> crcs = new ConcurrentHashMap<>();
  final Map<ChunkId, Set<Integer>> uncertain = new ConcurrentHashMap<>();

  void ack(ChunkId id, byte[] data) {
    crcs.put(id, Checksums.crc32c(data));
    uncertain.remove(id);
  }

  void failed(ChunkId id, byte[] data) {
    uncertain.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(Checksums.crc32c(data));
  }

  /** Every acknowledged chunk reads back with an acceptable CRC; returns how many were checked. */
  java.util.function.Consumer<ChunkId> dump;

  int verify(ChunkClient chunks, String seedInfo) {
    int n = 0;
    for (Map.Entry<ChunkId, Integer> e : crcs.entrySet()) {
      Optional<ByteString> got = chunks.read(e.getKey(), 0, 0).join();
      if (got.isEmpty() && dump != null) {
        dump.accept(e.getKey());
      }
      assertTrue(got.isPresent(), "acknowledged chunk " + e.getKey().getIndex() + " missing " + seedInfo);
      int crc = Checksums.crc32c(got.get().toByteArray());
      Set<Integer> alt = uncertain.getOrDefault(e.getKey(), Set.of());
      if (crc != e.getValue() && !alt.contains(crc) && dump != null) {
        dump.accept(e.getKey());
      }
      if (crc != e.getValue()) {
        assertTrue(alt.contains(crc), "chunk " + e.getKey().getIndex() + " has crc " + crc + ", acknowledged "
            + e.getValue() + " " + seedInfo);
      } else {
        assertEquals((int) e.getValue(), crc);
      }
      n++;
    }
    return n;
  }
}
