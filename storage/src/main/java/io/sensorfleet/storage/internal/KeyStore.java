package io.sensorfleet.storage.internal;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Set;

/**
 * One key per Instrument, held by the sensor: {@code <dir>/<instrument>.key}, 32 random bytes, mode 0600, in a
 * directory of mode 0700, both owned by the sensor's user (root). The directory is never mounted into a container.
 */
public final class KeyStore {

  public static final int KEY_BYTES = 32;
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

  private final Path dir;
  private final SecureRandom random = new SecureRandom();

  public KeyStore(Path dir) {
    this.dir = dir;
  }

  public Path file(InstrumentId id) {
    return dir.resolve(id.value() + ".key");
  }

  public boolean exists(InstrumentId id) {
    return Files.exists(file(id), LinkOption.NOFOLLOW_LINKS);
  }

  /** The Instrument's key, if it has one. */
  public Optional<byte[]> read(InstrumentId id) {
    Path file = file(id);
    try {
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new StorageException.HostIo("reading key " + file, new IOException("not a regular file"));
      }
      byte[] key = Files.readAllBytes(file);
      if (key.length != KEY_BYTES) {
        throw new StorageException.HostIo("reading key " + file,
            new IOException("it has " + key.length + " bytes, not " + KEY_BYTES));
      }
      return Optional.of(key);
    } catch (IOException e) {
      throw new StorageException.HostIo("reading key " + file, e);
    }
  }

  /** The Instrument's key, created now from {@link SecureRandom} if it has none. */
  public byte[] readOrCreate(InstrumentId id) {
    Optional<byte[]> existing = read(id);
    if (existing.isPresent()) {
      return existing.get();
    }
    byte[] key = new byte[KEY_BYTES];
    random.nextBytes(key);
    Path file = file(id);
    try {
      ensureDirectory();
      // Written whole to a temporary file, then renamed: a crash leaves either no key or the complete one.
      Path temp = dir.resolve("." + id.value() + ".key.tmp");
      Files.deleteIfExists(temp);
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(FILE_MODE));
      writeSynced(temp, key);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the key directory must support atomic renames", e);
      }
      syncDirectory();
      return key;
    } catch (IOException e) {
      throw new StorageException.HostIo("creating key " + file, e);
    }
  }

  /**
   * Destroys the Instrument's key: overwrites it with random bytes, flushes that to disk, then deletes it. On a
   * journaling or copy-on-write filesystem, or a flash disk, the old blocks may survive the overwrite; the
   * encrypted data it unlocked is deleted with its volume as well.
   */
  public void destroy(InstrumentId id) {
    Path file = file(id);
    try {
      if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        byte[] noise = new byte[(int) Math.max(KEY_BYTES, Files.size(file))];
        random.nextBytes(noise);
        writeSynced(file, noise);
      }
      if (Files.deleteIfExists(file)) {
        syncDirectory();
      }
    } catch (IOException e) {
      throw new StorageException.HostIo("destroying key " + file, e);
    }
  }

  /** Creates the key directory (0700) if missing, and closes it to others if it was not. */
  public void ensureDirectory() throws IOException {
    Files.createDirectories(dir.getParent());
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
    }
    if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(DIR_MODE)) {
      Files.setPosixFilePermissions(dir, DIR_MODE);
    }
  }

  private static void writeSynced(Path file, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
        LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
  }

  private void syncDirectory() throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
