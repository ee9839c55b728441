package io.strata.nfs.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.nfs.GatewayFixture;
import io.strata.nfs.NfsConfig;
import io.strata.nfs.NfsGateway;
import io.strata.nfs.client.RpcClient;
import io.strata.nfs.client.XdrIn;
import io.strata.nfs.client.XdrOut;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The gateway's portmapper on its own port and on the NFS and MOUNT ports: GETPORT and DUMP name the real ports. */
class PortmapperTest extends GatewayFixture {
  static int getport(int port, int program, int version) {
    try (RpcClient c = new RpcClient(port)) {
      return c.call(100000, 2, 3, new XdrOut().u32(program).u32(version).u32(6).u32(0).bytes()).body().i32();
    }
  }

  @Test
  void everyPortAnswersWhereNfsAndMountAre() {
    for (int port : new int[] {gateway.nfsPort(), gateway.mountPort()}) {
      assertEquals(gateway.nfsPort(), getport(port, 100003, 3));
      assertEquals(gateway.mountPort(), getport(port, 100005, 3));
      assertEquals(0, getport(port, 100003, 2), "NFSv2 is not offered");
    }
  }

  @Test
  void aPortmapperOfItsOwn() throws Exception {
    try (NfsGateway g = new NfsGateway(cluster.client(), cluster.poolId(), NfsConfig.ephemeral().withPorts(0, 0, 0)).start()) {
      assertTrue(g.portmapPort() > 0);
      assertEquals(g.nfsPort(), getport(g.portmapPort(), 100003, 3));
      assertEquals(g.mountPort(), getport(g.portmapPort(), 100005, 3));
      try (RpcClient c = new RpcClient(g.portmapPort())) {
        XdrIn dump = c.call(100000, 2, 4, new byte[0]).body();
        Set<Integer> programs = new HashSet<>();
        while (dump.bool()) {
          programs.add(dump.i32());
          dump.i32();
          dump.i32();
          dump.i32();
        }
        assertEquals(Set.of(100000, 100003, 100005), programs);
      }
    }
  }
}
