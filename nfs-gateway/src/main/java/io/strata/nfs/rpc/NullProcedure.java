package io.strata.nfs.rpc;

/** A procedure with no arguments and no results (the NULL procedure of every program). */
public final class NullProcedure implements RpcProcedure<Object> {
  public static final NullProcedure INSTANCE = new NullProcedure();
  private static final Object NONE = new Object();

  @Override
  public Object decode(XdrReader in) {
    return NONE;
  }

  @Override
  public void execute(Object args, CallContext ctx, XdrWriter out) {}
}
