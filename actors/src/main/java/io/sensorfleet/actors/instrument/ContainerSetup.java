package io.sensorfleet.actors.instrument;

import io.sensorfleet.actors.capture.CaptureSupervisor;
import io.sensorfleet.actors.channel.BusSocket;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ControlChannel;
import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.manifest.StaticAddress;
import io.sensorfleet.core.network.LxcNetworkConfig;
import io.sensorfleet.core.network.NetworkPlan;
import io.sensorfleet.core.runtime.ContainerFile;
import io.sensorfleet.core.runtime.ContainerInfo;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.ContainerState;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.core.runtime.ExecResult;
import io.sensorfleet.core.runtime.ResourceLimits;
import io.sensorfleet.core.runtime.SecureDefaults;
import io.sensorfleet.core.storage.StorageRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;

/**
 * The LXD, network and storage work of one {@link Instrument}'s steps, as stages: what a create, a start, a stop
 * or a remove does to the host. It holds no state of the actor's: the actor builds a stage on its own thread, pipes
 * its outcome to itself and decides what comes next; every method here may run later, on any thread.
 */
final class ContainerSetup {

  static final int INSTRUMENT_UID = 1000;  // the `instrument` user of the base images (lxd-setup.md)
  static final String BUS_DEVICE = "bus";
  static final String PROGRAM_DEVICE = "program";
  static final String CONTROL_DEVICE = "control";
  static final String UI_DEVICE = "ui";
  static final String TCP_CONTROL_LISTEN = "tcp:" + ControlChannel.TCP_HOST + ":" + ControlChannel.TCP_PORT;
  static final String ENTRYPOINT = "/etc/sensorfleet/entrypoint";
  static final String LABEL = "sensorfleet.instrument";
  static final String RAW_LXC = "raw.lxc";
  static final String RESOLV_CONF = "/etc/resolv.conf";

  private final InstrumentId id;
  private final Instrument.Deps deps;
  private final Scheduler scheduler;
  private final Logger log;

  ContainerSetup(InstrumentId id, Instrument.Deps deps, Scheduler scheduler, Logger log) {
    this.id = id;
    this.deps = deps;
    this.scheduler = scheduler;
    this.log = log;
  }

  /** The container's state as LXD has it now; empty when there is no such container. */
  CompletionStage<Optional<ContainerState>> probe() {
    return deps.runtime().state(containerName()).thenApply(Optional::of)
        .exceptionallyCompose(e -> is(e, ContainerRuntimeException.NotFound.class)
            ? CompletableFuture.completedFuture(Optional.empty()) : CompletableFuture.failedFuture(e));
  }

  /** Creates the container (secure defaults, the manifest's limits), prepares its storage, writes its entrypoint. */
  CompletionStage<Void> create(InstrumentManifest manifest) {
    ContainerSpec spec = SecureDefaults.apply(
        ContainerSpec.of(containerName(), manifest.image().value())
            .withLabel(LABEL, id.value())
            .withConfig("environment.SENSORFLEET_INSTRUMENT", id.value()),
        ResourceLimits.of(manifest.limits().cpus(), manifest.limits().memory().bytes() / (1024 * 1024),
            manifest.limits().processes()));
    spec = spec.withConfig(RAW_LXC, rawLxc(manifest.network()));
    CompletionStage<Void> created = deps.runtime().create(spec)
        .thenCompose(v -> deps.storage().prepare(id, StorageRequest.of(manifest.storage())))
        .thenApply(plan -> (Void) null);
    if (!manifest.command().isEmpty()) {
      byte[] entrypoint = entrypoint(manifest.command()).getBytes(StandardCharsets.UTF_8);
      created = created.thenCompose(v -> deps.runtime().pushFile(containerName(), ENTRYPOINT,
          new ContainerFile(entrypoint, 0, 0, 0755)));
    }
    return created;
  }

  /** The container's {@code raw.lxc} for its network {@code mode}: see {@link LxcNetworkConfig#rawLxc}. */
  static String rawLxc(NetworkMode mode) {
    return LxcNetworkConfig.rawLxc(mode);
  }

  /** The image's sf-init runs this as the unprivileged `instrument` user. */
  static String entrypoint(List<String> command) {
    return "#!/bin/sh\n# written by the sensor from the Instrument's manifest\nexec "
        + command.stream().map(ContainerSetup::shellQuote).collect(Collectors.joining(" ")) + "\n";
  }

  static String shellQuote(String arg) {
    return "'" + arg.replace("'", "'\\''") + "'";
  }

