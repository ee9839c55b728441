package io.strata.nfs.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.strata.transport.EventLoops;
import io.strata.nfs.client.RpcClient;
import io.strata.nfs.client.XdrIn;
import io.strata.nfs.client.XdrOut;
import io.strata.nfs.portmap.PortmapProgram;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The RPC server over real sockets with a small echo program: every accept/reject status, limits, pipelining. */
class RpcServerTest {
  static final int ECHO = 400_000;
  static EventLoopGroup boss;
  static EventLoopGroup loops;
  static ExecutorService workers;
  static RpcServer server;

  /** Version 1..2; procedure 1 echoes an int (GARBAGE_ARGS without one), 2 echoes the caller's uid. */
  static final RpcProgram PROGRAM = new RpcProgram() {
    public int program() { return ECHO; }
    public int lowVersion() { return 1; }
    public int highVersion() { return 2; }
    public RpcProcedure<?> procedure(int version, int procedure) {
      return switch (procedure) {
        case 0 -> NullProcedure.INSTANCE;
        case 1 -> new RpcProcedure<Integer>() {
          public Integer decode(XdrReader in) { return in.readInt(); }
          public void execute(Integer a, CallContext ctx, XdrWriter out) { out.writeInt(a); }
        };
        case 2 -> new RpcProcedure<Object>() {
          public Object decode(XdrReader in) { return this; }
          public void execute(Object a, CallContext ctx, XdrWriter out) { out.writeInt(ctx.credentials().uid()); }
        };
        default -> null;
      };
    }
  };

  @BeforeAll
  static void start() throws Exception {
    boss = EventLoops.newGroup(1, "test-accept");
    loops = EventLoops.newGroup(2, "test-io");
    workers = Executors.newFixedThreadPool(4);
    PortmapProgram pm = new PortmapProgram(() -> List.of(new PortmapProgram.Mapping(100003, 3, 6, 2049)));
    server = new RpcServer("test", List.of(PROGRAM, pm), new RpcServer.Limits(64 * 1024, 8, 4, 1 << 20, 60))
        .start(boss, loops, workers, "127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    server.close();
    workers.shutdownNow();
    boss.shutdownGracefully();
    loops.shutdownGracefully();
  }

  @Test
  void acceptStatuses() {
    try (RpcClient c = new RpcClient(server.port()).as(1000, 1000)) {
      assertEquals(0, c.call(ECHO, 1, 0, new byte[0]).acceptStat());
      RpcClient.Reply echo = c.call(ECHO, 2, 1, new XdrOut().u32(42).bytes());
      assertEquals(42, echo.body().i32());
      assertEquals(1000, c.call(ECHO, 1, 2, new byte[0]).body().i32());
      assertEquals(Rpc.PROG_UNAVAIL, c.call(123, 1, 0, new byte[0]).acceptStat());
      RpcClient.Reply mismatch = c.call(ECHO, 9, 0, new byte[0]);
      assertEquals(Rpc.PROG_MISMATCH, mismatch.acceptStat());
      assertEquals(1, mismatch.low());
      assertEquals(2, mismatch.high());
      assertEquals(Rpc.PROC_UNAVAIL, c.call(ECHO, 1, 99, new byte[0]).acceptStat());
      assertEquals(Rpc.GARBAGE_ARGS, c.call(ECHO, 1, 1, new byte[2]).acceptStat());
    }
  }

  @Test
  void rejectionsAndTheConnectionStaysUsable() {
    try (RpcClient c = new RpcClient(server.port())) {
      int xid = c.nextXid();
      c.sendRecord(new XdrOut().u32(xid).u32(0).u32(3).u32(ECHO).u32(1).u32(0).u32(0).u32(0).u32(0).u32(0).bytes());
      RpcClient.Reply r = c.readReply(xid);
      assertFalse(r.accepted());
      assertEquals(Rpc.RPC_MISMATCH, r.rejectStat());
      assertEquals(2, r.low());
      xid = c.nextXid();
      c.sendRecord(new XdrOut().u32(xid).u32(0).u32(2).u32(ECHO).u32(1).u32(0).u32(6).u32(0).u32(0).u32(0).bytes());
      r = c.readReply(xid);
      assertEquals(Rpc.AUTH_ERROR, r.rejectStat());
      assertEquals(Rpc.AUTH_TOOWEAK, r.authStat());
      c.sendRecord(new byte[3]);  // no xid: dropped silently
      assertEquals(0, c.call(ECHO, 1, 0, new byte[0]).acceptStat());
    }
  }

  @Test
  void anOversizedRecordClosesOnlyThatConnection() {
    try (RpcClient bad = new RpcClient(server.port()); RpcClient good = new RpcClient(server.port())) {
      bad.sendBytes(new byte[] {(byte) 0x80, 0x10, 0, 0, 1, 2, 3});
      assertTrue(bad.closedByServer());
      assertEquals(0, good.call(ECHO, 1, 0, new byte[0]).acceptStat());
    }
  }

  @Test
  void pipelinedCallsPastTheInFlightLimitAreAllAnswered() {
    try (RpcClient c = new RpcClient(server.port())) {
      Set<Integer> sent = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        int xid = c.nextXid();
        sent.add(xid);
        c.sendRecord(new XdrOut().u32(xid).u32(0).u32(2).u32(ECHO).u32(1).u32(1).u32(0).u32(0).u32(0).u32(0).u32(i).bytes());
      }
      Set<Integer> got = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        got.add(c.readAnyReply().xid());
      }
      assertEquals(sent, got);
    }
  }

  @Test
  void portmapperAnswersGetportAndDump() {
    try (RpcClient c = new RpcClient(server.port())) {
      XdrIn port = c.call(PortmapProgram.PROGRAM, 2, 3, new XdrOut().u32(100003).u32(3).u32(6).u32(0).bytes()).body();
      assertEquals(2049, port.i32());
      assertEquals(0, c.call(PortmapProgram.PROGRAM, 2, 3, new XdrOut().u32(100003).u32(4).u32(6).u32(0).bytes()).body().i32());
      XdrIn dump = c.call(PortmapProgram.PROGRAM, 2, 4, new byte[0]).body();
      assertTrue(dump.bool());
      assertEquals(100003, dump.i32());
      assertFalse(c.call(PortmapProgram.PROGRAM, 2, 1, new XdrOut().u32(1).u32(1).u32(6).u32(1).bytes()).body().bool(),
          "SET is refused");
      assertEquals(Rpc.PROG_MISMATCH, c.call(PortmapProgram.PROGRAM, 4, 0, new byte[0]).acceptStat());
    }
  }

  @Test
  void connectionsPastTheLimitAreRefused() throws Exception {
    java.util.List<RpcClient> open = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        RpcClient c = new RpcClient(server.port());
        c.call(ECHO, 1, 0, new byte[0]);
        open.add(c);
      }
      RpcClient extra = new RpcClient(server.port());
      open.add(extra);
      assertTrue(extra.closedByServer());
    } finally {
      open.forEach(RpcClient::close);
    }
  }
}
