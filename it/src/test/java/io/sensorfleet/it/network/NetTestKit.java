package io.sensorfleet.it.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.network.LxcNetworkConfig;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkPlan;
import io.sensorfleet.core.runtime.ContainerInfo;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.ContainerSelector;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.ExecResult;
import io.sensorfleet.core.runtime.ResourceLimits;
import io.sensorfleet.core.runtime.SecureDefaults;
import io.sensorfleet.lxd.LxdRuntime;
import io.sensorfleet.network.HostCommands;
import io.sensorfleet.network.HostNetworkProvisioner;
import io.sensorfleet.network.NetworkSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * What the network ITs share: LXD, a provisioner factory, and host plumbing of their own (bridges, veth pairs,
 * network namespaces, nftables tables), all named {@code sft-<run>-...} (the table {@code sft-<run>}).
 *
 * <p>Addresses: each run takes one {@code 10.<n>.0.0/16} that no host route touches. Its {@code 10.<n>.0.0/16}
 * is routed by the host to the run's own "management" veth ({@link #managementSide}), so that whatever the host
 * might answer to an Instrument's address stays in the run's namespaces: no test packet ever leaves this
 * machine.
 *
 * <p>{@link #close} deletes everything of the run, failed test or not; {@link #start} first sweeps what crashed
 * runs left: objects of runs whose marker directory {@code /tmp/sft-<run>} is gone or older than ten minutes,
 * and {@code sft-} containers older than that. Nothing without the prefix is touched. Fails loudly (never skips)
 * when LXD, {@code ip} or {@code nft} are missing.
 */
final class NetTestKit implements AutoCloseable {

  static final String TEST_PREFIX = "sft-";
  static final List<String> IMAGES = List.of("sensorfleet/base", "sft-test/busybox");
  static final ResourceLimits LIMITS = ResourceLimits.of(1, 128, 100);
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final String IP = "/usr/sbin/ip";
  static final String NFT = "/usr/sbin/nft";
  private static final Duration LEFTOVER_AGE = Duration.ofMinutes(10);
  private static final Pattern RUN_OBJECT = Pattern.compile("sft-([a-z0-9]{6})(-.*)?");
  private static final AtomicBoolean SWEPT = new AtomicBoolean();
  private static final ObjectMapper JSON = new ObjectMapper();

  final ActorSystem<Void> system;
  final LxdRuntime lxd;
  final String runId;
  final String prefix;
  final String image;
  /** The second octet of this run's 10.n.0.0/16. */
  final int net;
  final HostCommands host = HostCommands.local(Duration.ofSeconds(10));
  final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Path marker;
  private boolean managementSide;

  private NetTestKit(ActorSystem<Void> system, LxdRuntime lxd, String runId, String image, int net, Path marker) {
    this.system = system;
    this.lxd = lxd;
    this.runId = runId;
    this.prefix = TEST_PREFIX + runId + "-";
    this.image = image;
    this.net = net;
    this.marker = marker;
  }

  static NetTestKit start() {
    requireTool(IP, "iproute2");
    requireTool(NFT, "nftables");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "network-it");
    try {
      LxdRuntime lxd = LxdRuntime.create(system);
      try {
        lxd.serverInfo().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException | InterruptedException e) {
        fail("LXD is not running: run ./sensorfleet setup (" + lxd.settings().socket() + ": "
            + (e instanceof ExecutionException ? e.getCause().getMessage() : "no answer in 10 s") + ")", e);
      }
      HostCommands host = HostCommands.local(Duration.ofSeconds(10));
      if (SWEPT.compareAndSet(false, true)) {
        sweepLeftovers(lxd, host);
      }
      String image = null;
      for (String candidate : IMAGES) {
        if (image == null && await(lxd.hasImageAlias(candidate))) {
          image = candidate;
        }
      }
      if (image == null) {
        fail("none of the images " + IMAGES + " is imported: run ./sensorfleet setup");
      }
      String runId = randomId();
      Path marker = Files.createDirectories(Path.of("/tmp", TEST_PREFIX + runId));
      return new NetTestKit(system, lxd, runId, image, freeNet(host), marker);
    } catch (RuntimeException | Error | IOException e) {
      terminate(system);
      if (e instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("cannot start the network test kit: " + e, e);
    }
  }

  // ---- names and the provisioner

  /** A host object name with this run's prefix; interface names must stay within 15 bytes. */
  String name(String suffix) {
    String name = prefix + suffix;
    if (name.length() > 15) {
      throw new IllegalArgumentException("interface names have at most 15 bytes: " + name);
    }
    return name;
  }

  /** An Instrument id unique to this run, so its host interface names are too. */
  InstrumentId instrument(String suffix) {
    return InstrumentId.of("t" + runId + "-" + suffix);
  }

  /** An address of this run: {@code 10.<net>.<subnet>.<host>}. */
  String address(int subnet, int hostPart) {
    return "10." + net + "." + subnet + "." + hostPart;
  }

  /** The nftables table of this run's provisioners. */
  String table() {
    return TEST_PREFIX + runId;
  }

  NetworkSettings settings(NetworkAllowlist allowlist) {
    return NetworkSettings.fromRootConfig(ConfigFactory.load()).withAllowlist(allowlist).withNftTable(table());
  }

  HostNetworkProvisioner provisioner(NetworkAllowlist allowlist) {
    return HostNetworkProvisioner.create(settings(allowlist), executor);
  }

  // ---- host plumbing

  /** Runs a host command and requires exit code 0; returns stdout. */
  String run(String... argv) {
    var result = host.run(List.of(argv), null);
    assertEquals(0, result.exitCode(), () -> String.join(" ", argv) + " failed: " + result.stderr());
    return result.stdout();
  }

  /** Applies an nft script on the host (or in {@code netns} when not null). */
  void nft(String netns, String script) {
    HostCommands commands = netns == null ? host : host.inNamespace(IP, netns);
    commands.run(List.of(NFT, "-f", "-"), script).requireSuccess();
  }

  /** A new bridge, up, with no address. */
  String bridge(String suffix) {
    String bridge = name(suffix);
    run(IP, "link", "add", bridge, "type", "bridge");
    run(IP, "link", "set", bridge, "up");
    return bridge;
  }

  /** A new network namespace with {@code lo} up. */
  String netns(String suffix) {
    String netns = prefix + suffix;
    run(IP, "netns", "add", netns);
    run(IP, "-n", netns, "link", "set", "lo", "up");
    return netns;
  }

  /**
   * A veth pair: {@code name(suffix)} stays on the host, down, for the test to use; its peer is moved into
   * {@code netns} as {@code eth0}, up, with {@code cidr}.
   */
  String vethTo(String suffix, String netns, String cidr) {
    String hostEnd = name(suffix);
    String peer = name(suffix + "p");
    run(IP, "link", "add", hostEnd, "type", "veth", "peer", "name", peer);
    run(IP, "link", "set", peer, "netns", netns);
    run(IP, "-n", netns, "link", "set", peer, "name", "eth0");
    run(IP, "-n", netns, "addr", "add", cidr, "dev", "eth0");
    run(IP, "-n", netns, "link", "set", "eth0", "up");
    return hostEnd;
  }

  /** A namespace with {@code cidr} on a veth whose host end is a port of {@code bridge}. */
  String memberOf(String bridge, String suffix, String cidr) {
    String netns = netns(suffix);
    String hostEnd = vethTo(suffix, netns, cidr);
    run(IP, "link", "set", hostEnd, "master", bridge);
    run(IP, "link", "set", hostEnd, "up");
    return netns;
  }

  /**
   * The run's management side: the host's address {@code 10.<net>.0.1/16} on veth {@code mg}, whose peer in
   * namespace {@code mgmt} is {@code 10.<net>.0.2}. The /16 keeps every host reply to the run's addresses local.
   */
  String managementSide() {
    if (!managementSide) {
      String netns = netns("mgmt");
      String hostEnd = vethTo("mg", netns, address(0, 2) + "/16");
      run(IP, "addr", "add", address(0, 1) + "/16", "dev", hostEnd);
      run(IP, "link", "set", hostEnd, "up");
      run(IP, "-n", netns, "route", "add", "default", "via", address(0, 1));
      managementSide = true;
    }
    return prefix + "mgmt";
  }

  /** The host's interface, or null when it has none of that name. */
  JsonNode link(String name) {
    var result = host.run(List.of(IP, "-j", "-d", "address", "show", "dev", name), null);
    if (result.exitCode() != 0) {
      return null;
    }
    try {
      return JSON.readTree(result.stdout()).get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The packets counted by the rules of an nftables chain, summed. */
  long counted(String netns, String family, String table, String chain) {
    HostCommands commands = netns == null ? host : host.inNamespace(IP, netns);
    String listing = commands.run(List.of(NFT, "list", "chain", family, table, chain), null).requireSuccess().stdout();
    Matcher m = Pattern.compile("counter packets (\\d+)").matcher(listing);
    long sum = 0;
    while (m.find()) {
      sum += Long.parseLong(m.group(1));
    }
    return sum;
  }

  // ---- containers

  /** Creates and starts a container of this run with the plan's devices; returns its name. */
  String running(String suffix, NetworkPlan plan) {
    return running(suffix, plan, SecureDefaults.CGROUP_MOUNT);
  }

  /**
   * Creates and starts a container of this run with the plan's devices and the {@code raw.lxc} the platform gives
   * the plan's mode ({@link LxcNetworkConfig#rawLxc}): with a manifest's address, LXC sets it. Returns its name.
   */
  String runningAsThePlatformDoes(String suffix, NetworkPlan plan) {
    return running(suffix, plan, LxcNetworkConfig.rawLxc(plan.mode()));
  }

  private String running(String suffix, NetworkPlan plan, String rawLxc) {
    var spec = SecureDefaults.apply(ContainerSpec.of(prefix + suffix, image).withLabel("sft-run", runId), LIMITS)
        .withConfig("raw.lxc", rawLxc);
    await(lxd.create(plan.applyTo(spec)));
    await(lxd.start(spec.name()));
    return spec.name();
  }

  ExecResult exec(String container, String script) {
    return await(lxd.exec(container, "sh", "-c", script));
  }

  /** Runs a shell script in the container and requires exit code 0; returns stdout. */
  String sh(String container, String script) {
    ExecResult result = exec(container, script);
    assertEquals(0, result.exitCode(), () -> "'" + script + "' failed: " + result);
    return result.stdout();
  }

  /** Gives the container's {@code eth0} an address and brings it up. */
  void configure(String container, String cidr) {
    sh(container, "ip addr add " + cidr + " dev eth0 && ip link set eth0 up");
  }

  /**
   * Runs the {@code probes} (shell commands by label) inside the container at the same time, so that attempts
   * which must time out cost one timeout together; returns the exit code of each.
   */
  Map<String, Integer> probe(String container, Map<String, String> probes) {
    var script = new StringBuilder();
    for (var p : probes.entrySet()) {
      script.append("( ").append(p.getValue()).append(" >/dev/null 2>&1; echo \"").append(p.getKey())
          .append(" $?\" ) &\n");
    }
    script.append("wait\n");
    String out = sh(container, script.toString());
    var codes = new LinkedHashMap<String, Integer>();
    for (String line : out.strip().split("\n")) {
      int space = line.lastIndexOf(' ');
      codes.put(line.substring(0, space), Integer.parseInt(line.substring(space + 1)));
    }
    assertEquals(probes.keySet(), codes.keySet(), out);
    return codes;
  }

  /** Requires every probe to have failed (non-zero exit). */
  void allFail(String container, Map<String, String> probes) {
    Map<String, Integer> codes = probe(container, probes);
    var succeeded = codes.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList();
    assertEquals(List.of(), succeeded, () -> "these attempts from " + container + " got through: " + succeeded);
  }

  /** ICMP echo, one try, one second. */
  static String ping(String address) {
    return "ping -c 1 -W 1 " + address;
  }

  /** Pings until one reply, at most three tries of a second each. */
  static String pingOk(String address) {
    return "for try in 1 2 3; do ping -c 1 -W 1 " + address + " >/dev/null && exit 0; done; exit 1";
  }

  /** A TCP connection, one second to connect. */
  static String tcp(String address, int port) {
    return "nc -w 1 " + address + " " + port + " </dev/null";
  }

  // ---- waiting and cleanup

  static <T> T await(CompletionStage<T> stage) {
    return io.sensorfleet.it.support.Stages.await(stage, TIMEOUT);
  }

  /** The failure the stage ends with, which must be {@code type} itself (the port never wraps it). */
  static <E extends Throwable> E failure(Class<E> type, CompletionStage<?> stage) {
    return io.sensorfleet.it.support.Stages.failure(type, stage, TIMEOUT);
  }

  /** Deletes the run's containers, nftables tables, namespaces and interfaces, then its marker. */
  @Override
  public void close() throws IOException {
    try {
      deleteRun(lxd, host, runId);
    } finally {
      try {
        Files.deleteIfExists(marker);
      } finally {
        executor.shutdownNow();
        terminate(system);
      }
    }
  }

  private static void deleteRun(LxdRuntime lxd, HostCommands host, String runId) {
    String prefix = TEST_PREFIX + runId + "-";
    deleteContainers(lxd, await(lxd.list(ContainerSelector.prefix(prefix))));
    deleteHostObjects(host, Set.of(runId));
  }

  /** Tables, namespaces (with what is in them), then the interfaces left on the host, of the given runs. */
  private static void deleteHostObjects(HostCommands host, Set<String> runs) {
    for (String table : nftTables(host)) {
      if (ours(runs, table)) {
        for (String family : List.of("inet", "arp", "netdev")) {
          host.run(List.of(NFT, "delete", "table", family, table), null);
        }
      }
    }
    for (String netns : netnsNames(host)) {
      if (ours(runs, netns)) {
        host.run(List.of(IP, "netns", "del", netns), null).requireSuccess();
      }
    }
    for (String link : linkNames(host)) {
      if (ours(runs, link)) {
        // A veth pair goes with either end: the peer may be gone already.
        host.run(List.of(IP, "link", "del", link), null);
      }
    }
  }

  private static void sweepLeftovers(LxdRuntime lxd, HostCommands host) {
    Instant before = Instant.now().minus(LEFTOVER_AGE);
    deleteContainers(lxd, await(lxd.list(ContainerSelector.prefix(TEST_PREFIX))).stream()
        .filter(c -> c.createdAt().isBefore(before)).toList());
    var runs = new LinkedHashSet<String>();
    Stream.of(nftTables(host), netnsNames(host), linkNames(host)).flatMap(List::stream)
        .map(NetTestKit::runOf).filter(r -> r != null).forEach(runs::add);
    var dead = new LinkedHashSet<String>();
    for (String run : runs) {
      Path marker = Path.of("/tmp", TEST_PREFIX + run);
      try {
        if (!Files.exists(marker) || Files.getLastModifiedTime(marker).toInstant().isBefore(before)) {
          dead.add(run);
        }
      } catch (IOException e) {
        dead.add(run);
      }
    }
    if (!dead.isEmpty()) {
      deleteHostObjects(host, dead);
    }
  }

  private static boolean ours(Set<String> runs, String name) {
    String run = runOf(name);
    return run != null && runs.contains(run);
  }

  /** The run id in an object's name, or null when it is not one of ours. */
  private static String runOf(String name) {
    Matcher m = RUN_OBJECT.matcher(name);
    return m.matches() ? m.group(1) : null;
  }

  private static List<String> nftTables(HostCommands host) {
    String out = host.run(List.of(NFT, "list", "tables"), null).requireSuccess().stdout();
    return out.lines().map(l -> l.split(" ")).filter(w -> w.length == 3).map(w -> w[2]).distinct().toList();
  }

  private static List<String> netnsNames(HostCommands host) {
    String out = host.run(List.of(IP, "netns", "list"), null).requireSuccess().stdout();
    return out.lines().map(l -> l.split(" ")[0]).filter(n -> !n.isEmpty()).toList();
  }

  private static List<String> linkNames(HostCommands host) {
    String out = host.run(List.of(IP, "-j", "link", "show"), null).requireSuccess().stdout();
    try {
      var names = new ArrayList<String>();
      JSON.readTree(out).forEach(l -> names.add(l.path("ifname").asText()));
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A 10.n.0.0/16 that no route of the host overlaps. */
  private static int freeNet(HostCommands host) {
    String routes = host.run(List.of(IP, "-4", "route", "show", "table", "all"), null).requireSuccess().stdout()
        + host.run(List.of(IP, "-4", "address", "show"), null).requireSuccess().stdout();
    var random = new SecureRandom();
    for (int attempt = 0; attempt < 100; attempt++) {
      int n = 200 + random.nextInt(50);
      if (!routes.contains(" 10." + n + ".") && !routes.contains("\n10." + n + ".")
          && !routes.startsWith("10." + n + ".")) {
        return n;
      }
    }
    throw new IllegalStateException("no free 10.n.0.0/16 among 10.200-249:\n" + routes);
  }

  private static void requireTool(String path, String debianPackage) {
    assertTrue(Files.isExecutable(Path.of(path)),
        path + " is missing: install Debian's " + debianPackage + " (scripts/setup.sh)");
  }

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

  private static String randomId() {
    return io.sensorfleet.it.support.Stages.randomId();
  }

  private static void terminate(ActorSystem<Void> system) {
    io.sensorfleet.it.support.Stages.terminate(system);
  }
}
