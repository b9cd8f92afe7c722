package io.sensorfleet.actors.instrument;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.UiSignature;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each Instrument's UI key: 32 random bytes with which Fleet Management's UI proxy signs the identity it passes to
 * that Instrument's UI ({@link UiSignature}). Kept in {@code sensor.instruments.ui-keys-dir} ({@code
 * <data-dir>/ui-keys/<id>.key}, 0600 in a 0700 directory, never mounted into a container), created on first use and
 * then never changed, so the proxy and the Instrument agree across sensor restarts. The Instrument gets a copy in
 * its bus directory ({@link #handOver}).
 *
 * <p>The file is the key, created once with a hard link (which fails if another thread or process created it first),
 * so concurrent first uses agree. What an instance has read it keeps in memory, for as long as the file is the same
 * one (same inode, creation and modification time; one {@code stat} per use instead of open, read and close: the UI
 * proxy asks on every request): a purge and reinstall, which replace the file, are seen on the next use, whichever
 * instance did them.
 */
public final class UiKeys {

  private static final SecureRandom RANDOM = new SecureRandom();
  private final Path dir;
  /** Keys read, with the attributes of the file they came from (a cache checked against the file on each use). */
  private final Map<InstrumentId, Read> read = new ConcurrentHashMap<>();

  private record Read(Object fileKey, FileTime created, FileTime modified, byte[] key) {
    Read(BasicFileAttributes file, byte[] key) {
      this(file.fileKey(), file.creationTime(), file.lastModifiedTime(), key);
    }

    boolean sameFile(BasicFileAttributes file) {
      return Objects.equals(fileKey, file.fileKey()) && created.equals(file.creationTime())
          && modified.equals(file.lastModifiedTime());
    }
  }

  public UiKeys(Path dir) {
    this.dir = dir;
  }

  /** The Instrument's key, created now if it has none. Blocking file I/O: call it off actor threads. */
  public byte[] keyFor(InstrumentId id) throws IOException {
    Path file = dir.resolve(id.value() + ".key");
    BasicFileAttributes attributes = null;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      read.remove(id);
    }
    if (attributes != null) {
      Read known = read.get(id);
      if (known != null && known.sameFile(attributes)) {
        return known.key().clone();
      }
      // Replaced between the stat and the read? The next use sees other attributes and reads again.
      byte[] key = Files.readAllBytes(file);
      read.put(id, new Read(attributes, key));
      return key.clone();
    }
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    byte[] key = new byte[UiSignature.KEY_BYTES];
    RANDOM.nextBytes(key);
    Path temp = Files.createTempFile(dir, id.value(), ".new",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.write(temp, key);
      Files.createLink(file, temp);
      read.put(id, new Read(Files.readAttributes(file, BasicFileAttributes.class), key.clone()));
      return key;
    } catch (FileAlreadyExistsException e) {
      return Files.readAllBytes(file);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Forgets the Instrument's key (a purge): a reinstalled Instrument of that id gets a new one. */
  public void delete(InstrumentId id) throws IOException {
    read.remove(id);
    Files.deleteIfExists(dir.resolve(id.value() + ".key"));
  }

  /**
   * Writes {@code key} to {@link UiSignature#KEY_FILE} in the Instrument's bus directory (mounted at {@code
   * /run/sensorfleet/}), readable by its user only (0400). The directory belongs to the Instrument, so whatever it
   * left under that name (a symlink to a host file, say) is removed, and the file is created anew with {@code
   * O_EXCL}, which does not follow links.
   */
  public static void handOver(byte[] key, Path busDirectory, int uid, int gid) throws IOException {
    Path file = busDirectory.resolve(UiSignature.KEY_FILE);
    Files.deleteIfExists(file);
    try (var out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
      out.write(key);
    }
    Files.setAttribute(file, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(file, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
  }
}
