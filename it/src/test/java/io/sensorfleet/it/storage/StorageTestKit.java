package io.sensorfleet.it.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.runtime.ContainerInfo;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.ContainerSelector;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.ExecRequest;
import io.sensorfleet.core.runtime.ExecResult;
import io.sensorfleet.core.runtime.ResourceLimits;
import io.sensorfleet.core.runtime.SecureDefaults;
import io.sensorfleet.core.runtime.StorageVolume;
import io.sensorfleet.core.storage.DeviceAttachment;
import io.sensorfleet.core.storage.StorageStatus;
import io.sensorfleet.it.support.Cleanup;
import io.sensorfleet.lxd.LxdRuntime;
import io.sensorfleet.storage.GocryptfsStorage;
import io.sensorfleet.storage.StorageSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * What the storage ITs share: LXD, a btrfs pool of their own ({@code sft-<run>}, 1 GiB on a loop file), the
 * storage adapter on it with a temporary data directory (keys) and mount directory, real containers from
 * {@code sensorfleet/base}. Everything carries the run's prefix; {@link #close} unmounts, purges and deletes all of
 * it, failed test or not, and {@link #start} first sweeps what crashed runs left (older than ten minutes). It fails
 * loudly, never skips, when LXD, the image, gocryptfs, fusermount or btrfs is missing.
 */
final class StorageTestKit implements AutoCloseable {

  static final String TEST_PREFIX = "sft-";
  static final String IMAGE = "sensorfleet/base";
  static final String POOL_SIZE = "1GiB";
  static final ResourceLimits LIMITS = ResourceLimits.of(1, 128, 100);
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final int INSTRUMENT_UID = 1000;
  private static final Duration LEFTOVER_AGE = Duration.ofMinutes(10);
  private static final String CREATED_KEY = "user.sft-created";
  private static final Path RUN = Path.of("/run");

  final ActorSystem<Void> system;
  final LxdRuntime lxd;
  final String runId;
  final String prefix;
  final String pool;
  final Path dataDir;
  final Path mountDir;
  final StorageSettings settings;
  final GocryptfsStorage storage;
  private final List<GocryptfsStorage> restarted = new ArrayList<>();

  private StorageTestKit(ActorSystem<Void> system, LxdRuntime lxd, String runId, Path dataDir, Path mountDir) {
    this.system = system;
    this.lxd = lxd;
    this.runId = runId;
    this.prefix = TEST_PREFIX + runId + "-";
    this.pool = TEST_PREFIX + runId;
    this.dataDir = dataDir;
    this.mountDir = mountDir;
    this.settings = StorageSettings.fromRootConfig(ConfigFactory.load())
        .withDirectories(dataDir, mountDir)
        .withPool(pool);
    this.storage = GocryptfsStorage.create(lxd, settings);
  }

  static StorageTestKit start() {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "storage-it");
    try {
      LxdRuntime lxd = LxdRuntime.create(system);
      try {
        lxd.serverInfo().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        fail("LXD is not running: run scripts/setup.sh (" + lxd.settings().socket() + ": "
            + (e instanceof ExecutionException ? e.getCause().getMessage() : "no answer in 10 s") + ")", e);
      }
      for (String tool : List.of("gocryptfs", "fusermount", "btrfs", "lxc")) {
        if (run("sh", "-c", "command -v " + tool).exitCode() != 0) {
          fail(tool + " is not installed: run scripts/setup.sh");
        }
      }
      if (!await(lxd.hasImageAlias(IMAGE))) {
        fail("image " + IMAGE + " is missing: run scripts/setup.sh");
      }
      sweepLeftovers(lxd);
      String runId = randomId();
      String pool = TEST_PREFIX + runId;
      check("lxc", "storage", "create", pool, "btrfs", "size=" + POOL_SIZE,
          CREATED_KEY + "=" + Instant.now().getEpochSecond());
      Path dataDir = Files.createDirectories(Path.of("/tmp", TEST_PREFIX + "storage-" + runId));
      Path mountDir = RUN.resolve(TEST_PREFIX + "storage-" + runId);
      return new StorageTestKit(system, lxd, runId, dataDir, mountDir);
    } catch (RuntimeException | Error | IOException | InterruptedException e) {
      terminate(system);
      if (e instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("cannot start the storage test kit: " + e, e);
    }
  }

  /** An Instrument id with this run's prefix; it doubles as its container's name. */
  InstrumentId id(String suffix) {
    return InstrumentId.of(prefix + suffix);
  }

  /** The same storage as a freshly started sensor would have it: a new adapter on the same directories. */
  GocryptfsStorage restartedSensor() {
    return storageWith(settings);
  }

  /** Another adapter, e.g. on another pool; shut down with the kit. */
  GocryptfsStorage storageWith(StorageSettings other) {
    GocryptfsStorage fresh = GocryptfsStorage.create(lxd, other);
    restarted.add(fresh);
    return fresh;
  }

  /**
   * Creates the Instrument's container (stopped), one at a time, and makes sure LXD gave it a uid range of its
   * own: LXD 5.0.2 can hand out a bad or duplicate range when isolated containers are created concurrently by
   * anyone on the daemon (docs/lxd-setup.md), so a bad one is deleted and created again.
   */
  synchronized String createContainer(InstrumentId id) {
    String name = id.value();
    ContainerSpec spec = SecureDefaults.apply(ContainerSpec.of(name, IMAGE).withLabel("sft-run", runId), LIMITS);
    for (int attempt = 1; ; attempt++) {
      await(lxd.create(spec));
      ContainerInfo info = await(lxd.info(name));
      long base = Long.parseLong(info.config().getOrDefault("volatile.idmap.base", "0"));
      Set<Long> others = new HashSet<>();
      for (ContainerInfo c : await(lxd.list(ContainerSelector.all()))) {
        if (!c.name().equals(name)) {
          others.add(Long.parseLong(c.config().getOrDefault("volatile.idmap.base", "-1")));
        }
      }
      if (base >= 100000 && !others.contains(base)) {
        return name;
      }
      await(lxd.delete(name));
      if (attempt == 3) {
        fail("LXD gave " + name + " a bad or shared uid range three times (base " + base + ")");
      }
    }
  }

  /** The host uid of root in the container ({@code volatile.idmap.base}). */
  long rootHostUid(String container) {
    return await(lxd.info(container)).rootHostUid().orElseThrow(() -> new AssertionError(container + " has no idmap"));
  }

  /** Opens the Instrument's storage for its container and adds the devices to it (stopped). */
  void openAndAttach(GocryptfsStorage on, InstrumentId id) {
    String name = id.value();
    List<DeviceAttachment> devices = await(on.open(id, rootHostUid(name)));
    var existing = await(lxd.info(name)).devices();
    for (DeviceAttachment d : devices) {
      if (!existing.containsKey(d.name())) {
        await(lxd.addDevice(name, d.name(), d.device()));
      }
    }
  }

  /** Runs a shell script as root in the container; requires exit code 0 and returns stdout. */
  String sh(String container, String script) {
    ExecResult result = await(lxd.exec(container, "sh", "-c", script));
    assertEquals(0, result.exitCode(), () -> "'" + script + "' failed: " + result);
    return result.stdout();
  }

  /** Runs a shell script as the instrument user (1000:1000), as the Instrument's program would run. */
  ExecResult asInstrument(String container, String script) {
    return await(lxd.exec(container,
        ExecRequest.of("sh", "-c", script).asUser(INSTRUMENT_UID, INSTRUMENT_UID).withWorkingDirectory("/")));
  }

  String shAsInstrument(String container, String script) {
    ExecResult result = asInstrument(container, script);
    assertEquals(0, result.exitCode(), () -> "'" + script + "' as instrument failed: " + result);
    return result.stdout();
  }

  /** The host file behind the pool: the loop image btrfs lives in. */
  Path loopFile() {
    return settings.lxdDir().resolve("disks").resolve(pool + ".img");
  }

  /** The host directory of a container's root filesystem (dir pool). */
  Path rootfs(String container) {
    return settings.lxdDir().resolve("containers").resolve(container).resolve("rootfs");
  }

  static <T> T await(CompletionStage<T> stage) {
    return io.sensorfleet.it.support.Stages.await(stage, TIMEOUT);
  }

  /** The failure the stage ends with, as it is (not wrapped); fails the test if it succeeds. */
  static <E extends Throwable> E failure(Class<E> expected, CompletionStage<?> stage) {
    return io.sensorfleet.it.support.Stages.failure(expected, stage, TIMEOUT);
  }

  record Result(int exitCode, String stdout, String stderr) {}

  /** Runs a host command and returns how it ended. */
  static Result run(String... argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .start();
      var err = p.getErrorStream();
      var errText = new StringBuilder();
      Thread reader = Thread.ofVirtual().start(() -> {
        try {
          errText.append(new String(err.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
          errText.append(e);
        }
      });
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(String.join(" ", argv) + " did not finish within " + TIMEOUT);
      }
      reader.join();
      return new Result(p.exitValue(), out, errText.toString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", argv), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs a host command, requiring exit code 0; returns stdout. */
  static String check(String... argv) {
    Result r = run(argv);
    assertEquals(0, r.exitCode(), () -> String.join(" ", argv) + " failed: " + r);
    return r.stdout();
  }

  /**
   * Deletes this run's containers, purges every storage (unmounting it), and deletes the pool and the
   * directories, each step even if an earlier one failed; the first failure is rethrown at the end.
   */
  @Override
  public void close() {
    List<Throwable> failures = new ArrayList<>();
    Cleanup.step(failures, () -> deleteContainers(lxd, prefix, Instant.MAX));
    Cleanup.step(failures, () -> {
      for (StorageStatus s : await(storage.list())) {
        Cleanup.step(failures, () -> await(storage.purge(s.plan().id())));
      }
    });
    Cleanup.step(failures, () -> unmountUnder(mountDir));
    Cleanup.step(failures, () -> deletePool(lxd, pool));
    Cleanup.step(failures, () -> deleteTree(mountDir));
    Cleanup.step(failures, () -> deleteTree(dataDir));
    storage.shutdown();
    restarted.forEach(GocryptfsStorage::shutdown);
    terminate(system);
    if (!failures.isEmpty()) {
      var first = failures.getFirst();
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw first instanceof RuntimeException r ? r : new IllegalStateException(first);
    }
  }

  /** Left-overs of crashed runs: mounts, containers, pools and directories with the prefix, older than 10 min. */
  private static void sweepLeftovers(LxdRuntime lxd) throws IOException {
    Instant before = Instant.now().minus(LEFTOVER_AGE);
    try (Stream<Path> dirs = Files.list(RUN)) {
      for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(TEST_PREFIX + "storage-")).toList()) {
        if (Files.getLastModifiedTime(dir).toInstant().isBefore(before)) {
          unmountUnder(dir);
          deleteTree(dir);
        }
      }
    }
    deleteContainers(lxd, TEST_PREFIX, before);
    String pools = check("lxc", "query", "/1.0/storage-pools?recursion=1");
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(pools);
    for (var p : json) {
      String name = p.path("name").asText();
      String created = p.path("config").path(CREATED_KEY).asText("");
      if (name.startsWith(TEST_PREFIX) && !created.isEmpty()
          && Instant.ofEpochSecond(Long.parseLong(created)).isBefore(before)) {
        deletePool(lxd, name);
      }
    }
  }

  /** Unmounts everything mounted at or below {@code dir}, deepest first (lazily: a dead FUSE mount would hang). */
  static void unmountUnder(Path dir) throws IOException {
    List<String> points = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String point = line.split(" ")[4].replace("\\040", " ");
      if (point.equals(dir.toString()) || point.startsWith(dir + "/")) {
        points.add(point);
      }
    }
    points.sort(Comparator.reverseOrder());
    for (String point : points) {
      run("umount", "-l", point);
    }
  }

  private static void deleteContainers(LxdRuntime lxd, String namePrefix, Instant createdBefore) {
    for (ContainerInfo c : await(lxd.list(ContainerSelector.prefix(namePrefix)))) {
      if (c.createdAt().isBefore(createdBefore)) {
        try {
          await(lxd.stop(c.name(), Duration.ZERO));
        } catch (ContainerRuntimeException.Conflict alreadyStopped) {
          // Fine.
        }
        await(lxd.delete(c.name()));
      }
    }
  }

  private static void deletePool(LxdRuntime lxd, String pool) {
    if (run("lxc", "storage", "show", pool).exitCode() != 0) {
      return;
    }
    for (StorageVolume v : await(lxd.listVolumes(pool))) {
      await(lxd.deleteVolume(pool, v.name()));
    }
    check("lxc", "storage", "delete", pool);
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String randomId() {
    return io.sensorfleet.it.support.Stages.randomId();
  }

  private static void terminate(ActorSystem<Void> system) {
    io.sensorfleet.it.support.Stages.terminate(system);
  }
}
