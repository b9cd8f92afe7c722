package io.sensorfleet.it.storage;

import static io.sensorfleet.it.storage.StorageTestKit.await;
import static io.sensorfleet.it.storage.StorageTestKit.check;
import static io.sensorfleet.it.storage.StorageTestKit.failure;
import static io.sensorfleet.it.storage.StorageTestKit.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ByteSize;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.ExecResult;
import io.sensorfleet.core.runtime.StorageVolume;
import io.sensorfleet.core.storage.DeviceAttachment;
import io.sensorfleet.core.storage.InstrumentStorage;
import io.sensorfleet.core.storage.StorageException;
import io.sensorfleet.core.storage.StorageRequest;
import io.sensorfleet.core.storage.StorageStatus;
import io.sensorfleet.core.storage.StorageUsage;
import io.sensorfleet.storage.GocryptfsStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Instrument's storage end to end: real containers from {@code sensorfleet/base}, a real btrfs pool on a loop
 * file, real gocryptfs and tmpfs mounts, the Instrument's own writes as uid 1000 inside.
 */
class InstrumentStorageIT {

  static final ByteSize MIB_16 = ByteSize.ofMebibytes(16);
  static final ByteSize MIB_32 = ByteSize.ofMebibytes(32);
  static final ByteSize MIB_8 = ByteSize.ofMebibytes(8);

  static StorageTestKit kit;
  static GocryptfsStorage storage;

  @BeforeAll
  static void connect() {
    kit = StorageTestKit.start();
    storage = kit.storage;
  }

  @AfterAll
  static void cleanUp() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void a_marker_written_inside_is_readable_inside_and_nowhere_in_the_backing_store() throws IOException {
    InstrumentId id = prepared("enc", MIB_32, MIB_8);
    String c = running(id);
    String marker = marker();

    kit.shAsInstrument(c, "echo " + marker + " > /var/lib/instrument/" + marker + ".txt"
        + " && mkdir /var/lib/instrument/db && for i in 1 2 3; do echo " + marker + " >> /var/lib/instrument/db/log;"
        + " done && sync");

    assertEquals(marker + "\n", kit.shAsInstrument(c, "cat /var/lib/instrument/" + marker + ".txt"));
    assertEquals("1000 1000\n", kit.sh(c, "stat -c '%u %g' /var/lib/instrument/db/log"));
    flushPool();
    byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
    Path volume = storage.cipherDirectory(id).getParent();
    assertFalse(treeContains(volume, needle), "plaintext in the volume " + volume);
    assertFalse(fileContains(kit.loopFile(), needle), "plaintext in the pool's loop file " + kit.loopFile());
    try (Stream<Path> names = Files.walk(volume)) {
      assertTrue(names.noneMatch(p -> p.getFileName().toString().contains(marker)), "plaintext file name");
    }
    // The searches do find what is there: gocryptfs' config, stored in the clear, and the decrypted host view.
    assertTrue(fileContains(kit.loopFile(), "\"EncryptedKey\"".getBytes(StandardCharsets.US_ASCII)));
    assertTrue(treeContains(persistentView(id), needle));
  }

  @Test
  void data_survives_stop_start_and_a_sensor_restart() {
    InstrumentId id = prepared("keep", MIB_16, MIB_8);
    String c = running(id);
    String marker = marker();
    kit.shAsInstrument(c, "echo " + marker + " > /var/lib/instrument/state && sync");

    await(kit.lxd.stop(c, Duration.ZERO));
    await(storage.close(id));
    GocryptfsStorage restarted = kit.restartedSensor();
    StorageStatus found = await(restarted.list()).stream()
        .filter(s -> s.plan().id().equals(id)).findFirst().orElseThrow();
    kit.openAndAttach(restarted, id);
    await(kit.lxd.start(c));

    assertEquals(new StorageRequest(MIB_16, MIB_8), found.plan().sizes());
    assertTrue(found.keyPresent());
    assertFalse(found.persistentOpen());
    assertEquals(marker + "\n", kit.shAsInstrument(c, "cat /var/lib/instrument/state"));
  }

