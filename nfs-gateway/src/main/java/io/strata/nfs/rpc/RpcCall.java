package io.strata.nfs.rpc;

import io.netty.buffer.ByteBuf;

/** A decoded RPC call header; {@code args} is a view of the record positioned at the arguments. */
public record RpcCall(int xid, int program, int version, int procedure, Credentials credentials, ByteBuf args) {}
