package io.sensorfleet.actors.instrument;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.UiSignature;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UiKeysTest {

  static final InstrumentId A = InstrumentId.of("ui-a");
  static final InstrumentId B = InstrumentId.of("ui-b");

  @Test
  void an_instruments_key_is_created_once_and_survives_a_new_instance(@TempDir Path dir) throws Exception {
    byte[] first = new UiKeys(dir.resolve("keys")).keyFor(A);
    assertEquals(UiSignature.KEY_BYTES, first.length);
    assertArrayEquals(first, new UiKeys(dir.resolve("keys")).keyFor(A));
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("keys/ui-a.key"))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keys"))));
  }

  @Test
  void each_instrument_has_its_own_key_and_a_purge_forgets_it(@TempDir Path dir) throws Exception {
    var keys = new UiKeys(dir);
    byte[] a = keys.keyFor(A);
    assertFalse(Arrays.equals(a, keys.keyFor(B)));
    keys.delete(A);
    assertFalse(Arrays.equals(a, keys.keyFor(A)));
  }

  @Test
  void an_unchanged_key_file_is_not_read_again(@TempDir Path dir) throws Exception {
    var keys = new UiKeys(dir);
    byte[] key = keys.keyFor(A);
    // Rewritten in place with its times kept: the same file as far as a stat can tell, so the instance keeps its copy.
    Path file = dir.resolve("ui-a.key");
    FileTime modified = Files.getLastModifiedTime(file);
    Files.write(file, new byte[UiSignature.KEY_BYTES]);
    Files.setLastModifiedTime(file, modified);
    assertArrayEquals(key, keys.keyFor(A));
  }

  @Test
  void a_key_replaced_by_another_instance_is_seen_on_the_next_use(@TempDir Path dir) throws Exception {
    var proxy = new UiKeys(dir);
    byte[] old = proxy.keyFor(A);
    // The Instrument's actor purges and reinstalls with instances of its own.
    new UiKeys(dir).delete(A);
    byte[] fresh = new UiKeys(dir).keyFor(A);
    assertFalse(Arrays.equals(old, fresh));
    assertArrayEquals(fresh, proxy.keyFor(A));
  }

  @Test
  void the_handed_over_copy_replaces_a_symlink_the_instrument_planted(@TempDir Path dir) throws Exception {
    Path victim = Files.writeString(dir.resolve("victim"), "host file");
    Path bus = Files.createDirectory(dir.resolve("bus"));
    Files.createSymbolicLink(bus.resolve(UiSignature.KEY_FILE), victim);
    byte[] key = new UiKeys(dir.resolve("keys")).keyFor(A);
    int uid = (int) Files.getAttribute(dir, "unix:uid");
    UiKeys.handOver(key, bus, uid, uid);
    Path copy = bus.resolve(UiSignature.KEY_FILE);
    assertFalse(Files.isSymbolicLink(copy));
    assertArrayEquals(key, Files.readAllBytes(copy));
    assertEquals("host file", Files.readString(victim));
    assertEquals("r--------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(copy, LinkOption.NOFOLLOW_LINKS)));
  }
}