  @Test
  void opening_again_while_the_container_runs_keeps_its_mounts() {
    InstrumentId id = prepared("again", MIB_16, MIB_8);
    String c = running(id);
    kit.shAsInstrument(c, "echo p > /var/lib/instrument/p && echo t > /run/instrument/t");

    List<DeviceAttachment> devices = await(kit.restartedSensor().open(id, kit.rootHostUid(c)));

    assertEquals(List.of(InstrumentStorage.PERSISTENT_DEVICE, InstrumentStorage.TRANSIENT_DEVICE),
        devices.stream().map(DeviceAttachment::name).toList());
    assertEquals("p\nt\n", kit.shAsInstrument(c, "cat /var/lib/instrument/p /run/instrument/t"));
    kit.shAsInstrument(c, "echo more >> /var/lib/instrument/p && echo more >> /run/instrument/t");
  }

  @Test
  void close_refuses_while_the_container_runs_and_unmounts_nothing() {
    InstrumentId id = prepared("busy", MIB_16, MIB_8);
    String c = running(id);

    var refused = failure(StorageException.InUse.class, storage.close(id));

    assertFalse(refused.pids().isEmpty());
    assertTrue(hostMountsUnder(kit.mountDir.resolve(id.value())) >= 2);
    kit.shAsInstrument(c, "echo still > /var/lib/instrument/x && echo here > /run/instrument/y");
    failure(StorageException.InUse.class, storage.purge(id));
    failure(StorageException.InUse.class, storage.wipeTransient(id));
  }

  @Test
  void filling_the_volume_stops_at_its_quota_and_leaves_the_others_alone() {
    InstrumentId full = prepared("full", MIB_32, ByteSize.ZERO);
    InstrumentId calm = prepared("calm", MIB_32, ByteSize.ZERO);
    String a = running(full);
    String b = running(calm);
    kit.shAsInstrument(b, "dd if=/dev/zero of=/var/lib/instrument/before bs=1M count=4 conv=fsync 2>/dev/null");
    long loopBefore = allocatedBytes(kit.loopFile());

    ExecResult fill = kit.asInstrument(a,
        "dd if=/dev/zero of=/var/lib/instrument/fill bs=1M count=200 conv=fsync");

    assertNotEquals(0, fill.exitCode(), "dd beyond the quota succeeded: " + fill);
    assertTrue(fill.stderr().contains("quota"), fill.stderr());
    long written = Long.parseLong(kit.sh(a, "stat -c %s /var/lib/instrument/fill").strip());
    assertTrue(written <= MIB_32.bytes() && written > MIB_32.bytes() / 2, "wrote " + written);
    // What dd's last, partial block left free is less than another two MiB.
    assertNotEquals(0, kit.asInstrument(a, "dd if=/dev/zero of=/var/lib/instrument/more bs=1M count=2 conv=fsync")
        .exitCode());
    StorageUsage usage = await(storage.usage(full));
    assertEquals(MIB_32.bytes(), usage.persistentQuotaBytes());
    assertTrue(usage.persistentUsedBytes() <= MIB_32.bytes()
        && usage.persistentUsedBytes() > MIB_32.bytes() * 9 / 10, usage.toString());
    // The other Instrument still has its whole quota, and only its own data counts against it.
    kit.shAsInstrument(b, "dd if=/dev/zero of=/var/lib/instrument/after bs=1M count=16 conv=fsync 2>/dev/null");
    StorageUsage other = await(storage.usage(calm));
    assertTrue(other.persistentUsedBytes() >= 20L << 20 && other.persistentUsedBytes() < 24L << 20, other.toString());
    // All of it went into the pool's loop file, which can never grow beyond the pool's size.
    long grown = allocatedBytes(kit.loopFile()) - loopBefore;
    assertTrue(grown < (32L + 16 + 16) << 20, "the loop file grew by " + grown);
    assertTrue(allocatedBytes(kit.loopFile()) <= 1L << 30);
  }

