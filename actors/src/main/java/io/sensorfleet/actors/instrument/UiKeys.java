package io.sensorfleet.actors.instrument;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.UiSignature;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * Each Instrument's UI key: 32 random bytes with which Fleet Management's UI proxy signs the identity it passes to
 * that Instrument's UI ({@link UiSignature}). Kept in {@code sensor.instruments.ui-keys-dir} ({@code
 * <data-dir>/ui-keys/<id>.key}, 0600 in a 0700 directory, never mounted into a container), created on first use and
 * then never changed, so the proxy and the Instrument agree across sensor restarts. The Instrument gets a copy in
 * its bus directory ({@link #handOver}).
 *
 * <p>No state in memory: the file is the key, created once with a hard link (which fails if another thread or process
 * created it first), so concurrent first uses agree.
 */
public final class UiKeys {

  private static final SecureRandom RANDOM = new SecureRandom();
  private final Path dir;

  public UiKeys(Path dir) {
    this.dir = dir;
  }

  /** The Instrument's key, created now if it has none. Blocking file I/O: call it off actor threads. */
  public byte[] keyFor(InstrumentId id) throws IOException {
    Path file = dir.resolve(id.value() + ".key");
    if (Files.exists(file)) {
      return Files.readAllBytes(file);
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
      return key;
    } catch (FileAlreadyExistsException e) {
      return Files.readAllBytes(file);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Forgets the Instrument's key (a purge): a reinstalled Instrument of that id gets a new one. */
  public void delete(InstrumentId id) throws IOException {
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
