package io.sensorfleet.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ByteSize;
import io.sensorfleet.core.runtime.ContainerFile;
import io.sensorfleet.core.runtime.ContainerInfo;
import io.sensorfleet.core.runtime.ContainerRuntime;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.ContainerSelector;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.ContainerState;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.core.runtime.ExecRequest;
import io.sensorfleet.core.runtime.ExecResult;
import io.sensorfleet.core.runtime.LifecycleEvent;
import io.sensorfleet.core.runtime.StorageVolume;
import io.sensorfleet.core.runtime.VolumeSpec;
import io.sensorfleet.core.storage.StorageException;
import io.sensorfleet.core.storage.StorageRequest;
import io.sensorfleet.core.storage.StorageStatus;
import io.sensorfleet.storage.internal.CommandLine;
import io.sensorfleet.storage.internal.CommandResult;
import io.sensorfleet.storage.internal.CommandRunner;
import io.sensorfleet.storage.internal.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter's decisions without LXD, gocryptfs or mounts: a fake runtime, a recording runner, a fake /proc. */
class GocryptfsStorageTest {

  static final InstrumentId IDS = InstrumentId.of("ids");

  @TempDir Path dir;
  final FakeVolumes runtime = new FakeVolumes();
  final List<CommandLine> commands = new CopyOnWriteArrayList<>();
  GocryptfsStorage storage;

  @BeforeEach
  void setUp() throws IOException {
    Path proc = Files.createDirectories(dir.resolve("proc/self/ns"));
    Files.createSymbolicLink(proc.resolve("mnt"), Path.of("mnt:[1]"));
    Files.writeString(dir.resolve("proc/self/mountinfo"), "27 1 254:0 / / rw - ext4 /dev/vda rw\n");
    // The "LXD directory" is a plain temp dir: its pool is no btrfs.
    var settings = StorageSettings.fromConfig(ConfigFactory.load().getConfig("sensor.storage"),
            Map.of("LXD_DIR", dir.resolve("lxd").toString()))
        .withDirectories(dir.resolve("data"), dir.resolve("mnt"));
    Files.createDirectories(settings.poolPath());
    CommandRunner recording = (command, timeout) -> {
      commands.add(command);
      return new CommandResult(0, "", "");
    };
    storage = GocryptfsStorage.create(runtime, settings, recording, new MountTable(dir.resolve("proc")));
  }

  @AfterEach
  void tearDown() {
    storage.shutdown();
  }

  @Test
  void an_instrument_without_persistent_storage_needs_no_volume_and_no_key() {
    var plan = get(storage.prepare(IDS, new StorageRequest(ByteSize.ZERO, ByteSize.ZERO)));

    assertTrue(plan.volume().isEmpty());
    assertEquals(List.of(), runtime.created);
    assertEquals(List.of(), get(storage.open(IDS, 165536)));
    assertTrue(Files.notExists(storage.keyFile(IDS)));
    assertEquals(List.of(IDS), get(storage.list()).stream().map(s -> s.plan().id()).toList());
  }

  @Test
  void a_pool_that_is_not_btrfs_is_refused_before_a_volume_or_key_exists() {
    var failure = failureOf(storage.prepare(IDS, new StorageRequest(ByteSize.ofMebibytes(64), ByteSize.ZERO)));

    assertInstanceOf(StorageException.Unsupported.class, failure);
    assertEquals(List.of(), runtime.created);
    assertTrue(Files.notExists(storage.keyFile(IDS)));
    assertTrue(get(storage.list()).isEmpty());
  }

  @Test
  void a_quota_below_the_minimum_is_refused() {
    var failure = failureOf(storage.prepare(IDS, new StorageRequest(ByteSize.ofMebibytes(1), ByteSize.ZERO)));

    assertInstanceOf(IllegalArgumentException.class, failure);
  }

  @Test
  void failures_arrive_unwrapped_for_pipe_to_self() {
    AtomicReference<Throwable> seen = new AtomicReference<>();

    storage.open(IDS, 165536).whenComplete((ok, failure) -> seen.set(failure)).toCompletableFuture()
        .exceptionally(t -> null).join();

    assertInstanceOf(StorageException.NotPrepared.class, seen.get());
    assertInstanceOf(StorageException.NotPrepared.class, failureOf(storage.usage(IDS)));
  }

  @Test
  void a_new_persistent_size_is_a_conflict() {
    get(storage.prepare(IDS, new StorageRequest(ByteSize.ZERO, ByteSize.ofMebibytes(8))));

    var failure = failureOf(storage.prepare(IDS, new StorageRequest(ByteSize.ofMebibytes(64), ByteSize.ZERO)));

    assertInstanceOf(StorageException.Conflict.class, failure);
  }