  @Test
  void usage_rises_by_what_the_instrument_writes_inside() {
    InstrumentId id = prepared("grow", MIB_32, MIB_16);
    String c = running(id);
    StorageUsage before = await(storage.usage(id));

    kit.shAsInstrument(c, "dd if=/dev/urandom of=/var/lib/instrument/eight bs=1M count=8 conv=fsync 2>/dev/null"
        + " && dd if=/dev/zero of=/run/instrument/four bs=1M count=4 2>/dev/null");
    StorageUsage after = await(storage.usage(id));

    assertEquals(new StorageUsage(id, after.persistentUsedBytes(), MIB_32.bytes(), after.transientUsedBytes(),
        MIB_16.bytes()), after);
    long persistentRise = after.persistentUsedBytes() - before.persistentUsedBytes();
    // gocryptfs adds 32 bytes per 4 KiB block and a header (docs/storage.md: about 4 % with btrfs' metadata).
    assertTrue(persistentRise >= 8L << 20 && persistentRise < (8L << 20) * 110 / 100,
        before + " -> " + after);
    long transientRise = after.transientUsedBytes() - before.transientUsedBytes();
    assertTrue(transientRise >= 4L << 20 && transientRise <= (4L << 20) + (64 << 10), before + " -> " + after);
  }

  @Test
  void transient_storage_is_limited_in_size_and_wiped_after_stop() {
    InstrumentId id = prepared("scratch", ByteSize.ZERO, MIB_8);
    String c = running(id);
    kit.shAsInstrument(c, "echo left > /run/instrument/left-behind");

    ExecResult fill = kit.asInstrument(c, "dd if=/dev/zero of=/run/instrument/fill bs=1M count=16");
    long used = await(storage.usage(id)).transientUsedBytes();
    await(kit.lxd.stop(c, Duration.ZERO));
    await(storage.close(id));
    int mountedAfterClose = hostMountsUnder(kit.mountDir.resolve(id.value()));
    kit.openAndAttach(storage, id);
    await(kit.lxd.start(c));

    assertTrue(fill.stderr().contains("No space left"), fill.toString());
    assertTrue(used > MIB_8.bytes() * 9 / 10 && used <= MIB_8.bytes(), "used " + used);
    assertEquals(0, mountedAfterClose);
    assertEquals("", kit.sh(c, "ls -A /run/instrument"));
    assertEquals("1000\n", kit.sh(c, "stat -c %u /run/instrument"));
    kit.shAsInstrument(c, "echo fresh > /run/instrument/new");
    assertEquals("1\n", kit.sh(c, "grep -c sf-transient- /proc/self/mountinfo"));
  }

  @Test
  void a_second_container_sees_nothing_of_the_first_ones_storage() throws IOException {
    InstrumentId first = prepared("alpha", MIB_16, MIB_8);
    InstrumentId second = prepared("beta", MIB_16, MIB_8);
    String a = running(first);
    String marker = marker();
    kit.shAsInstrument(a, "echo " + marker + " > /var/lib/instrument/m && echo " + marker + " > /run/instrument/m");
    String b = running(second);

    String found = kit.sh(b, "for d in /*; do case $d in /proc|/sys|/dev) ;; *) grep -rl " + marker
        + " $d 2>/dev/null;; esac; done; true");
    String mounts = kit.sh(b, "cat /proc/self/mountinfo");

    assertEquals("", found);
    assertFalse(mounts.contains(first.value()), mounts);
    assertFalse(treeContains(kit.rootfs(b), marker.getBytes(StandardCharsets.US_ASCII)));
    assertNotEquals(0, kit.asInstrument(b, "ls " + persistentView(first)).exitCode());
  }

