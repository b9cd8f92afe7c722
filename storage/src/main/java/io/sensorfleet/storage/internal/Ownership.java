package io.sensorfleet.storage.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Moves a directory tree from one container's uid range to another's. An Instrument whose container is created
 * anew (an upgrade, a reinstall) gets a new isolated range from LXD; its files, created under the old range,
 * would otherwise show up as {@code nobody} inside. Ids outside the old range are left alone.
 */
public final class Ownership {

  private Ownership() {}

  /** {@code id} moved from the range starting at {@code fromBase} to the one at {@code toBase}; others unchanged. */
  public static long shift(long id, long fromBase, long toBase, long range) {
    return id >= fromBase && id < fromBase + range ? id - fromBase + toBase : id;
  }

  /** Shifts the owner and group of every file under {@code root} (itself included); links are not followed. */
  public static void shiftTree(Path root, long fromBase, long toBase, long range) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.toList();
    }
    for (Path p : paths) {
      int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      int gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
      long newUid = shift(uid, fromBase, toBase, range);
      long newGid = shift(gid, fromBase, toBase, range);
      if (newUid != uid) {
        Files.setAttribute(p, "unix:uid", (int) newUid, LinkOption.NOFOLLOW_LINKS);
      }
      if (newGid != gid) {
        Files.setAttribute(p, "unix:gid", (int) newGid, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }
}
