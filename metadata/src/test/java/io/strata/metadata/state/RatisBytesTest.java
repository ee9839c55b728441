package io.strata.metadata.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaCommand;
import io.strata.proto.MetaLogEntry;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RatisBytesTest {
  private static MetaLogEntry entry() {
    byte[] value = new byte[5000];
    new Random(7).nextBytes(value);
    KvTxn t = KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace("s3.objects")
        .setKey(ByteString.copyFromUtf8("bench/a")).setValue(ByteString.copyFrom(value))).build();
    return MetaLogEntry.newBuilder().setLeaderTimeMillis(42).addCommands(MetaCommand.newBuilder().setKvTxn(t))
        .addCommands(MetaCommand.newBuilder().setKvTxn(t)).build();
  }

  /** A slice of a larger array, as Ratis hands over an entry's bytes. */
  @Test
  void parsesAFlatByteStringInPlace() throws Exception {
    byte[] encoded = entry().toByteArray();
    byte[] framed = new byte[encoded.length + 20];
    System.arraycopy(encoded, 0, framed, 10, encoded.length);
    var data = org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(framed, 10, encoded.length);
    assertEquals(entry(), MetaLogEntry.parseFrom(RatisBytes.input(data)));
    var slice = org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(framed, 10, encoded.length);
    assertEquals(entry(), MetaLogEntry.parseFrom(RatisBytes.input(slice)));
  }

  /** A byte string of several pieces is parsed from a copy. */
  @Test
  void parsesARope() throws Exception {
    byte[] encoded = entry().toByteArray();
    var rope = org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(encoded, 0, 3000)
        .concat(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(encoded, 3000, encoded.length - 3000));
    assertEquals(entry(), MetaLogEntry.parseFrom(RatisBytes.input(rope)));
  }

  @Test
  void parsesAnEmptyEntry() throws Exception {
    assertEquals(MetaLogEntry.getDefaultInstance(),
        MetaLogEntry.parseFrom(RatisBytes.input(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.EMPTY)));
  }
}
