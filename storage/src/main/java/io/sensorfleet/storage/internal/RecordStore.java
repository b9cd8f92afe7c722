package io.sensorfleet.storage.internal;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ByteSize;
import io.sensorfleet.core.storage.StorageException;
import io.sensorfleet.core.storage.StorageRequest;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * What the sensor knows about each Instrument's storage, one small file each ({@code <dir>/<instrument>.properties},
 * 0600 in a 0700 directory), so that a restarted sensor finds it again: the sizes it was prepared with and the
 * host uid base its files were last given to.
 */
public final class RecordStore {

  /** One Instrument's record. {@code uidBase} is empty until the storage was first opened. */
  public record Record(InstrumentId id, StorageRequest sizes, OptionalLong uidBase) {

    public Record withSizes(StorageRequest other) {
      return new Record(id, other, uidBase);
    }

    public Record withUidBase(long base) {
      return new Record(id, sizes, OptionalLong.of(base));
    }
  }

  private static final String SUFFIX = ".properties";
  private final Path dir;

  public RecordStore(Path dir) {
    this.dir = dir;
  }

  public Optional<Record> read(InstrumentId id) {
    Path file = dir.resolve(id.value() + SUFFIX);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Properties p = new Properties();
      p.load(in);
      return Optional.of(decode(id, p));
    } catch (IOException | IllegalArgumentException e) {
      throw new StorageException.HostIo("reading storage record " + file, e);
    }
  }

  /** Writes the record atomically (a temporary file renamed over the old one). */
  public void write(Record record) {
    Path file = dir.resolve(record.id().value() + SUFFIX);
    try {
      Files.createDirectories(dir.getParent());
      if (!Files.isDirectory(dir)) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Path temp = dir.resolve("." + record.id().value() + SUFFIX + ".tmp");
      Files.deleteIfExists(temp);
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, encode(record), StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new StorageException.HostIo("writing storage record " + file, e);
    }
  }

  public void delete(InstrumentId id) {
    try {
      Files.deleteIfExists(dir.resolve(id.value() + SUFFIX));
    } catch (IOException e) {
      throw new StorageException.HostIo("deleting storage record of " + id, e);
    }
  }

  /** Every record, in no particular order; files that are not records are skipped. */
  public List<Record> list() {
    List<Record> records = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return records;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        String id = name.substring(0, name.length() - SUFFIX.length());
        if (InstrumentId.isValid(id)) {
          read(InstrumentId.of(id)).ifPresent(records::add);
        }
      }
    } catch (IOException e) {
      throw new StorageException.HostIo("listing storage records in " + dir, e);
    }
    return records;
  }

  static String encode(Record record) {
    Properties p = new Properties();
    p.setProperty("instrument", record.id().value());
    p.setProperty("persistent", record.sizes().persistent().toString());
    p.setProperty("transient", record.sizes().transientSize().toString());
    record.uidBase().ifPresent(base -> p.setProperty("uid-base", Long.toString(base)));
    StringWriter out = new StringWriter();
    try {
      p.store(out, "SensorFleet instrument storage (written by the sensor; do not edit)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static Record decode(InstrumentId id, Properties p) {
    if (!id.value().equals(p.getProperty("instrument"))) {
      throw new IllegalArgumentException("record names instrument '" + p.getProperty("instrument") + "'");
    }
    var sizes = new StorageRequest(ByteSize.parse(p.getProperty("persistent")),
        ByteSize.parse(p.getProperty("transient")));
    String base = p.getProperty("uid-base");
    return new Record(id, sizes, base == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(base)));
  }
}
