package io.strata.nfs.protocol;

import static io.strata.nfs.client.NfsClient.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.nfs.GatewayFixture;
import io.strata.nfs.client.NfsClient;
import io.strata.nfs.client.XdrOut;
import org.junit.jupiter.api.Test;

/** The duplicate request cache: a retransmitted CREATE or REMOVE (same xid, new connection) gets the first answer. */
class RetransmissionTest extends GatewayFixture {

  static byte[] createArgs(byte[] dir, String name) {
    return new XdrOut().opaque(dir).string(name).u32(1).bool(true).u32(0644).bool(false).bool(false).bool(false)
        .u32(0).u32(0).bytes();
  }

  @Test
  void retransmissionsOfNonIdempotentCallsAreAnsweredFromTheCache() {
    byte[] dir;
    try (NfsClient c = client()) {
      dir = freshDir(c, "retrans");
    }
    int xid = 0x5eed0001;
    byte[] args = createArgs(dir, "once");
    try (NfsClient first = client(); NfsClient again = client()) {
      assertEquals(OK, first.call(xid, NFS, 3, 8, args).body().i32());
      assertEquals(OK, again.call(xid, NFS, 3, 8, args).body().i32(), "the same call again: the same answer");
      assertEquals(EXIST, again.call(xid + 1, NFS, 3, 8, args).body().i32(), "a new call is executed");
      byte[] remove = new XdrOut().opaque(dir).string("once").bytes();
      assertEquals(OK, first.call(xid + 2, NFS, 3, 12, remove).body().i32());
      assertEquals(OK, again.call(xid + 2, NFS, 3, 12, remove).body().i32());
      assertEquals(NOENT, again.call(xid + 3, NFS, 3, 12, remove).body().i32());
      assertEquals(OK, first.call(xid, NFS, 3, 8, createArgs(dir, "other")).body().i32(),
          "same xid, different arguments: a different call");
    }
  }
}
