package io.strata.s3.auth;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetaException;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaStatus;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Users and access keys in the metadata namespace {@value #NAMESPACE}: {@code user/NAME} and
 * {@code key/ACCESS_KEY_ID -> user \n secret}, and {@code userkey/NAME/ACCESS_KEY_ID} to list a user's keys. SigV4 is an HMAC, so the server must hold the
 * secret itself; it is stored as is (encrypting it under a cluster master key is future work).
 * Lookups are cached for {@link #CACHE_TTL_MILLIS} so a request costs no metadata read; a
 * deleted key therefore keeps working for at most that long.
 */
public final class IamStore {
  public static final String NAMESPACE = "iam";
  public static final long CACHE_TTL_MILLIS = 10_000;
  static final int CACHE_MAX_ENTRIES = 10_000;
  static final int MAX_KEYS_PER_USER = 10_000;
  private static final String KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  private final MetadataClient meta;
  private final SecureRandom random = new SecureRandom();
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(AccessKey key, long loadedAtMillis) {}

  public IamStore(MetadataClient meta) {
    this.meta = meta;
  }

  /** Creates a user with a fresh random access key (the launcher's call). */
  public AccessKey createUser(String userName) {
    return createUser(userName, "AK" + randomString(KEY_ALPHABET, 18), randomString(SECRET_ALPHABET, 40));
  }

  /** Creates a user with the given key pair; idempotent when exactly that pair already exists. */
  public AccessKey createUser(String userName, String accessKeyId, String secretKey) {
    if (!userName.matches("[A-Za-z0-9+=,.@_-]{1,64}") || !accessKeyId.matches("[A-Z0-9]{16,128}")
        || secretKey.length() < 16 || secretKey.contains("\n")) {
      throw new IllegalArgumentException("bad user name, access key id (16-128 of A-Z0-9) or secret (>= 16 chars)");
    }
    AccessKey k = new AccessKey(userName, accessKeyId, secretKey);
    Optional<AccessKey> existing = lookupUncached(accessKeyId);
    if (existing.isPresent()) {
      if (existing.get().equals(k)) {
        return k;
      }
      throw new IllegalStateException("access key " + accessKeyId + " already exists");
    }
    try {
      meta.txn(KvTxn.newBuilder()
          .addConditions(KvCondition.newBuilder().setNamespace(NAMESPACE).setKey(utf8("key/" + accessKeyId))
              .setKind(KvConditionKind.KV_MUST_NOT_EXIST))
          .addWrites(KvWrite.newBuilder().setNamespace(NAMESPACE).setKey(utf8("user/" + userName))
              .setValue(utf8(Long.toString(System.currentTimeMillis()))))
          .addWrites(KvWrite.newBuilder().setNamespace(NAMESPACE).setKey(utf8("key/" + accessKeyId))
              .setValue(utf8(userName + "\n" + secretKey)))
          .addWrites(KvWrite.newBuilder().setNamespace(NAMESPACE).setKey(utf8("userkey/" + userName + "/" + accessKeyId))
              .setValue(ByteString.EMPTY))
          .build());
    } catch (MetaException e) {
      if (e.status() == MetaStatus.META_CONDITION_FAILED) {
        throw new IllegalStateException("access key " + accessKeyId + " already exists", e);
      }
      throw e;
    }
    return k;
  }

  /** A further access key for an existing user. */
  public AccessKey createKey(String userName) {
    if (meta.get(NAMESPACE, ("user/" + userName).getBytes(StandardCharsets.UTF_8)).isEmpty()) {
      throw new IllegalArgumentException("no user " + userName);
    }
    String id = "AK" + randomString(KEY_ALPHABET, 18);
    String secret = randomString(SECRET_ALPHABET, 40);
    meta.txn(KvTxn.newBuilder()
        .addConditions(KvCondition.newBuilder().setNamespace(NAMESPACE).setKey(utf8("user/" + userName))
            .setKind(KvConditionKind.KV_MUST_EXIST))
        .addConditions(KvCondition.newBuilder().setNamespace(NAMESPACE).setKey(utf8("key/" + id))
            .setKind(KvConditionKind.KV_MUST_NOT_EXIST))
        .addWrites(KvWrite.newBuilder().setNamespace(NAMESPACE).setKey(utf8("key/" + id)).setValue(utf8(userName + "\n" + secret)))
        .addWrites(KvWrite.newBuilder().setNamespace(NAMESPACE).setKey(utf8("userkey/" + userName + "/" + id))
            .setValue(ByteString.EMPTY))
        .build());
    return new AccessKey(userName, id, secret);
  }

  /** The access key ids of a user (never the secrets). */
  public java.util.List<String> listKeys(String userName) {
    java.util.List<String> out = new java.util.ArrayList<>();
    byte[] prefix = ("userkey/" + userName + "/").getBytes(StandardCharsets.UTF_8);
    byte[] after = new byte[0];
    while (out.size() < MAX_KEYS_PER_USER) {
      var page = meta.scan(NAMESPACE, prefix, after, 1000);
      for (KvEntry e : page.getEntriesList()) {
        out.add(e.getKey().toStringUtf8().substring(prefix.length));
        after = e.getKey().toByteArray();
      }
      if (!page.getTruncated()) {
        break;
      }
    }
    return out;
  }

  /** Deletes one of a user's keys; it stops working on this gateway at once, on others within the cache TTL. */
  public boolean deleteKey(String userName, String accessKeyId) {
    Optional<AccessKey> k = lookupUncached(accessKeyId);
    if (k.isEmpty() || !k.get().userName().equals(userName)) {
      return false;
    }
    meta.txn(KvTxn.newBuilder()
        .addWrites(KvWrite.newBuilder().setNamespace(NAMESPACE).setKey(utf8("key/" + accessKeyId)).setDelete(true))
        .addWrites(KvWrite.newBuilder().setNamespace(NAMESPACE).setKey(utf8("userkey/" + userName + "/" + accessKeyId))
            .setDelete(true))
        .build());
    cache.remove(accessKeyId);
    return true;
  }

  /** The key pair for an access key id, from the cache when fresh enough. */
  public Optional<AccessKey> lookup(String accessKeyId) {
    Cached c = cache.get(accessKeyId);
    long now = System.currentTimeMillis();
    if (c != null && now - c.loadedAtMillis() < CACHE_TTL_MILLIS) {
      return Optional.of(c.key());
    }
    Optional<AccessKey> k = lookupUncached(accessKeyId);
    if (k.isPresent()) {
      if (cache.size() >= CACHE_MAX_ENTRIES) {
        cache.clear();  // crude bound; the cache refills from metadata
      }
      cache.put(accessKeyId, new Cached(k.get(), now));
    } else {
      cache.remove(accessKeyId);
    }
    return k;
  }

  private Optional<AccessKey> lookupUncached(String accessKeyId) {
    if (accessKeyId.isEmpty() || accessKeyId.length() > 128) {
      return Optional.empty();
    }
    Optional<KvEntry> e = meta.get(NAMESPACE, ("key/" + accessKeyId).getBytes(StandardCharsets.UTF_8));
    return e.map(entry -> {
      String v = entry.getValue().toStringUtf8();
      int nl = v.indexOf('\n');
      return new AccessKey(v.substring(0, nl), accessKeyId, v.substring(nl + 1));
    });
  }

  private String randomString(String alphabet, int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
