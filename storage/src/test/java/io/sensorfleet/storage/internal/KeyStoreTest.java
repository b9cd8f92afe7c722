package io.sensorfleet.storage.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyStoreTest {

  static final InstrumentId IDS = InstrumentId.of("ids");

  @TempDir Path data;

  @Test
  void creates_32_random_bytes_readable_by_the_owner_alone() throws IOException {
    KeyStore keys = new KeyStore(data.resolve("keys"));

    byte[] key = keys.readOrCreate(IDS);

    assertEquals(32, key.length);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.file(IDS))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("keys"))));
    assertEquals(data.resolve("keys/ids.key"), keys.file(IDS));
  }

  @Test
  void an_existing_key_is_kept() {
    KeyStore keys = new KeyStore(data.resolve("keys"));
    byte[] first = keys.readOrCreate(IDS);

    assertArrayEquals(first, keys.readOrCreate(IDS));
    assertArrayEquals(first, keys.read(IDS).orElseThrow());
  }

  @Test
  void each_instrument_gets_its_own_key() {
    KeyStore keys = new KeyStore(data.resolve("keys"));

    assertFalse(java.util.Arrays.equals(keys.readOrCreate(IDS), keys.readOrCreate(InstrumentId.of("dns"))));
  }

  @Test
  void destroy_deletes_the_key_and_is_idempotent() {
    KeyStore keys = new KeyStore(data.resolve("keys"));
    keys.readOrCreate(IDS);

    keys.destroy(IDS);
    keys.destroy(IDS);

    assertFalse(keys.exists(IDS));
    assertTrue(keys.read(IDS).isEmpty());
  }

  @Test
  void a_key_file_of_the_wrong_length_is_refused() throws IOException {
    KeyStore keys = new KeyStore(data.resolve("keys"));
    keys.ensureDirectory();
    Files.write(keys.file(IDS), new byte[31]);

    assertThrows(StorageException.HostIo.class, () -> keys.read(IDS));
  }

  @Test
  void a_key_directory_open_to_others_is_closed() throws IOException {
    Path dir = Files.createDirectory(data.resolve("keys"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

    new KeyStore(dir).readOrCreate(IDS);

    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
  }
}
