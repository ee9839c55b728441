package io.strata.nfs.rpc;

import java.net.InetAddress;

/** What a procedure knows about its caller: the RPC credentials and the client's address. */
public record CallContext(Credentials credentials, InetAddress client, int clientPort) {}