  @Test
  void a_new_transient_size_is_taken() {
    get(storage.prepare(IDS, new StorageRequest(ByteSize.ZERO, ByteSize.ofMebibytes(8))));

    var plan = get(storage.prepare(IDS, new StorageRequest(ByteSize.ZERO, ByteSize.ofMebibytes(16))));

    assertEquals(ByteSize.ofMebibytes(16), plan.transientSize());
    assertEquals(ByteSize.ofMebibytes(16),
        get(storage.list()).stream().map(StorageStatus::plan).findFirst().orElseThrow().transientSize());
  }

  @Test
  void close_and_purge_of_unknown_storage_do_nothing_and_succeed() {
    get(storage.close(IDS));
    get(storage.purge(IDS));

    assertEquals(List.of("sf-ids--persistent"), runtime.deleted);
    assertEquals(List.of(), commands);
  }

  @Test
  void purge_forgets_the_instrument() {
    get(storage.prepare(IDS, new StorageRequest(ByteSize.ZERO, ByteSize.ofMebibytes(8))));

    get(storage.purge(IDS));

    assertTrue(get(storage.list()).isEmpty());
    assertInstanceOf(StorageException.NotPrepared.class, failureOf(storage.open(IDS, 165536)));
  }

  @Test
  void a_volume_without_a_record_is_listed_for_purging() {
    runtime.volumes.add(new StorageVolume("sensorfleet", "sf-old--persistent",
        Map.of("size", "64MiB", GocryptfsStorage.INSTRUMENT_LABEL, "old"), List.of()));

    StorageStatus status = get(storage.list()).getFirst();

    assertEquals(InstrumentId.of("old"), status.plan().id());
    assertEquals(ByteSize.ofMebibytes(64), status.plan().persistent());
    assertEquals(false, status.keyPresent());
  }

  @Test
  void an_unprivileged_root_uid_is_required() {
    assertThrows(IllegalArgumentException.class, () -> get(storage.open(IDS, 0)));
  }

  // ------------------------------------------------------------------------------------------------------------

  static <T> T get(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static Throwable failureOf(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (java.util.concurrent.ExecutionException e) {
      assertTrue(!(e.getCause() instanceof CompletionException), "wrapped: " + e.getCause());
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A container runtime that only has volumes. */
  static final class FakeVolumes implements ContainerRuntime {
    final List<StorageVolume> volumes = new CopyOnWriteArrayList<>();
    final List<String> created = new CopyOnWriteArrayList<>();
    final List<String> deleted = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Void> createVolume(VolumeSpec spec) {
      created.add(spec.name());
      volumes.add(new StorageVolume(spec.pool(), spec.name(), spec.config(), List.of()));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> deleteVolume(String pool, String volume) {
      deleted.add(volume);
      if (volumes.removeIf(v -> v.name().equals(volume))) {
        return CompletableFuture.completedFuture(null);
      }
      return CompletableFuture.failedFuture(
          new ContainerRuntimeException.NotFound("delete volume " + volume, 404, "Storage volume not found"));
    }

    @Override
    public CompletionStage<List<StorageVolume>> listVolumes(String pool) {
      return CompletableFuture.completedFuture(List.copyOf(volumes));
    }

    private static <T> CompletionStage<T> no() {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("not used by storage"));
    }

    @Override public CompletionStage<Void> create(ContainerSpec spec) { return no(); }
    @Override public CompletionStage<Void> start(String name) { return no(); }
    @Override public CompletionStage<Void> setConfig(String name, Map<String, String> c) { return no(); }
    @Override public CompletionStage<Void> stop(String name) { return no(); }
    @Override public CompletionStage<Void> stop(String name, Duration gracePeriod) { return no(); }
    @Override public CompletionStage<Void> delete(String name) { return no(); }
    @Override public CompletionStage<ContainerState> state(String name) { return no(); }
    @Override public CompletionStage<ContainerInfo> info(String name) { return no(); }
    @Override public CompletionStage<List<ContainerInfo>> list(ContainerSelector selector) { return no(); }
    @Override public CompletionStage<ExecResult> exec(String name, ExecRequest request) { return no(); }
    @Override public CompletionStage<Void> pushFile(String name, String path, ContainerFile file) { return no(); }
    @Override public CompletionStage<ContainerFile> pullFile(String name, String path) { return no(); }
    @Override public CompletionStage<Void> addDevice(String name, String deviceName, Device device) { return no(); }
    @Override public CompletionStage<Void> removeDevice(String name, String deviceName) { return no(); }
    @Override public Flow.Publisher<LifecycleEvent> lifecycleEvents() { throw new UnsupportedOperationException(); }
  }
}
