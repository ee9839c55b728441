package io.strata.nfs.share;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetaException;
import io.strata.metadata.client.MetadataClient;
import io.strata.nfs.fs.FileSystem;
import io.strata.nfs.fs.FileType;
import io.strata.nfs.fs.FsKeys;
import io.strata.nfs.fs.Inode;
import io.strata.nfs.fs.InodeCodec;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Creating, listing and deleting shares (what {@code strata share ...} calls). A share is one
 * record plus its root directory, created in one transaction; deleting removes the record and
 * queues the file system's keys and blocks for {@link ShareCleaner}.
 */
public final class ShareService {
  static final String FSID_COUNTER = "nfs.fsid";
  static final String INODE_COUNTER = "nfs.inode";
  static final int ROOT_MODE = 0777;
  static final int LIST_LIMIT = 10_000;

  private final MetadataClient meta;

  public ShareService(MetadataClient meta) {
    this.meta = meta;
  }

  static byte[] key(String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + n.length).put((byte) 's').put(n).array();
  }

  static byte[] deletionKey(long fsid) {
    return ByteBuffer.allocate(9).put((byte) 'x').putLong(fsid).array();
  }

  public Share create(String name, long sizeBytes, List<String> clients, boolean readOnly, boolean rootSquash) {
    Share.checkName(name);
    if (sizeBytes <= 0) {
      throw new IllegalArgumentException("share size must be positive");
    }
    List<ClientRule> rules = new ArrayList<>();
    for (String c : clients) {
      rules.add(ClientRule.parse(c));
    }
    if (rules.isEmpty()) {
      throw new IllegalArgumentException("a share needs at least one client rule (e.g. 127.0.0.0/8)");
    }
    if (get(name).isPresent()) {
      throw new IllegalStateException("share " + name + " exists");
    }
    long fsid = meta.allocateIds(FSID_COUNTER, 1);
    long root = meta.allocateIds(INODE_COUNTER, 1);
    long now = System.currentTimeMillis() * 1_000_000L;
    Inode rootDir = Inode.builder(root, FileType.DIR).generation(ThreadLocalRandom.current().nextInt() | 1)
        .mode(ROOT_MODE).uid(0).gid(0).nlink(2).times(now).parent(root).nextCookie(FileSystem.FIRST_COOKIE)
        .size(FileSystem.DIR_SIZE_BYTES).build();
    Share s = new Share(name, fsid, root, sizeBytes, List.copyOf(rules), readOnly, rootSquash, System.currentTimeMillis());
    KvTxn t = KvTxn.newBuilder()
        .addConditions(absent(key(name)))
        .addWrites(put(key(name), ShareCodec.encode(s)))
        .addWrites(put(FsKeys.inode(fsid, root), InodeCodec.encode(rootDir)))
        .build();
    try {
      meta.txn(t);
    } catch (MetaException e) {
      if (e.status() == MetaStatus.META_CONDITION_FAILED) {
        throw new IllegalStateException("share " + name + " exists");
      }
      throw e;
    }
    return s;
  }

  public Optional<Share> get(String name) {
    return meta.get(FsKeys.NAMESPACE, key(name)).map(e -> ShareCodec.decode(e.getValue().toByteArray()));
  }

  public List<Share> list() {
    List<Share> out = new ArrayList<>();
    for (KvEntry e : meta.scan(FsKeys.NAMESPACE, new byte[] {'s'}, new byte[0], LIST_LIMIT).getEntriesList()) {
      out.add(ShareCodec.decode(e.getValue().toByteArray()));
    }
    return out;
  }

  /** Removes the share; its data is deleted in the background by the gateway's cleaner. */
  public Share delete(String name) {
    KvEntry e = meta.get(FsKeys.NAMESPACE, key(name))
        .orElseThrow(() -> new IllegalArgumentException("no share " + name));
    Share s = ShareCodec.decode(e.getValue().toByteArray());
    KvTxn t = KvTxn.newBuilder()
        .addConditions(KvCondition.newBuilder().setNamespace(FsKeys.NAMESPACE).setKey(ByteString.copyFrom(key(name)))
            .setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(e.getVersion()))
        .addWrites(KvWrite.newBuilder().setNamespace(FsKeys.NAMESPACE).setKey(ByteString.copyFrom(key(name))).setDelete(true))
        .addWrites(put(deletionKey(s.fsid()), new byte[0]))
        .build();
    meta.txn(t);
    return s;
  }

  /** File systems of deleted shares whose data is still to be removed. */
  List<Long> pendingDeletions() {
    List<Long> out = new ArrayList<>();
    for (KvEntry e : meta.scan(FsKeys.NAMESPACE, new byte[] {'x'}, new byte[0], 100).getEntriesList()) {
      out.add(ByteBuffer.wrap(e.getKey().toByteArray(), 1, 8).getLong());
    }
    return out;
  }

  void deletionDone(long fsid) {
    meta.txn(KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace(FsKeys.NAMESPACE)
        .setKey(ByteString.copyFrom(deletionKey(fsid))).setDelete(true)).build());
  }

  MetadataClient metadata() {
    return meta;
  }

  private static KvCondition absent(byte[] key) {
    return KvCondition.newBuilder().setNamespace(FsKeys.NAMESPACE).setKey(ByteString.copyFrom(key))
        .setKind(KvConditionKind.KV_MUST_NOT_EXIST).build();
  }

  private static KvWrite put(byte[] key, byte[] value) {
    return KvWrite.newBuilder().setNamespace(FsKeys.NAMESPACE).setKey(ByteString.copyFrom(key))
        .setValue(ByteString.copyFrom(value)).build();
  }
}
