package io.strata.nfs.rpc;

/** An RPC program served on a port: its number, the versions it speaks, its procedures. */
public interface RpcProgram {
  int program();

  int lowVersion();

  int highVersion();

  /** The procedure, or null when the version has no such procedure (PROC_UNAVAIL). */
  RpcProcedure<?> procedure(int version, int procedure);
}
