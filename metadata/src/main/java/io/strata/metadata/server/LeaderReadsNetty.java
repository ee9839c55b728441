package io.strata.metadata.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.client.ClientFactory;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyFactory;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexReplyProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.ServerFactory;
import org.apache.ratis.server.protocol.RaftServerAsynchronousProtocol;

/**
 * Ratis' Netty transport with linearizable reads served by the leader only.
 *
 * <p>Why it exists: with {@code Read.Option.LINEARIZABLE} a follower that receives a read asks the
 * leader for a read index through the server's asynchronous protocol, which Ratis' Netty
 * transport does not implement. The follower then threw {@code UnsupportedOperationException}
 * on its event loop and never answered; the client waited out its request timeout and tried
 * again (seen as a 15 s stall in MalformedInputIT). Here a follower answers such a read with
 * {@link NotLeaderException} naming the leader it knows, so the client goes there at once, as it
 * does for writes. Every other call is Netty's own.
 *
 * <p>Ratis finds this class by name: {@link RatisSettings} sets {@code raft.rpc.type} to it.
 */
public final class LeaderReadsNetty implements RpcType {
  @Override
  public String name() {
    return LeaderReadsNetty.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new Factory(parameters);
  }

  /** Netty's client and server, with the server wrapped. */
  static final class Factory implements ServerFactory, ClientFactory {
    private final NettyFactory netty;

    Factory(Parameters parameters) {
      this.netty = new NettyFactory(parameters);
    }

    @Override
    public RpcType getRpcType() {
      return netty.getRpcType();
    }

    @Override
    public RaftServerRpc newRaftServerRpc(RaftServer server) {
      return new LeaderReadsRpc(netty.newRaftServerRpc(server), server);
    }

    @Override
    public RaftClientRpc newRaftClientRpc(ClientId clientId, RaftProperties properties) {
      return netty.newRaftClientRpc(clientId, properties);
    }
  }

  /** Delegates to Netty's server, and refuses follower read-index requests with NotLeader. */
  static final class LeaderReadsRpc implements RaftServerRpc, RaftServerAsynchronousProtocol {
    private final RaftServerRpc netty;
    private final RaftServer server;

    LeaderReadsRpc(RaftServerRpc netty, RaftServer server) {
      this.netty = netty;
      this.server = server;
    }

    @Override
    public RaftServerAsynchronousProtocol async() {
      return this;
    }

    @Override
    public CompletableFuture<ReadIndexReplyProto> readIndexAsync(ReadIndexRequestProto request) throws IOException {
      RaftGroupId group = RaftGroupId.valueOf(request.getServerRequest().getRaftGroupId().getId());
      RaftServer.Division d = server.getDivision(group);
      RaftPeerId leaderId = d.getInfo().getLeaderId();
      RaftPeer leader = leaderId == null ? null : d.getRaftConf().getPeer(leaderId);
      return CompletableFuture.failedFuture(new NotLeaderException(d.getMemberId(), leader, d.getRaftConf().getCurrentPeers()));
    }

    @Override
    public CompletableFuture<AppendEntriesReplyProto> appendEntriesAsync(AppendEntriesRequestProto request) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("Netty appends entries synchronously"));
    }

    @Override
    public RequestVoteReplyProto requestVote(RequestVoteRequestProto request) throws IOException {
      return netty.requestVote(request);
    }

    @Override
    public AppendEntriesReplyProto appendEntries(AppendEntriesRequestProto request) throws IOException {
      return netty.appendEntries(request);
    }

    @Override
    public InstallSnapshotReplyProto installSnapshot(InstallSnapshotRequestProto request) throws IOException {
      return netty.installSnapshot(request);
    }

    @Override
    public StartLeaderElectionReplyProto startLeaderElection(StartLeaderElectionRequestProto request)
        throws IOException {
      return netty.startLeaderElection(request);
    }

    @Override
    public void start() throws IOException {
      netty.start();
    }

    @Override
    public InetSocketAddress getInetSocketAddress() {
      return netty.getInetSocketAddress();
    }

    @Override
    public InetSocketAddress getClientServerAddress() {
      return netty.getClientServerAddress();
    }

    @Override
    public InetSocketAddress getAdminServerAddress() {
      return netty.getAdminServerAddress();
    }

    @Override
    public RpcType getRpcType() {
      return netty.getRpcType();
    }

    @Override
    public void addRaftPeers(Collection<RaftPeer> peers) {
      netty.addRaftPeers(peers);
    }

    @Override
    public void handleException(RaftPeerId serverId, Exception e, boolean reconnect) {
      netty.handleException(serverId, e, reconnect);
    }

    @Override
    public void notifyNotLeader(RaftGroupId groupId) {
      netty.notifyNotLeader(groupId);
    }

    @Override
    public void close() throws IOException {
      netty.close();
    }
  }
}