  /**
   * Everything between an inspected container and a running one: the bus directory, storage, UI and control
   * sockets, the program, {@code raw.lxc}, name servers and NICs as devices; then LXD's start (unless {@code adopt}:
   * it runs already) and, for a passive Instrument, its branch of the Capture Engine.
   */
  CompletionStage<Void> start(InstrumentManifest manifest, ContainerInfo info, Path busDir, boolean adopt,
                              ActorRef<Long> blocked) {
    CompletionStage<Void> devices = ensureDevice(info, BUS_DEVICE,
        new Device.Disk(busDir.toString(), "/run/sensorfleet", false))
        // Persistent (encrypted, quota'd) and transient storage: mounted on the host for this uid range.
        .thenCompose(v -> deps.storage().open(id, info.rootHostUid().orElseThrow()))
        .thenCompose(attachments -> {
          CompletionStage<Void> all = CompletableFuture.completedFuture(null);
          for (var attachment : attachments) {
            all = all.thenCompose(v -> ensureDevice(info, attachment.name(), attachment.device()));
          }
          return all;
        });
    var ui = manifest.ui();
    if (ui.isPresent()) {
      // Fleet Management's only way to the Instrument's UI: a host socket only root reaches (lxd.md: ~1 s of start).
      Path socket = Instrument.uiSocket(deps.channel().runtimeRoot(), id);
      devices = devices.thenCompose(v -> {
        try {
          Files.createDirectories(socket.getParent(),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
          // The key with which the proxy signs who is calling (UiSignature), for the UI to check.
          int uid = (int) info.rootHostUid().orElseThrow() + INSTRUMENT_UID;
          UiKeys.handOver(new UiKeys(deps.settings().uiKeysDir()).keyFor(id), busDir, uid, uid);
        } catch (IOException e) {
          return CompletableFuture.failedFuture(e);
        }
        return ensureDevice(info, UI_DEVICE, new Device.Proxy("unix:" + socket,
            "tcp:127.0.0.1:" + ui.get().port(), Device.Proxy.Bind.HOST).withSocketPermissions(0, 0, 0600));
      });
    }
    if (manifest.control() == ControlChannel.TCP) {
      // About 1 s more per start (lxd.md), so only for Instruments that ask: busybox tools have no unix sockets.
      devices = devices.thenCompose(v -> ensureDevice(info, CONTROL_DEVICE, new Device.Proxy(TCP_CONTROL_LISTEN,
          "unix:" + busDir.resolve(BusSocket.SOCKET_NAME), Device.Proxy.Bind.CONTAINER)));
    }
    var program = deps.settings().programsRoot().resolve(id.value());
    if (Files.isDirectory(program)) {
      devices = devices.thenCompose(v -> ensureDevice(info, PROGRAM_DEVICE,
          new Device.Disk(program.toAbsolutePath().toString(), "/opt/instrument", true)));
    }
    var mode = manifest.network();
    // The container may predate its manifest's address (or the platform's way of setting it): LXC applies raw.lxc
    // at the next start; an adopted container that runs without it gets the address now as well.
    String rawLxc = rawLxc(mode);
    if (!rawLxc.equals(info.config().get(RAW_LXC))) {
      devices = devices.thenCompose(v -> deps.runtime().setConfig(containerName(), Map.of(RAW_LXC, rawLxc)));
      if (adopt && mode.staticAddress().isPresent()) {
        devices = devices.thenCompose(v -> applyAddressNow(mode.staticAddress().get()));
      }
    }
    // Name servers from the manifest: written at every start (the image has no resolv.conf; whatever root inside
    // wrote there since is replaced), and on adopt.
    var servers = mode.staticAddress().filter(address -> !address.dns().isEmpty());
    if (servers.isPresent()) {
      byte[] resolv = servers.get().resolvConf().getBytes(StandardCharsets.UTF_8);
      devices = devices.thenCompose(v -> deps.runtime().pushFile(containerName(), RESOLV_CONF,
          new ContainerFile(resolv, 0, 0, 0644)));
    }
    // Adopting a running container: its devices are there; the host's rules may not be (host reboot, nft flush).
    CompletionStage<Map<String, Device>> nicsUp = adopt
        ? devices.thenCompose(v -> deps.network().adopt(id, mode)).thenApply(v -> info.devices())
        : devices
        .thenCompose(v -> deps.network().plan(id, mode))
        .thenCompose(plan -> {
          CompletionStage<Void> nics = CompletableFuture.completedFuture(null);
          for (var device : plan.devices().entrySet()) {
            nics = nics.thenCompose(v -> ensureDevice(info, device.getKey(), device.getValue()));
          }
          return nics.thenApply(v -> plan.devices());
        });
    return nicsUp
        .thenCompose(nics -> adopt ? CompletableFuture.completedFuture(nics)
            : deps.runtime().start(containerName()).thenApply(v -> nics))
        // A passive Instrument's branch of the Capture Engine, once its veth exists (also when adopted).
        .thenCompose(nics -> mode instanceof NetworkMode.Passive passive ? attachCapture(nics, passive, blocked)
            : CompletableFuture.completedFuture(null));
  }

  /**
   * Sets {@code address} on the running container's NIC through LXD's exec, as root, as LXC would have at start
   * ({@code ip} of the image; busybox has it). Failing to is a failed start: the Instrument would run without the
   * address it declared.
   */
  private CompletionStage<Void> applyAddressNow(StaticAddress address) {
    String name = containerName();
    String nic = NetworkPlan.NIC;
    CompletionStage<ExecResult> done = deps.runtime().exec(name, "ip", "addr", "add", address.address(),
        "broadcast", address.broadcast(), "dev", nic);
    if (address.gateway().isPresent()) {
      String gateway = address.gateway().get();
      done = done.thenCompose(added -> added.succeeded()
          ? deps.runtime().exec(name, "ip", "route", "add", "default", "via", gateway, "dev", nic)
          : CompletableFuture.completedFuture(added));
    }
    // "File exists": someone (an earlier sensor, the Instrument itself) already set it.
    return done.thenCompose(result -> result.succeeded() || result.stderr().contains("File exists")
        ? CompletableFuture.<Void>completedFuture(null)
        : CompletableFuture.failedFuture(new IllegalStateException("setting " + address.address() + " on " + nic
            + " failed: " + result.stderr().strip())));
  }

  /**
   * A passive Instrument's branch of the Capture Engine: its p2p NIC's host end, its manifest's filter. Fails the
   * start when there is no capture engine to attach to (no capture interface, or libpcap refused the filter).
   */
  private CompletionStage<Void> attachCapture(Map<String, Device> nics, NetworkMode.Passive mode,
                                              ActorRef<Long> blocked) {
    return nics.values().stream().filter(d -> d instanceof Device.P2p).map(d -> ((Device.P2p) d).hostName())
        .findFirst()
        .map(port -> AskPattern.<CaptureSupervisor.Command, Done>askWithStatus(deps.capture(),
                r -> new CaptureSupervisor.Attach(id, port, mode.filter(), blocked, r),
                deps.settings().helloTimeout(), scheduler)
            .thenApply(done -> (Void) null))
        .orElseGet(() -> CompletableFuture.failedFuture(new IllegalStateException("capture: the passive"
            + " Instrument has no p2p interface to mirror to")));
  }

  private CompletionStage<Void> ensureDevice(ContainerInfo info, String name, Device device) {
    if (device.equals(info.devices().get(name))) {
      return CompletableFuture.completedFuture(null);
    }
    CompletionStage<Void> removed = info.devices().containsKey(name)
        ? deps.runtime().removeDevice(containerName(), name) : CompletableFuture.completedFuture(null);
    return removed.thenCompose(v -> deps.runtime().addDevice(containerName(), name, device));
  }

  /**
   * LXD's stop within {@code grace}, then what goes with the container: see {@link #release}. A container that is
   * not running counts as stopped; with {@code bestEffort} any failure to stop does. A passive Instrument's capture
   * branch is detached at once, before the container (and its veth) goes.
   */
  CompletionStage<Void> stop(Duration grace, Optional<InstrumentManifest> manifest, boolean bestEffort) {
    if (manifest.map(m -> m.network() instanceof NetworkMode.Passive).orElse(false)) {
      deps.capture().tell(new CaptureSupervisor.Detach(id));
    }
    CompletionStage<Void> stopped = deps.runtime().stop(containerName(), grace);
    stopped = bestEffort ? stopped.exceptionally(e -> null)
        : stopped.exceptionallyCompose(e -> is(e, ContainerRuntimeException.Conflict.class)
            ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(e));
    return stopped.thenCompose(v -> release(manifest));
  }

  /** Stops (at once), releases and deletes the container; with {@code purge}, its storage key and UI key too. */
  CompletionStage<Void> remove(Optional<InstrumentManifest> manifest, boolean purge) {
    return stop(Duration.ZERO, manifest, true)
        .thenCompose(v -> deps.runtime().delete(containerName()))
        .exceptionallyCompose(e -> is(e, ContainerRuntimeException.NotFound.class)
            ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(e))
        // Purge destroys the key and the volume; without purge they stay for a reinstall.
        .thenCompose(v -> purge ? deps.storage().purge(id) : CompletableFuture.completedFuture(null))
        .thenRun(() -> {
          if (purge) {
            try {
              new UiKeys(deps.settings().uiKeysDir()).delete(id);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        });
  }

  /** Stops (within the stop grace, best effort), releases and deletes the container; storage and journal stay. */
  CompletionStage<Void> replace(Optional<InstrumentManifest> manifest) {
    return stop(deps.settings().stopGrace(), manifest, true)
        .thenCompose(v -> deps.runtime().delete(containerName()));
  }

  /**
   * Host-side network state (nftables rules) and the storage mounts go with the container; safe when nothing was
   * planned or opened.
   */
  private CompletionStage<Void> release(Optional<InstrumentManifest> manifest) {
    return manifest.map(m -> deps.network().release(id, m.network()).exceptionally(e -> {
          log.warn("instrument {}: releasing its network failed: {}", id, e.getMessage());
          return null;
        })).orElse(CompletableFuture.completedFuture(null))
        // Unmounts the decrypted view and wipes transient storage; the container is stopped by now.
        .thenCompose(v -> deps.storage().close(id).exceptionally(e -> {
          log.warn("instrument {}: closing its storage failed: {}", id, e.getMessage());
          return null;
        }));
  }

  private String containerName() {
    return id.containerName();
  }

  private static boolean is(Throwable failure, Class<? extends ContainerRuntimeException> kind) {
    return ContainerRuntimeException.of(failure).filter(kind::isInstance).isPresent();
  }
}
