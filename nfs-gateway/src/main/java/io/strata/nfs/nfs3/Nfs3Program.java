package io.strata.nfs.nfs3;

import io.strata.nfs.rpc.NullProcedure;
import io.strata.nfs.rpc.RpcProcedure;
import io.strata.nfs.rpc.RpcProgram;
import io.strata.nfs.share.Exports;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/** NFS version 3 (program 100003), every procedure of RFC 1813. */
public final class Nfs3Program implements RpcProgram {
  public static final int PROGRAM = 100003;
  public static final int VERSION = 3;

  private final Nfs3Procedure<?>[] procedures = new Nfs3Procedure<?>[22];
  private final byte[] writeVerifier;

  public Nfs3Program(Exports exports) {
    this.writeVerifier = ByteBuffer.allocate(8).putLong(System.nanoTime() ^ new SecureRandom().nextLong()).array();
    AttrProcedures.register(procedures, exports);
    LookupProcedures.register(procedures, exports);
    DataProcedures.register(procedures, exports, writeVerifier);
    CreateProcedures.register(procedures, exports);
    RemoveProcedures.register(procedures, exports);
    DirProcedures.register(procedures, exports);
  }

  /** Changes on every gateway start: UNSTABLE writes acknowledged before it must be sent again. */
  public byte[] writeVerifier() {
    return writeVerifier.clone();
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
    if (procedure == 0) {
      return NullProcedure.INSTANCE;
    }
    return procedure > 0 && procedure < procedures.length ? procedures[procedure] : null;
  }
}
