package io.strata.nfs.protocol;

import static io.strata.nfs.client.NfsClient.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.nfs.GatewayFixture;
import io.strata.nfs.client.NfsClient;
import io.strata.nfs.client.RpcClient;
import io.strata.nfs.client.XdrOut;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against the running gateway: garbage arguments for every procedure of every
 * program, truncated records, connections dropped mid-record, huge length fields. Every reply is
 * a protocol answer, and a sentinel file written first is unchanged at the end.
 */
class MalformedRequestsTest extends GatewayFixture {

  @Test
  void garbageArgumentsForEveryProcedure() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    byte[] sentinelData = "sentinel contents".getBytes(StandardCharsets.UTF_8);
    try (NfsClient c = client()) {
      byte[] root = c.mount("/t");
      byte[] dir = c.fh(c.mkdir(root, "fuzz", 0777));
      byte[] sentinel = c.fh(c.create(dir, "sentinel", 0444));
      c.write(sentinel, 0, sentinelData, FILE_SYNC);
      int[][] programs = {{NFS, 3, 22}, {MOUNT, 3, 6}, {100000, 2, 5}};  // portmap CALLIT (5) is not offered
      int replies = 0;
      for (int round = 0; round < 40; round++) {
        for (int[] p : programs) {
          for (int proc = 1; proc < p[2]; proc++) {
            byte[] args = new byte[r.nextInt(200)];
            r.nextBytes(args);
            if (p[0] == NFS && r.nextBoolean()) {
              args = new XdrOut().opaque(round % 2 == 0 ? dir : sentinel).raw(args).bytes();
            }
            RpcClient.Reply reply = c.call(p[0], p[1], proc, args);
            assertTrue(reply.accepted(), "seed " + seed);
            assertTrue(reply.acceptStat() == 0 || reply.acceptStat() == 4, "seed " + seed + ": SUCCESS or GARBAGE_ARGS, not "
                + reply.acceptStat() + " for " + p[0] + "/" + proc);
            replies++;
          }
        }
      }
      assertEquals(40 * (21 + 5 + 4), replies);
      assertArrayEquals(sentinelData, c.read(sentinel, 0, 100).data(), "seed " + seed);
      assertEquals(OK, c.getattrStatus(root));
    }
  }

  @Test
  void truncatedArgumentsAreGarbage() {
    try (NfsClient c = client()) {
      byte[] root = c.mount("/t");
      assertEquals(4, c.call(NFS, 3, 1, new byte[] {0, 0, 0}).acceptStat(), "GETATTR with half a length");
      assertEquals(4, c.call(NFS, 3, 1, new XdrOut().u32(65).raw(new byte[68]).bytes()).acceptStat(), "handle over 64 bytes");
      byte[] hugeWrite = new XdrOut().opaque(root).u64(0).u32(2 << 20).u32(0).u32(2 << 20).bytes();
      assertEquals(4, c.call(NFS, 3, 7, hugeWrite).acceptStat(), "WRITE claiming 2 MiB of data it does not carry");
      assertEquals(4, c.call(NFS, 3, 3, new XdrOut().opaque(root).u32(0x7fffffff).bytes()).acceptStat(), "a 2 GiB name");
      assertEquals(4, c.call(NFS, 3, 8, new XdrOut().opaque(root).string("x").u32(7).bytes()).acceptStat(), "createmode 7");
      assertEquals(4, c.call(MOUNT, 3, 1, new XdrOut().u32(0x7fffffff).bytes()).acceptStat(), "a 2 GiB mount path");
      assertEquals(OK, c.getattrStatus(root), "the connection still works");
    }
  }

  @Test
  void brokenConnectionsDoNotDisturbOthers() {
    try (NfsClient good = client()) {
      byte[] root = good.mount("/t");
      for (int i = 0; i < 20; i++) {
        try (RpcClient bad = new RpcClient(gateway.nfsPort())) {
          switch (i % 4) {
            case 0 -> bad.sendBytes(new byte[] {(byte) 0x80, 0, 1, 0, 1, 2, 3});  // record cut short, then close
            case 1 -> bad.sendFragment(new byte[100], false);                    // a record never finished
            case 2 -> bad.sendBytes(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});  // 2 GiB record
            default -> bad.sendRecord(new byte[] {1, 2});                         // no call header at all
          }
        }
        assertEquals(OK, good.getattrStatus(root));
      }
    }
  }
}
