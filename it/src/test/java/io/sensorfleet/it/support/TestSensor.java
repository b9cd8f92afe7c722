package io.sensorfleet.it.support;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sensorfleet.actors.bus.PermissionGate;
import io.sensorfleet.actors.bus.PolicyStore;
import io.sensorfleet.actors.capture.CaptureProcess;
import io.sensorfleet.actors.capture.CaptureProcessSettings;
import io.sensorfleet.actors.capture.CaptureSupervisor;
import io.sensorfleet.actors.capture.CaptureSupervisorSettings;
import io.sensorfleet.actors.channel.ChannelSettings;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.actors.instrument.InstrumentSettings;
import io.sensorfleet.actors.resource.ResourceDistributor;
import io.sensorfleet.actors.resource.ResourceSettings;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.JournalSchema;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.runtime.ContainerSelector;
import io.sensorfleet.events.UserEventLog;
import io.sensorfleet.events.UserEventStore;
import io.sensorfleet.lxd.LxdRuntime;
import io.sensorfleet.network.HostNetworkProvisioner;
import io.sensorfleet.network.NetworkSettings;
import io.sensorfleet.storage.GocryptfsStorage;
import io.sensorfleet.storage.StorageSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.pattern.StatusReply;

/**
 * One sensor incarnation for integration tests: an actor system on a run's H2 file, with the Instrument registry
 * over real LXD, real network and storage adapters, and the bus (gate, policy store, user-event log); the audit log
 * is monitored by {@link #audits()}. Several incarnations of one {@link Run} follow each other on the same journal.
 */
