package io.strata.metadata.state;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * Snapshots are RocksDB checkpoints, one directory {@code snap.TERM_INDEX} each, inside the Raft
 * storage's state-machine directory so that Ratis can ship their files to a lagging follower
 * (install-snapshot replaces that whole directory on the follower). The live database lives
 * elsewhere, and is rebuilt from the newest snapshot when it is older than it.
 */
final class SnapshotStore implements StateMachineStorage {
  private static final Pattern NAME = Pattern.compile("snap\\.(\\d+)_(\\d+)");
  private static final int KEEP = 2;

  private volatile File smDir;
  private volatile SnapshotInfo latest;

  @Override
  public void init(RaftStorage raftStorage) {
    this.smDir = raftStorage.getStorageDir().getStateMachineDir();
    refresh();
  }

  File smDir() {
    return smDir;
  }

  Path pathFor(long term, long index) {
    return smDir.toPath().resolve("snap." + term + "_" + index);
  }

  /** Re-reads the directory: after we wrote a snapshot or Ratis installed one. */
  void refresh() {
    latest = findLatest();
  }

  private SnapshotInfo findLatest() {
    File[] dirs = smDir.listFiles(File::isDirectory);
    if (dirs == null) {
      return null;
    }
    Path best = null;
    long bestTerm = 0;
    long bestIndex = -1;
    for (File d : dirs) {
      Matcher m = NAME.matcher(d.getName());
      if (m.matches() && Long.parseLong(m.group(2)) > bestIndex) {
        bestTerm = Long.parseLong(m.group(1));
        bestIndex = Long.parseLong(m.group(2));
        best = d.toPath();
      }
    }
    if (best == null) {
      return null;
    }
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(best)) {
      s.filter(p -> !p.getFileName().toString().endsWith(".md5")).sorted()
          .forEach(p -> files.add(new FileInfo(p, null)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new FileListSnapshotInfo(files, TermIndex.valueOf(bestTerm, bestIndex));
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return latest;
  }

  Path latestDir() {
    SnapshotInfo s = latest;
    return s == null ? null : pathFor(s.getTerm(), s.getIndex());
  }

  @Override
  public void format() {}

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {
    removeOld();
  }

  void removeOld() {
    File[] dirs = smDir.listFiles(f -> f.isDirectory() && NAME.matcher(f.getName()).matches());
    if (dirs == null || dirs.length <= KEEP) {
      return;
    }
    List<File> sorted = new ArrayList<>(List.of(dirs));
    sorted.sort(Comparator.comparingLong(f -> {
      Matcher m = NAME.matcher(f.getName());
      return m.matches() ? Long.parseLong(m.group(2)) : 0;
    }));
    for (File f : sorted.subList(0, sorted.size() - KEEP)) {
      deleteTree(f.toPath());
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a snapshot's files into a fresh directory (hard links when on one filesystem). */
  static void restore(Path snapshot, Path target) throws IOException {
    deleteTree(target);
    Files.createDirectories(target);
    try (Stream<Path> s = Files.list(snapshot)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith(".md5")) {
          continue;
        }
        try {
          Files.createLink(target.resolve(name), p);
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(p, target.resolve(name));
        }
      }
    }
  }
}
