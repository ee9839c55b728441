package io.strata.datanode.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.strata.proto.ChunkId;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkKeysTest {
  @Test
  void roundTrips() {
    ChunkId id = ChunkId.newBuilder().setPool(3).setPg(17).setObjectId(ByteString.copyFromUtf8("vol/9")).setIndex(42).build();
    assertEquals(id, ChunkKeys.decode(ChunkKeys.encode(id)));
  }

  @Test
  void randomBytesNeverDecodeSilentlyWrong() {
    long seed = 99;
    Random r = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      byte[] junk = new byte[r.nextInt(40)];
      r.nextBytes(junk);
      try {
        ChunkId id = ChunkKeys.decode(junk);
        assertEquals(junk.length, ChunkKeys.encode(id).length, "seed " + seed);
      } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
        // rejected: fine
      }
    }
  }

  @Test
  void rejectsOversizedObjectIds() {
    ChunkId id = ChunkId.newBuilder().setObjectId(ByteString.copyFrom(new byte[ChunkKeys.MAX_OBJECT_ID_BYTES + 1])).build();
    assertThrows(IllegalArgumentException.class, () -> ChunkKeys.encode(id));
  }
}