public record TestSensor(ActorTestKit kit, ActorRef<InstrumentRegistry.Command> registry,
                         TestProbe<AuditLog.Command> audits, ActorRef<PermissionGate.Command> bus,
                         ActorRef<PolicyStore.Command> policy, ActorRef<CaptureSupervisor.Command> capture,
                         ActorRef<ResourceDistributor.Command> resources)
    implements AutoCloseable {

  public static final Duration TIMEOUT = Duration.ofSeconds(90);

  /**
   * One test class's run: containers named {@code sf-<id>-…}, a data directory, programs (the sample jar per
   * Instrument name) and a short runtime root for sockets. {@link #close} removes this run's containers, storage
   * and sockets, whatever a failed test left.
   */
  public record Run(String id, Path data, Path programs, Path runtimeRoot) implements AutoCloseable {

    /**
     * Prepares the directories and, for each of {@code names}, its program: the reference Instrument's own jar
     * ({@code instruments/<name>/target/<name>.jar}) when there is one, else the sample Instrument's jar.
     */
    public static Run create(String id, List<String> names) throws IOException {
      Path root = Path.of(System.getProperty("sensorfleet.root", "..")).toAbsolutePath().normalize();
      Path jar = root.resolve("instruments/sample/target/sample-instrument.jar");
      if (!Files.isRegularFile(jar)) {
        fail("the sample Instrument is not built: " + jar + " (run ./sensorfleet test, which builds it first)");
      }
      Path data = Files.createTempDirectory("sensorfleet-" + id);
      Path programs = data.resolve("programs");
      // Socket paths must stay under 108 bytes: a short root of our own under /tmp.
      Path runtimeRoot = Files.createDirectories(Path.of("/tmp", "sfr-" + id));
      for (String name : names) {
        Path dir = Files.createDirectories(programs.resolve(id + "-" + name));
        Path own = root.resolve("instruments/" + name + "/target/" + name + ".jar");
        Path program = Files.isDirectory(root.resolve("instruments/" + name)) ? own : jar;
        if (!Files.isRegularFile(program)) {
          fail("Instrument " + name + " is not built: " + program + " (run ./sensorfleet test, which builds it)");
        }
        Files.copy(program, dir.resolve(program.getFileName()));
      }
      return new Run(id, data, programs, runtimeRoot);
    }

    public InstrumentId instrument(String name) {
      return InstrumentId.of(id + "-" + name);
    }

    /**
     * Removes this run's containers, storage (mounts, volumes, keys) and directories. Every step runs even if an
     * earlier one failed, and whatever a purge could not close is unmounted lazily on the host afterwards (another
     * mount namespace, e.g. a long-lived {@code ip netns exec} process of someone else's test, may hold a copy of
     * a mount, and the storage then refuses to close it as in use): a run never leaves mounts under the storage's
     * mount directory. A failure is thrown at the end only if something of this run is still there.
     */
    @Override
    public void close() throws Exception {
      List<Throwable> failures = new ArrayList<>();
      ActorTestKit kit = ActorTestKit.create("cleanup");
      Path mountDir = null;
      try {
        LxdRuntime lxd = LxdRuntime.create(kit.system());
        Cleanup.step(failures, () -> {
          for (var info : lxd.list(ContainerSelector.prefix("sf-" + id + "-")).toCompletableFuture()
              .get(60, SECONDS)) {
            Cleanup.step(failures, () -> lxd.stop(info.name(), Duration.ZERO).exceptionally(e -> null)
                .thenCompose(v -> lxd.delete(info.name())).toCompletableFuture().get(60, SECONDS));
          }
        });
        // Storage of this run's Instruments: mounts closed, volumes and keys gone.
        Config config = ConfigFactory.load(ConfigFactory.parseMap(Map.of("sensor.data-dir",
            data.resolve("journal").toString())));
        StorageSettings settings = StorageSettings.fromRootConfig(config);
        mountDir = settings.mountDir();
        var storage = GocryptfsStorage.create(lxd, settings);
        try {
          List<InstrumentId> refused = new ArrayList<>();
          Cleanup.step(failures, () -> {
            for (var leftover : storage.list().toCompletableFuture().get(60, SECONDS)) {
              InstrumentId instrument = leftover.plan().id();
              if (instrument.value().startsWith(id + "-")) {
                try {
                  storage.purge(instrument).toCompletableFuture().get(60, SECONDS);
                } catch (Exception e) {
                  refused.add(instrument);
                  failures.add(e);
                }
              }
            }
          });
          Path dir = mountDir;
          Cleanup.step(failures, () -> unmountRunMounts(dir));
          // Once nothing is mounted on the host any more, the purge deletes the volume, key and record.
          for (InstrumentId instrument : refused) {
            Cleanup.step(failures, () -> storage.purge(instrument).toCompletableFuture().get(60, SECONDS));
          }
        } finally {
          storage.shutdown();
        }
        Cleanup.step(failures, () -> Http.get(kit.system()).shutdownAllConnectionPools().toCompletableFuture()
            .get(10, SECONDS));
      } finally {
        kit.shutdownTestKit();
      }
      if (mountDir != null) {
        Path dir = mountDir;
        Cleanup.step(failures, () -> unmountRunMounts(dir));
        Cleanup.step(failures, () -> {
          for (Path left : runDirectories(dir)) {
            deleteTree(left);
          }
        });
      }
      for (Path dir : List.of(runtimeRoot, data)) {
        Cleanup.step(failures, () -> deleteTree(dir));
      }
      List<String> remaining = mountDir == null ? List.of() : runMountPoints(mountDir);
      if (!remaining.isEmpty() || (mountDir != null && !runDirectories(mountDir).isEmpty())) {
        AssertionError error = new AssertionError("run " + id + " left mounts " + remaining + " or directories "
            + runDirectories(mountDir) + " under " + mountDir);
        failures.forEach(error::addSuppressed);
        throw error;
      }
      // Everything is gone; a step that failed on the way (e.g. a close refused because another namespace held a
      // copy of a mount, which the lazy unmount then ended) is reported, not thrown.
      for (Throwable failure : failures) {
        System.err.println("TestSensor.Run " + id + " cleanup: " + failure);
      }
    }

    /** Host mount points below this run's Instrument directories ({@code <mountDir>/<run>-<name>/...}). */
    List<String> runMountPoints(Path mountDir) throws IOException {
      String prefix = mountDir.resolve(id + "-").toString();
      List<String> points = new ArrayList<>();
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String point = line.split(" ")[4].replace("\\040", " ");
        if (point.startsWith(prefix)) {
          points.add(point);
        }
      }
      return points;
    }

    /** Unmounts (lazily: a FUSE daemon that died would hang a plain umount) this run's mounts, deepest first. */
    private void unmountRunMounts(Path mountDir) throws IOException, InterruptedException {
      List<String> points = runMountPoints(mountDir);
      points.sort(Comparator.reverseOrder());
      for (String point : points) {
        Process umount = new ProcessBuilder("umount", "-l", point).redirectErrorStream(true).start();
        String output = new String(umount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (umount.waitFor() != 0) {
          throw new IOException("umount -l " + point + " failed: " + output);
        }
      }
    }

    private List<Path> runDirectories(Path mountDir) throws IOException {
      if (!Files.isDirectory(mountDir)) {
        return List.of();
      }
      try (var dirs = Files.list(mountDir)) {
        return dirs.filter(d -> d.getFileName().toString().startsWith(id + "-")).toList();
      }
    }

    private static void deleteTree(Path dir) throws IOException {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  public static TestSensor start(Run run) throws Exception {
    return start(run, Map.of());
  }

  /** A sensor with some settings changed, e.g. a long restart backoff. */
  public static TestSensor start(Run run, Map<String, ?> overrides) throws Exception {
    Path journal = run.data().resolve("journal");
    Map<String, Object> settings = new HashMap<>(Map.of(
        "sensor.data-dir", journal.toString(),
        // Sensors follow each other in this JVM on one H2 file: keep the database open between them, or a new
        // sensor may open the file while H2 still compacts it on close (seen as MVStore read errors).
        "pekko-persistence-jdbc.shared-databases.sensorfleet.db.url", "jdbc:h2:file:" + journal
            + "/journal/sensorfleet;DATABASE_TO_UPPER=false;DB_CLOSE_ON_EXIT=FALSE;DB_CLOSE_DELAY=-1;WRITE_DELAY=0",
        "sensor.instruments.programs-root", run.programs().toString(),
        "sensor.instruments.hello-timeout", "60s",
        "sensor.instruments.restart-backoff-min", "500ms",
        "sensor.instruments.retention-interval", "2s",
        "sensor.channel.runtime-root", run.runtimeRoot().toString()));
    settings.putAll(overrides);
    Config config = ConfigFactory.load(ConfigFactory.parseMap(settings));
    ActorTestKit kit = ActorTestKit.create("sensor", config);
    JournalSchema.ensure(kit.system()).toCompletableFuture().get(30, SECONDS);
    TestProbe<AuditLog.Command> audits = kit.createTestProbe();
    var audit = kit.spawn(Behaviors.monitor(AuditLog.Command.class, audits.ref(), AuditLog.create(Clock.systemUTC())));
    var network = HostNetworkProvisioner.create(NetworkSettings.fromRootConfig(config),
        kit.system().dispatchers().lookup(DispatcherSelector.blocking()));
    var lxd = LxdRuntime.create(kit.system());
    var storage = GocryptfsStorage.create(lxd, StorageSettings.fromRootConfig(config));
    var userEvents = kit.spawn(UserEventLog.create(UserEventStore.create(kit.system()), 1000, Duration.ofSeconds(1)),
        "user-events");
    var bus = kit.spawn(PermissionGate.create(audit, userEvents, Clock.systemUTC()), "bus");
    var policy = kit.spawn(PolicyStore.create(bus, audit, Clock.systemUTC()), "permission-policy");
    var capture = kit.spawn(CaptureSupervisor.create(CaptureSupervisorSettings.from(config),
        CaptureProcess.create(CaptureProcessSettings.from(config),
            kit.system().dispatchers().lookup(DispatcherSelector.blocking())),
        network, audit, Clock.systemUTC()), "capture");
    var deps = new Instrument.Deps(lxd, network, storage, InstrumentSettings.from(config),
        ChannelSettings.from(config), audit, bus, kit.system().ignoreRef(), Clock.systemUTC(), capture);
    var registry = kit.spawn(InstrumentRegistry.create(deps), "instruments");
    var resources = kit.spawn(ResourceDistributor.create(ResourceSettings.from(config), registry, bus, lxd, audit),
        "resources");
    return new TestSensor(kit, registry, audits, bus, policy, capture, resources);
  }

  /** Asks the registry; the status, or the failure. */
  public Instrument.Status ask(Function<ActorRef<StatusReply<Instrument.Status>>, InstrumentRegistry.Command> command)
      throws Exception {
    return askWithStatus(registry, command);
  }

  /** Asks any actor of this sensor that answers with a status reply. */
  public <C, T> T askWithStatus(ActorRef<C> target, Function<ActorRef<StatusReply<T>>, C> command)
      throws Exception {
    CompletionStage<T> reply = AskPattern.askWithStatus(target, command::apply, TIMEOUT, kit.system().scheduler());
    return reply.toCompletableFuture().get(TIMEOUT.toSeconds(), SECONDS);
  }

  public List<Instrument.Status> list() throws Exception {
    return AskPattern.<InstrumentRegistry.Command, List<Instrument.Status>>ask(
            registry, InstrumentRegistry.GetInstruments::new, TIMEOUT, kit.system().scheduler())
        .toCompletableFuture().get(TIMEOUT.toSeconds(), SECONDS);
  }

  /** The latest status of {@code id}. */
  public Instrument.Status status(InstrumentId id) throws Exception {
    return list().stream().filter(s -> s.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no Instrument " + id));
  }

  @Override
  public void close() throws Exception {
    Http.get(kit.system()).shutdownAllConnectionPools().toCompletableFuture().get(10, SECONDS);
    kit.shutdownTestKit();
  }
}
