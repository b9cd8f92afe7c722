package io.sensorfleet.it.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.sensorfleet.core.runtime.ContainerInfo;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.ContainerSelector;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.ExecResult;
import io.sensorfleet.core.runtime.ResourceLimits;
import io.sensorfleet.core.runtime.SecureDefaults;
import io.sensorfleet.core.runtime.StorageVolume;
import io.sensorfleet.core.runtime.VolumeSpec;
import io.sensorfleet.lxd.LxdRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the LXD ITs share, as a JUnit extension each registers on a static field
 * ({@code @RegisterExtension static final LxdTestKit kit = new LxdTestKit();}): an actor system, the runtime on the system's LXD, a name prefix of their own
 * ({@code sft-<6 random>-}), the image to use, and cleanup. Every object a test creates carries the prefix;
 * {@link #close} deletes all of them, failed test or not, and {@link #beforeAll} first sweeps what crashed runs left
 * behind (containers, volumes and {@code /tmp/sft-*} directories older than ten minutes, so that a parallel run
 * keeps its own). Nothing without the {@code sft-} prefix is touched.
 */
final class LxdTestKit implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  static final String TEST_PREFIX = "sft-";
  static final String POOL = "default";
  /** The image setup imports; the ITs build their own busybox image while it is missing. */
  static final String BASE_IMAGE = "sensorfleet/base";
  static final String FALLBACK_IMAGE = "sft-test/busybox";
  static final ResourceLimits LIMITS = ResourceLimits.of(1, 128, 100);
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Duration LEFTOVER_AGE = Duration.ofMinutes(10);
  private static final String RUN_LABEL = "sft-run";
  private static final String CREATED_KEY = "user.sft-created";
  private static final AtomicBoolean SWEPT = new AtomicBoolean();

  ActorSystem<Void> system;
  LxdRuntime lxd;
  String runId;
  String prefix;
  String image;
  private Path hostDir;

  /** Connects to LXD before the class's tests, failing loudly (never skipping) when it is not there. */
  @Override
  public void beforeAll(ExtensionContext context) {
    system = ActorSystem.create(Behaviors.empty(), "lxd-it");
    try {
      lxd = LxdRuntime.create(system);
      try {
        lxd.serverInfo().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        fail("LXD is not running: run ./sensorfleet setup (" + lxd.settings().socket() + ": "
            + (e instanceof ExecutionException ? e.getCause().getMessage() : "no answer in 10 s") + ")", e);
      }
      if (SWEPT.compareAndSet(false, true)) {
        sweepLeftovers(lxd);
      }
      runId = randomId();
      prefix = TEST_PREFIX + runId + "-";
      hostDir = Files.createDirectories(Path.of("/tmp", TEST_PREFIX + runId));
      Files.setPosixFilePermissions(hostDir, PosixFilePermissions.fromString("rwxr-xr-x"));
      image = ensureImage(lxd);
    } catch (RuntimeException | Error | IOException | InterruptedException e) {
      terminate(system);
      lxd = null;
      if (e instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("cannot start the LXD test kit: " + e, e);
    }
  }

  /** After the class's tests (and its own {@code @AfterAll}): see {@link #close}. */
  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (lxd != null) {
      close();
    }
  }

  /** A name with this run's prefix. */
  String name(String suffix) {
    return prefix + suffix;
  }

  /** An Instrument-like spec: this run's image, secure defaults, the run label. */
  ContainerSpec spec(String suffix) {
    return SecureDefaults.apply(ContainerSpec.of(name(suffix), image).withLabel(RUN_LABEL, runId), LIMITS);
  }

  /** Creates and starts a container from {@code spec}; returns its name. */
  String running(ContainerSpec spec) {
    await(lxd.create(spec));
    await(lxd.start(spec.name()));
    return spec.name();
  }

  String running(String suffix) {
    return running(spec(suffix));
  }

  /** Runs a shell script in the container and requires exit code 0; returns stdout. */
  String sh(String container, String script) {
    ExecResult result = await(lxd.exec(container, "sh", "-c", script));
    assertEquals(0, result.exitCode(), () -> "'" + script + "' failed: " + result);
    return result.stdout();
  }

  VolumeSpec volume(String suffix) {
    return new VolumeSpec(POOL, name(suffix), Map.of(CREATED_KEY, Long.toString(Instant.now().getEpochSecond())));
  }

  /** A fresh host directory under {@code /tmp/sft-<run>/} (short, for unix socket paths), mode 0755. */
  Path hostDirectory(String suffix) throws IOException {
    Path dir = Files.createDirectories(hostDir.resolve(suffix));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  /** The stage's value; its failure rethrown as it is (a {@code ContainerRuntimeException} stays one). */
  static <T> T await(CompletionStage<T> stage) {
    return io.sensorfleet.it.support.Stages.await(stage, TIMEOUT);
  }

  /** The failure the stage ends with; fails the test if it succeeds. */
  static <E extends ContainerRuntimeException> E failure(Class<E> expected, CompletionStage<?> stage) {
    return io.sensorfleet.it.support.Stages.failure(expected, stage, TIMEOUT);
  }

  /** Deletes every container and volume of this run, and its host directories, then stops the actor system. */
  @Override
  public void close() throws IOException {
    try {
      deleteAll(lxd, ContainerSelector.prefix(prefix), v -> v.name().startsWith(prefix));
    } finally {
      try {
        deleteTree(hostDir);
      } finally {
        terminate(system);
      }
    }
  }

  private static void sweepLeftovers(LxdRuntime lxd) {
    Instant before = Instant.now().minus(LEFTOVER_AGE);
    deleteContainers(lxd, await(lxd.list(ContainerSelector.prefix(TEST_PREFIX))).stream()
        .filter(c -> c.createdAt().isBefore(before)).toList());
    deleteVolumes(lxd, v -> v.name().startsWith(TEST_PREFIX) && createdBefore(v, before));
    try (Stream<Path> dirs = Files.list(Path.of("/tmp"))) {
      for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(TEST_PREFIX)).toList()) {
        if (Files.getLastModifiedTime(dir).toInstant().isBefore(before)) {
          deleteTree(dir);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sweep old host directories in /tmp", e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void deleteAll(LxdRuntime lxd, ContainerSelector containers, Predicate<StorageVolume> volumes) {
    deleteContainers(lxd, await(lxd.list(containers)));
    deleteVolumes(lxd, volumes);
  }

  private static void deleteVolumes(LxdRuntime lxd, Predicate<StorageVolume> volumes) {
    for (StorageVolume v : await(lxd.listVolumes(POOL))) {
      if (volumes.test(v) && v.usedBy().isEmpty()) {
        await(lxd.deleteVolume(POOL, v.name()));
      }
    }
  }

  private static boolean createdBefore(StorageVolume v, Instant before) {
    try {
      return Instant.ofEpochSecond(Long.parseLong(v.config().getOrDefault(CREATED_KEY, "0"))).isBefore(before);
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /** Force-stops and deletes containers, all at once: LXD handles them in parallel. */
  private static void deleteContainers(LxdRuntime lxd, List<ContainerInfo> containers) {
    var deletions = new ArrayList<CompletableFuture<Void>>();
    for (ContainerInfo c : containers) {
      deletions.add(lxd.stop(c.name(), Duration.ZERO)
          .exceptionallyCompose(e -> e instanceof ContainerRuntimeException.Conflict
              ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(e))
          .thenCompose(stopped -> lxd.delete(c.name()))
          .toCompletableFuture());
    }
    await(CompletableFuture.allOf(deletions.toArray(CompletableFuture[]::new)));
  }

  private static String ensureImage(LxdRuntime lxd) throws IOException, InterruptedException {
    if (await(lxd.hasImageAlias(BASE_IMAGE))) {
      return BASE_IMAGE;
    }
    if (!await(lxd.hasImageAlias(FALLBACK_IMAGE))) {
      Path script = Files.createTempFile("sft-image", ".sh");
      try (InputStream in = LxdTestKit.class.getResourceAsStream("/lxd/build-test-image.sh")) {
        Files.write(script, in.readAllBytes());
        Process p = new ProcessBuilder("sh", script.toString(), FALLBACK_IMAGE).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // A parallel run may have imported it first: only the alias's presence counts.
        if (p.waitFor() != 0 && !await(lxd.hasImageAlias(FALLBACK_IMAGE))) {
          fail("cannot import the test image " + FALLBACK_IMAGE + ":\n" + output);
        }
      } finally {
        Files.deleteIfExists(script);
      }
    }
    return FALLBACK_IMAGE;
  }

  private static String randomId() {
    return io.sensorfleet.it.support.Stages.randomId();
  }

  private static void terminate(ActorSystem<Void> system) {
    io.sensorfleet.it.support.Stages.terminate(system);
  }
}