  @Test
  void a_recreated_container_finds_the_files_in_its_own_uid_range() {
    InstrumentId id = prepared("moved", MIB_16, ByteSize.ZERO);
    String c = running(id);
    kit.shAsInstrument(c, "mkdir /var/lib/instrument/sub && echo x > /var/lib/instrument/sub/f");
    long before = kit.rootHostUid(c);
    await(kit.lxd.stop(c, Duration.ZERO));
    await(storage.close(id));
    await(kit.lxd.delete(c));
    // Occupy the range just freed, so that the new container gets another one, as after a reinstall.
    String holder = kit.createContainer(kit.id("holder"));

    running(id);
    long after = kit.rootHostUid(c);

    assertNotEquals(before, after, "LXD gave the same range again (holder " + kit.rootHostUid(holder) + ")");
    assertEquals("1000:1000 1000:1000 1000:1000\n", kit.sh(c,
        "echo $(stat -c %u:%g /var/lib/instrument /var/lib/instrument/sub /var/lib/instrument/sub/f)"));
    kit.shAsInstrument(c, "echo y >> /var/lib/instrument/sub/f");
  }

  @Test
  void purge_destroys_the_key_and_what_is_left_cannot_be_decrypted(@TempDir Path copy) throws IOException {
    InstrumentId id = prepared("gone", MIB_16, MIB_8);
    String c = running(id);
    String marker = marker();
    kit.shAsInstrument(c, "echo " + marker + " > /var/lib/instrument/m && sync");
    await(kit.lxd.stop(c, Duration.ZERO));
    await(storage.close(id));
    Path keyFile = storage.keyFile(id);
    byte[] key = Files.readAllBytes(keyFile);
    Path cipherCopy = copyTree(storage.cipherDirectory(id), copy.resolve("cipher"));

    // With another key the data does not open.
    Files.write(keyFile, randomBytes(32));
    var rejected = failure(StorageException.KeyRejected.class, storage.open(id, kit.rootHostUid(c)));
    Files.write(keyFile, key);
    await(kit.lxd.delete(c));
    await(storage.purge(id));

    assertTrue(rejected.getMessage().contains("Password incorrect"), rejected.getMessage());
    assertFalse(Files.exists(keyFile, LinkOption.NOFOLLOW_LINKS), "key file left");
    assertFalse(Files.exists(kit.mountDir.resolve(id.value())), "mount directory left");
    assertTrue(await(kit.lxd.listVolumes(kit.pool)).stream().map(StorageVolume::name)
        .noneMatch(n -> n.equals(id.volumeName("persistent"))), "volume left");
    assertTrue(await(storage.list()).stream().noneMatch(s -> s.plan().id().equals(id)));
    failure(StorageException.NotPrepared.class, storage.open(id, 100000));
    // What an attacker may have kept of the encrypted data opens with no other key.
    Path mountPoint = Files.createDirectory(copy.resolve("plain"));
    var attempt = runWithStdin(HexFormat.of().formatHex(randomBytes(32)) + "\n",
        "gocryptfs", "-q", "-nosyslog", "--", cipherCopy.toString(), mountPoint.toString());
    assertEquals(12, attempt.exitCode(), attempt.toString());
    assertTrue(attempt.stderr().contains("Password incorrect"), attempt.stderr());
    assertFalse(treeContains(cipherCopy, marker.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void the_key_directory_is_not_reachable_from_a_container() throws IOException {
    InstrumentId id = prepared("keys", MIB_16, MIB_8);
    String c = running(id);
    Path keyFile = storage.keyFile(id);
    byte[] key = Files.readAllBytes(keyFile);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.getParent())));
    assertEquals(0, Files.getAttribute(keyFile, "unix:uid"));
    assertNotEquals(0, kit.asInstrument(c, "ls " + keyFile.getParent()).exitCode());
    assertNotEquals(0, kit.asInstrument(c, "ls " + keyFile).exitCode());
    assertFalse(kit.sh(c, "cat /proc/self/mountinfo").contains(kit.dataDir.toString()));
    byte[] hex = HexFormat.of().formatHex(key).getBytes(StandardCharsets.US_ASCII);
    for (Path visible : List.of(kit.rootfs(c), persistentView(id), transientView(id))) {
      assertFalse(treeContains(visible, key), "the key is in " + visible);
      assertFalse(treeContains(visible, hex), "the key (hex) is in " + visible);
    }
  }

