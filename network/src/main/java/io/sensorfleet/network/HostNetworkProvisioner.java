package io.sensorfleet.network;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkClaim;
import io.sensorfleet.core.network.NetworkException;
import io.sensorfleet.core.network.NetworkPlan;
import io.sensorfleet.core.network.NetworkProvisioner;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.network.internal.Link;
import io.sensorfleet.network.internal.NftRules;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The {@link NetworkProvisioner} of a Linux host: checks bridges and interfaces with {@code ip}, guards them with
 * nftables, and plans LXD NICs.
 *
 * <ul>
 *   <li>{@code none}: no device.
 *   <li>{@code bridged}: a veth whose host end {@code sfb<hash>} joins the declared bridge; the bridge must
 *       exist and be a bridge. With {@code isolate-bridges} the guard table walls the host off from every
 *       declared bridge (see {@link NftRules#bridgeGuard}).
 *   <li>{@code dedicated}: the declared interface itself, moved into the container (LXD moves it back, down, on
 *       stop). It must exist on the host, be no bridge, no bridge port, carry no address of the host, and be
 *       planned for no other Instrument.
 *   <li>{@code passive}: a p2p veth whose host end {@code sfp<hash>} drops at ingress everything the container
 *       sends. Nothing feeds it yet: the Capture Engine will mirror the capture interfaces into it.
 * </ul>
 *
 * <p>Host commands run on the executor given to {@link #create}, typically the actor system's blocking
 * dispatcher, each bounded by {@code sensor.network.command-timeout}.
 */
public final class HostNetworkProvisioner implements NetworkProvisioner {

  /** Host end of a bridged Instrument's veth: {@code sfb} plus eight hex digits of the id's hash. */
  public static final String BRIDGED_PREFIX = "sfb";
  /** Host end of a passive Instrument's p2p veth. */
  public static final String PASSIVE_PREFIX = "sfp";

  private final NetworkSettings settings;
  private final Executor executor;
  private final HostCommands commands;
  /** Dedicated interface -> the Instrument planned to hold it, until released. */
  private final ConcurrentMap<String, InstrumentId> dedicated = new ConcurrentHashMap<>();
  /** The sensor config's, until an operator sets another (actors.network.NetworkStore). */
  private volatile NetworkAllowlist allowlist;

  private HostNetworkProvisioner(NetworkSettings settings, Executor executor, HostCommands commands) {
    this.settings = settings;
    this.allowlist = settings.allowlist();
    this.executor = executor;
    this.commands = commands;
  }

  /** A provisioner running {@code ip} and {@code nft} on this host, on {@code blocking}. */
  public static HostNetworkProvisioner create(NetworkSettings settings, Executor blocking) {
    return create(settings, blocking, HostCommands.local(settings.commandTimeout()));
  }

  /** A provisioner running its host commands through {@code commands} (another namespace, a test double). */
  public static HostNetworkProvisioner create(NetworkSettings settings, Executor blocking, HostCommands commands) {
    return new HostNetworkProvisioner(settings, blocking, commands);
  }

  @Override
  public NetworkAllowlist allowlist() {
    return allowlist;
  }

  @Override
  public void useAllowlist(NetworkAllowlist next) {
    allowlist = java.util.Objects.requireNonNull(next, "allowlist");
  }

  @Override
  public CompletionStage<NetworkPlan> plan(InstrumentId instrument, NetworkMode mode) {
    return async(() -> planNow(instrument, mode));
  }

  @Override
  public CompletionStage<Void> release(InstrumentId instrument, NetworkMode mode) {
    return async(() -> {
      switch (mode) {
        case NetworkMode.Dedicated d -> dedicated.remove(d.interfaceName(), instrument);
        case NetworkMode.Passive p -> nft(NftRules.removePassiveDrop(settings.nftTable(), passiveHostName(instrument)));
        case NetworkMode.Bridged b -> { } // The veth goes with the container; the guard stays for the others.
        case NetworkMode.None n -> { }
      }
      return null;
    });
  }

  @Override
  public CompletionStage<Void> adopt(InstrumentId instrument, NetworkMode mode) {
    return async(() -> {
      allowlist().check(instrument, mode, plannedClaims()).claimOrThrow(instrument);
      switch (mode) {
        case NetworkMode.Dedicated d -> {
          InstrumentId previous = dedicated.putIfAbsent(d.interfaceName(), instrument);
          if (previous != null && !previous.equals(instrument)) {
            throw new NetworkException.Refused(instrument, "interface '" + d.interfaceName()
                + "' is already dedicated to Instrument '" + previous + "'; a dedicated interface has exactly one"
                + " holder");
          }
        }
        case NetworkMode.Passive p -> nft(NftRules.passiveDrop(settings.nftTable(), passiveHostName(instrument)));
        case NetworkMode.Bridged b -> {
          if (settings.isolateBridges()) {
            nft(NftRules.bridgeGuard(settings.nftTable(), allowlist().bridges()));
          }
        }
        case NetworkMode.None n -> { }
      }
      return null;
    });
  }

  @Override
  public CompletionStage<OptionalLong> blockedFrames(InstrumentId instrument) {
    return async(() -> {
      HostCommands.Result listing = commands.run(List.of(settings.nftCommand(), "list", "chain", "netdev",
          settings.nftTable(), passiveHostName(instrument)), null);
      if (listing.exitCode() != 0) {
        return OptionalLong.empty(); // no such chain: not passive, or released
      }
      return NftRules.blockedPackets(listing.stdout());
    });
  }

  /** The Instruments holding a dedicated interface by plan, as claims (what {@link #plan} checks against). */
  public Set<NetworkClaim> plannedClaims() {
    return dedicated.entrySet().stream()
        .map(e -> (NetworkClaim) new NetworkClaim.DedicatedInterface(e.getValue(), e.getKey()))
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Removes every nftables rule of this sensor (its tables), e.g. when the sensor is uninstalled. */
  public CompletionStage<Void> removeHostRules() {
    return async(() -> {
      nft(NftRules.removeAll(settings.nftTable()));
      return null;
    });
  }

  /** The host end of {@code instrument}'s bridged veth. */
  public static String bridgedHostName(InstrumentId instrument) {
    return instrument.hostInterfaceName(BRIDGED_PREFIX);
  }

  /** The host end of {@code instrument}'s passive p2p veth, also the name of its ingress chain. */
  public static String passiveHostName(InstrumentId instrument) {
    return instrument.hostInterfaceName(PASSIVE_PREFIX);
  }

  private NetworkPlan planNow(InstrumentId instrument, NetworkMode mode) {
    allowlist().check(instrument, mode, plannedClaims()).claimOrThrow(instrument);
    return switch (mode) {
      case NetworkMode.None none -> NetworkPlan.none(instrument);
      case NetworkMode.Bridged bridged -> planBridged(instrument, bridged);
      case NetworkMode.Dedicated d -> planDedicated(instrument, d);
      case NetworkMode.Passive passive -> planPassive(instrument, passive);
    };
  }

  private NetworkPlan planBridged(InstrumentId instrument, NetworkMode.Bridged mode) {
    String bridge = mode.bridge();
    Link link = link(bridge).orElseThrow(() -> new NetworkException.Unavailable(instrument,
        "bridge '" + bridge + "' is declared in sensor.bridges but does not exist on this host"));
    if (!link.isBridge()) {
      throw new NetworkException.Unavailable(instrument, "'" + bridge + "' is declared in sensor.bridges but is a "
          + link.describeKind() + " interface, not a bridge");
    }
    String hostName = bridgedHostName(instrument);
    requireNoHostInterface(instrument, hostName);
    if (settings.isolateBridges()) {
      nft(NftRules.bridgeGuard(settings.nftTable(), allowlist().bridges()));
    }
    return NetworkPlan.nic(instrument, mode, new Device.Bridged(bridge, hostName, NetworkPlan.NIC));
  }

  private NetworkPlan planDedicated(InstrumentId instrument, NetworkMode.Dedicated mode) {
    String name = mode.interfaceName();
    InstrumentId previous = dedicated.putIfAbsent(name, instrument);
    if (previous != null && !previous.equals(instrument)) {
      // Lost a race with another plan between the allowlist check and here.
      throw new NetworkException.Refused(instrument, "interface '" + name + "' is already dedicated to Instrument '"
          + previous + "'; a dedicated interface has exactly one holder");
    }
    try {
      Link link = link(name).orElseThrow(() -> new NetworkException.Unavailable(instrument, "interface '" + name
          + "' is declared in sensor.interfaces.dedicated but is not on this host: it does not exist, or a running"
          + " container holds it"));
      if (link.isBridge() || link.linkType().equals("loopback")) {
        throw new NetworkException.Unavailable(instrument, "'" + name + "' is a " + link.describeKind()
            + " interface; a dedicated interface must be a NIC of its own");
      }
      if (link.master().isPresent()) {
        throw new NetworkException.Unavailable(instrument, "interface '" + name + "' is in use: it is a port of '"
            + link.master().get() + "'");
      }
      if (!link.hostAddresses().isEmpty()) {
        throw new NetworkException.Unavailable(instrument, "interface '" + name + "' is in use: it carries the"
            + " host's address " + link.hostAddresses().stream().map(Link.Address::toString)
                .collect(Collectors.joining(", "))
            + ", which moving it into a container would take from the host");
      }
      return NetworkPlan.nic(instrument, mode, new Device.Physical(name, NetworkPlan.NIC));
    } catch (RuntimeException e) {
      if (previous == null) {
        dedicated.remove(name, instrument);
      }
      throw e;
    }
  }

  private NetworkPlan planPassive(InstrumentId instrument, NetworkMode.Passive mode) {
    String hostName = passiveHostName(instrument);
    requireNoHostInterface(instrument, hostName);
    nft(NftRules.passiveDrop(settings.nftTable(), hostName));
    return NetworkPlan.nic(instrument, mode, new Device.P2p(hostName, NetworkPlan.NIC));
  }

  /** The container's host end must not exist yet: if it does, the container runs already (or LXD left it). */
  private void requireNoHostInterface(InstrumentId instrument, String hostName) {
    if (link(hostName).isPresent()) {
      throw new NetworkException.Unavailable(instrument, "host interface '" + hostName + "' already exists:"
          + " the container of Instrument '" + instrument + "' still runs, or was not cleaned up");
    }
  }

  /** The host's interface {@code name}, or empty if there is none. */
  private Optional<Link> link(String name) {
    HostCommands.Result result =
        commands.run(List.of(settings.ipCommand(), "-j", "-d", "address", "show", "dev", name), null);
    if (result.exitCode() != 0 && result.stderr().contains("does not exist")) {
      return Optional.empty();
    }
    result.requireSuccess();
    try {
      return Optional.of(Link.parse(result.stdout()));
    } catch (IllegalArgumentException e) {
      throw new NetworkException.HostCommandFailed(result.command(), 0, "unexpected output: " + e.getMessage());
    }
  }

  private void nft(String script) {
    commands.run(List.of(settings.nftCommand(), "-f", "-"), script).requireSuccess();
  }

  /**
   * Runs {@code work} on the executor. The stage fails with the exception itself, never a
   * {@code CompletionException} around it, as the port promises.
   */
  private <T> CompletionStage<T> async(Supplier<T> work) {
    var result = new CompletableFuture<T>();
    try {
      executor.execute(() -> {
        try {
          result.complete(work.get());
        } catch (Throwable t) {
          result.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(e);
    }
    return result;
  }
}
