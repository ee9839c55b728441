package io.strata.nfs.portmap;

import io.strata.nfs.rpc.CallContext;
import io.strata.nfs.rpc.RpcProcedure;
import io.strata.nfs.rpc.RpcProgram;
import io.strata.nfs.rpc.NullProcedure;
import io.strata.nfs.rpc.XdrReader;
import io.strata.nfs.rpc.XdrWriter;
import java.util.List;
import java.util.function.Supplier;

/**
 * Portmapper v2 (RFC 1833 section 3) for the programs this gateway serves: GETPORT and DUMP
 * answer from a fixed table; SET and UNSET are refused (this is not a system-wide rpcbind);
 * CALLIT is not offered.
 */
public final class PortmapProgram implements RpcProgram {
  public static final int PROGRAM = 100000;
  public static final int VERSION = 2;
  public static final int IPPROTO_TCP = 6;
  public static final int IPPROTO_UDP = 17;

  /** One registration: program, version, protocol, port. */
  public record Mapping(int program, int version, int protocol, int port) {}

  private final Supplier<List<Mapping>> table;

  /** {@code table} is read per call: the ports are known only once every listener is bound. */
  public PortmapProgram(Supplier<List<Mapping>> table) {
    this.table = table;
  }

  @Override
  public int program() {
    return PROGRAM;
  }

  @Override
  public int lowVersion() {
    return VERSION;
  }

  @Override
  public int highVersion() {
    return VERSION;
  }

  @Override
  public RpcProcedure<?> procedure(int version, int procedure) {
    return switch (procedure) {
      case 0 -> NullProcedure.INSTANCE;
      case 1, 2 -> refuse;
      case 3 -> getPort;
      case 4 -> dump;
      default -> null;
    };
  }

  public int lookup(int program, int version, int protocol) {
    for (Mapping m : table.get()) {
      if (m.program() == program && m.version() == version && m.protocol() == protocol) {
        return m.port();
      }
    }
    return 0;
  }

  private static Mapping readMapping(XdrReader in) {
    return new Mapping(in.readInt(), in.readInt(), in.readInt(), in.readInt());
  }

  private final RpcProcedure<Mapping> refuse = new RpcProcedure<>() {
    @Override
    public Mapping decode(XdrReader in) {
      return readMapping(in);
    }

    @Override
    public void execute(Mapping m, CallContext ctx, XdrWriter out) {
      out.writeBool(false);
    }
  };

  private final RpcProcedure<Mapping> getPort = new RpcProcedure<>() {
    @Override
    public Mapping decode(XdrReader in) {
      return readMapping(in);
    }

    @Override
    public void execute(Mapping m, CallContext ctx, XdrWriter out) {
      out.writeInt(lookup(m.program(), m.version(), m.protocol()));
    }
  };

  private final RpcProcedure<Object> dump = new RpcProcedure<>() {
    @Override
    public Object decode(XdrReader in) {
      return this;
    }

    @Override
    public void execute(Object args, CallContext ctx, XdrWriter out) {
      for (Mapping m : table.get()) {
        out.writeBool(true).writeInt(m.program()).writeInt(m.version()).writeInt(m.protocol()).writeInt(m.port());
      }
      out.writeBool(false);
    }
  };
}