  @Test
  void an_instrument_without_storage_gets_no_devices() {
    InstrumentId id = prepared("none", ByteSize.ZERO, ByteSize.ZERO);

    assertEquals(List.of(), await(storage.open(id, 165536)));
    assertEquals(new StorageUsage(id, 0, 0, 0, 0), await(storage.usage(id)));
    assertFalse(storage.keyFile(id).toFile().exists());
  }

  @Test
  void preparing_again_is_idempotent_and_refuses_a_new_persistent_size() {
    InstrumentId id = prepared("twice", MIB_16, MIB_8);
    byte[] key = readQuietly(storage.keyFile(id));

    var again = await(storage.prepare(id, new StorageRequest(MIB_16, MIB_16)));
    var refused = failure(StorageException.Conflict.class, storage.prepare(id, new StorageRequest(MIB_32, MIB_8)));

    assertEquals(MIB_16, again.transientSize());
    assertTrue(java.util.Arrays.equals(key, readQuietly(storage.keyFile(id))), "the key changed");
    assertTrue(refused.getMessage().contains("resizing is not supported"), refused.getMessage());
  }

  @Test
  void a_container_started_without_its_storage_open_does_not_start() {
    InstrumentId id = prepared("closed", MIB_16, MIB_8);
    String c = kit.createContainer(id);
    kit.openAndAttach(storage, id);
    await(storage.close(id));

    var refused = failure(ContainerRuntimeException.class, kit.lxd.start(c));

    // Rather than the Instrument writing into the sensor's own directories, unencrypted and without a quota.
    assertTrue(refused.getMessage().contains("source"), refused.getMessage());
    assertEquals("---------", PosixFilePermissions.toString(
        permissions(kit.mountDir.resolve(id.value()).resolve("persistent"))));
  }

  @Test
  void a_dead_gocryptfs_daemon_is_replaced_at_the_next_open() {
    InstrumentId id = prepared("revive", MIB_16, ByteSize.ZERO);
    String c = running(id);
    kit.shAsInstrument(c, "echo alive > /var/lib/instrument/state && sync");
    await(kit.lxd.stop(c, Duration.ZERO));
    ProcessHandle daemon = ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(a -> List.of(a).contains("sf-storage-" + id.value())).orElse(false))
        .findFirst().orElseThrow();
    daemon.destroyForcibly();
    daemon.onExit().join();

    kit.openAndAttach(storage, id);
    await(kit.lxd.start(c));

    assertEquals("alive\n", kit.shAsInstrument(c, "cat /var/lib/instrument/state"));
  }

  @Test
  void a_pool_that_does_not_enforce_quotas_is_refused_before_any_volume_exists() {
    GocryptfsStorage onDirPool = kit.storageWith(kit.settings.withPool("default"));
    InstrumentId id = kit.id("dirpool");

    var refused = failure(StorageException.Unsupported.class,
        onDirPool.prepare(id, new StorageRequest(MIB_16, MIB_8)));

    assertTrue(refused.getMessage().contains("not btrfs"), refused.getMessage());
    assertTrue(await(kit.lxd.listVolumes("default")).stream().noneMatch(v -> v.name().contains(id.value())));
    assertFalse(Files.exists(onDirPool.keyFile(id)));
  }

  @Test
  void quotas_beyond_the_pool_are_refused() {
    InstrumentId id = kit.id("huge");

    var refused = failure(StorageException.InsufficientSpace.class,
        storage.prepare(id, new StorageRequest(ByteSize.ofGibibytes(2), MIB_8)));

    assertTrue(refused.getMessage().contains("does not fit"), refused.getMessage());
    assertTrue(await(kit.lxd.listVolumes(kit.pool)).stream().noneMatch(v -> v.name().contains(id.value())));
  }

  @Test
  void setup_created_a_bounded_btrfs_pool_for_the_instruments() throws IOException {
    var pool = new ObjectMapper().readTree(check("lxc", "query", "/1.0/storage-pools/sensorfleet"));

    assertEquals("btrfs", pool.path("driver").asText(), "run scripts/setup.sh: " + pool);
    assertFalse(pool.path("config").path("size").asText().isEmpty(), pool.toString());
  }

  // ------------------------------------------------------------------------------------------------------------

  private static InstrumentId prepared(String suffix, ByteSize persistent, ByteSize transientSize) {
    InstrumentId id = kit.id(suffix);
    await(storage.prepare(id, new StorageRequest(persistent, transientSize)));
    return id;
  }

  /** Creates the Instrument's container, opens its storage, adds the devices and starts it. */
  private static String running(InstrumentId id) {
    String c = kit.createContainer(id);
    kit.openAndAttach(storage, id);
    await(kit.lxd.start(c));
    return c;
  }

  private static Path persistentView(InstrumentId id) {
    return kit.mountDir.resolve(id.value()).resolve("persistent/data");
  }

  private static Path transientView(InstrumentId id) {
    return kit.mountDir.resolve(id.value()).resolve("transient/data");
  }

  private static String marker() {
    return "SFMARK" + HexFormat.of().formatHex(randomBytes(8));
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  private static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(Path p) {
    try {
      return Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] readQuietly(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  /** Makes btrfs write out what it holds, and the loop device the pages of its file. */
  private static void flushPool() {
    check("btrfs", "filesystem", "sync", kit.settings.poolPath().toString());
    check("sync");
  }

  private static long allocatedBytes(Path file) {
    return Long.parseLong(check("stat", "-c", "%b", file.toString()).strip()) * 512;
  }

  private static int hostMountsUnder(Path dir) {
    try {
      return (int) Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
          .map(l -> l.split(" ")[4])
          .filter(p -> p.startsWith(dir + "/"))
          .count();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Whether any regular file under {@code root} (links not followed, no other filesystems) holds {@code needle}. */
  private static boolean treeContains(Path root, byte[] needle) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.toList()) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && fileContains(p, needle)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new AssertionError("cannot search " + root, e);
    }
  }

  /** A streaming search of the whole file (a 1 GiB loop image included), chunks overlapping by the needle. */
  private static boolean fileContains(Path file, byte[] needle) {
    byte[] buffer = new byte[1 << 20];
    int kept = 0;
    try (InputStream in = Files.newInputStream(file)) {
      while (true) {
        int n = in.readNBytes(buffer, kept, buffer.length - kept);
        int end = kept + n;
        if (indexOf(buffer, end, needle) >= 0) {
          return true;
        }
        if (n == 0) {
          return false;
        }
        kept = Math.min(needle.length - 1, end);
        System.arraycopy(buffer, end - kept, buffer, 0, kept);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  private static int indexOf(byte[] haystack, int length, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static Path copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  private static StorageTestKit.Result runWithStdin(String input, String... argv) {
    try {
      // Error output to a file: should the mount succeed, gocryptfs' daemon would keep a pipe open for ever.
      Path errFile = Files.createTempFile("sft-gocryptfs", ".err");
      try {
        Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(errFile.toFile()).start();
        try (var stdin = p.getOutputStream()) {
          stdin.write(input.getBytes(StandardCharsets.US_ASCII));
        }
        int code = p.waitFor();
        if (code == 0) {
          run("umount", argv[argv.length - 1]);
        }
        return new StorageTestKit.Result(code, "", Files.readString(errFile));
      } finally {
        Files.deleteIfExists(errFile);
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
