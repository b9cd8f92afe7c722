package io.sensorfleet.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkClaim;
import io.sensorfleet.core.network.NetworkException;
import io.sensorfleet.core.network.NetworkPlan;
import io.sensorfleet.core.runtime.Device;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The provisioner's decisions against a scripted host; the real host is in it/'s network ITs. */
class HostNetworkProvisionerTest {

  static final InstrumentId HONEYPOT = InstrumentId.of("honeypot");
  static final InstrumentId OTHER = InstrumentId.of("other");
  static final NetworkSettings SETTINGS = NetworkSettings.fromRootConfig(ConfigFactory.load())
      .withAllowlist(new NetworkAllowlist(Set.of("br-honeynet", "br-gone", "eth9"), Set.of("eth2", "eth3", "eth4"),
          Set.of("eth1")))
      .withNftTable("sf");

  final FakeHost host = new FakeHost()
      .with("br-honeynet", "{\"ifname\":\"br-honeynet\",\"link_type\":\"ether\",\"linkinfo\":{\"info_kind\":\"bridge\"},"
          + "\"addr_info\":[]}")
      .with("eth9", "{\"ifname\":\"eth9\",\"link_type\":\"ether\",\"addr_info\":[]}")
      .with("eth2", "{\"ifname\":\"eth2\",\"link_type\":\"ether\",\"addr_info\":["
          + "{\"family\":\"inet6\",\"local\":\"fe80::1\",\"prefixlen\":64,\"scope\":\"link\"}]}")
      .with("eth3", "{\"ifname\":\"eth3\",\"link_type\":\"ether\",\"addr_info\":["
          + "{\"family\":\"inet\",\"local\":\"10.9.0.1\",\"prefixlen\":24,\"scope\":\"global\"}]}")
      .with("eth4", "{\"ifname\":\"eth4\",\"master\":\"br-honeynet\",\"link_type\":\"ether\",\"addr_info\":[]}");
  final HostNetworkProvisioner provisioner = HostNetworkProvisioner.create(SETTINGS, Runnable::run, host);

  @Test
  void plans_no_device_and_runs_nothing_for_mode_none() {
    assertEquals(NetworkPlan.none(HONEYPOT), await(provisioner.plan(HONEYPOT, new NetworkMode.None())));
    assertEquals(List.of(), host.commands);
  }

  @Test
  void refuses_an_undeclared_bridge_before_touching_the_host() {
    var refused = failure(NetworkException.Refused.class,
        provisioner.plan(HONEYPOT, new NetworkMode.Bridged("br-mgmt")));
    assertTrue(refused.reason().startsWith("bridge 'br-mgmt' is not offered by this sensor"), refused.reason());
    assertEquals(List.of(), host.commands);
  }

  @Test
  void plans_a_bridged_nic_and_guards_the_declared_bridges() {
    NetworkPlan plan = await(provisioner.plan(HONEYPOT, new NetworkMode.Bridged("br-honeynet")));
    assertEquals(Map.of("eth0", new Device.Bridged("br-honeynet", HONEYPOT.hostInterfaceName("sfb"), "eth0")),
        plan.devices());
    assertEquals(1, host.scripts.size());
    assertTrue(host.scripts.getFirst().contains("iifname { \"br-gone\", \"br-honeynet\", \"eth9\" } counter drop"),
        host.scripts.getFirst());
  }

  @Test
  void reports_a_declared_bridge_missing_from_the_host() {
    var unavailable = failure(NetworkException.Unavailable.class,
        provisioner.plan(HONEYPOT, new NetworkMode.Bridged("br-gone")));
    assertEquals("bridge 'br-gone' is declared in sensor.bridges but does not exist on this host",
        unavailable.reason());
    assertEquals(List.of(), host.scripts);
  }

  @Test
  void reports_a_declared_bridge_that_is_no_bridge() {
    var unavailable = failure(NetworkException.Unavailable.class,
        provisioner.plan(HONEYPOT, new NetworkMode.Bridged("eth9")));
    assertEquals("'eth9' is declared in sensor.bridges but is a physical interface, not a bridge",
        unavailable.reason());
  }

  @Test
  void refuses_a_bridged_plan_while_the_containers_host_end_still_exists() {
    host.with(HONEYPOT.hostInterfaceName("sfb"), "{\"ifname\":\"x\",\"link_type\":\"ether\",\"addr_info\":[]}");
    var unavailable = failure(NetworkException.Unavailable.class,
        provisioner.plan(HONEYPOT, new NetworkMode.Bridged("br-honeynet")));
    assertTrue(unavailable.reason().contains("still runs"), unavailable.reason());
  }

  @Test
  void plans_a_dedicated_interface_for_exactly_one_instrument_until_released() {
    var eth2 = new NetworkMode.Dedicated("eth2");
    NetworkPlan plan = await(provisioner.plan(HONEYPOT, eth2));
    assertEquals(Map.of("eth0", new Device.Physical("eth2", "eth0")), plan.devices());
    assertEquals(Set.of(new NetworkClaim.DedicatedInterface(HONEYPOT, "eth2")), provisioner.plannedClaims());

    var refused = failure(NetworkException.Refused.class, provisioner.plan(OTHER, eth2));
    assertEquals("interface 'eth2' is already dedicated to Instrument 'honeypot'; a dedicated interface has exactly"
        + " one holder", refused.reason());
    await(provisioner.plan(HONEYPOT, eth2));

    await(provisioner.release(HONEYPOT, eth2));
    assertEquals(Set.of(), provisioner.plannedClaims());
    await(provisioner.plan(OTHER, eth2));
  }

  @Test
  void releasing_someone_elses_dedicated_interface_leaves_the_claim() {
    var eth2 = new NetworkMode.Dedicated("eth2");
    await(provisioner.plan(HONEYPOT, eth2));
    await(provisioner.release(OTHER, eth2));
    assertEquals(Set.of(new NetworkClaim.DedicatedInterface(HONEYPOT, "eth2")), provisioner.plannedClaims());
  }

  @Test
  void refuses_a_dedicated_interface_carrying_the_hosts_address_and_keeps_no_claim() {
    var unavailable = failure(NetworkException.Unavailable.class,
        provisioner.plan(HONEYPOT, new NetworkMode.Dedicated("eth3")));
    assertEquals("interface 'eth3' is in use: it carries the host's address 10.9.0.1/24, which moving it into a"
        + " container would take from the host", unavailable.reason());
    assertEquals(Set.of(), provisioner.plannedClaims());
  }

  @Test
  void refuses_a_dedicated_interface_that_is_a_bridge_port() {
    var unavailable = failure(NetworkException.Unavailable.class,
        provisioner.plan(HONEYPOT, new NetworkMode.Dedicated("eth4")));
    assertEquals("interface 'eth4' is in use: it is a port of 'br-honeynet'", unavailable.reason());
  }

  @Test
  void reports_a_dedicated_interface_missing_from_the_host() {
    host.links.remove("eth2");
    var unavailable = failure(NetworkException.Unavailable.class,
        provisioner.plan(HONEYPOT, new NetworkMode.Dedicated("eth2")));
    assertTrue(unavailable.reason().endsWith("is not on this host: it does not exist, or a running container holds"
        + " it"), unavailable.reason());
  }

  @Test
  void plans_a_passive_p2p_nic_behind_an_ingress_drop_and_removes_the_drop_on_release() {
    String hostName = HONEYPOT.hostInterfaceName("sfp");
    NetworkPlan plan = await(provisioner.plan(HONEYPOT, NetworkMode.Passive.everything()));
    assertEquals(Map.of("eth0", new Device.P2p(hostName, "eth0")), plan.devices());
    assertTrue(host.scripts.getFirst()
        .endsWith("add rule netdev sf " + hostName + " counter drop comment \"blocked\"\n"));

    await(provisioner.release(HONEYPOT, NetworkMode.Passive.everything()));
    assertTrue(host.scripts.getLast().endsWith("delete chain netdev sf " + hostName + "\n"));
  }

  @Test
  void adopting_a_running_passive_instrument_installs_its_ingress_drop_again_although_its_host_end_exists() {
    String hostName = HONEYPOT.hostInterfaceName("sfp");
    host.with(hostName, "{\"ifname\":\"x\",\"link_type\":\"ether\",\"addr_info\":[]}");
    await(provisioner.adopt(HONEYPOT, NetworkMode.Passive.everything()));
    assertTrue(host.scripts.getLast()
        .endsWith("add rule netdev sf " + hostName + " counter drop comment \"blocked\"\n"));
  }

  @Test
  void adopting_a_dedicated_instrument_claims_its_interface_again() {
    await(provisioner.adopt(HONEYPOT, new NetworkMode.Dedicated("eth2")));
    assertEquals(Set.of(new NetworkClaim.DedicatedInterface(HONEYPOT, "eth2")), provisioner.plannedClaims());
    failure(NetworkException.Refused.class, provisioner.adopt(OTHER, new NetworkMode.Dedicated("eth2")));
  }

  @Test
  void adopting_a_bridged_instrument_guards_the_declared_bridges_again() {
    await(provisioner.adopt(HONEYPOT, new NetworkMode.Bridged("br-honeynet")));
    assertTrue(host.scripts.getLast().contains("iifname { \"br-gone\", \"br-honeynet\", \"eth9\" } counter drop"),
        host.scripts.getLast());
  }

  @Test
  void fails_with_the_tools_own_error_output() {
    host.nftFailure = "Error: Could not process rule: Operation not permitted";
    var failed = failure(NetworkException.HostCommandFailed.class,
        provisioner.plan(HONEYPOT, NetworkMode.Passive.everything()));
    assertEquals(List.of("/usr/sbin/nft", "-f", "-"), failed.command());
    assertEquals(1, failed.exitCode());
    assertEquals("'/usr/sbin/nft -f -' failed with exit code 1: Error: Could not process rule: Operation not"
        + " permitted", failed.getMessage());
  }

  @Test
  void kills_a_command_that_outlives_its_timeout() {
    var failed = assertInstanceOf(NetworkException.HostCommandFailed.class, catching(() ->
        HostCommands.local(Duration.ofMillis(200)).run(List.of("sleep", "10"), null)));
    assertEquals(-1, failed.exitCode());
    assertEquals("'sleep 10' failed: no result within 200 ms; killed", failed.getMessage());
  }

  @Test
  void reports_a_tool_that_is_not_installed() {
    var failed = assertInstanceOf(NetworkException.HostCommandFailed.class, catching(() ->
        HostCommands.local(Duration.ofSeconds(1)).run(List.of("/nonexistent/nft", "-f", "-"), "")));
    assertTrue(failed.getMessage().startsWith("'/nonexistent/nft -f -' failed: cannot run it:"), failed.getMessage());
  }

  @Test
  void runs_a_local_command_with_its_input_and_output() {
    var result = HostCommands.local(Duration.ofSeconds(5)).run(List.of("sh", "-c", "cat; echo oops >&2; exit 3"),
        "hello\n");
    assertEquals(new HostCommands.Result(List.of("sh", "-c", "cat; echo oops >&2; exit 3"), 3, "hello\n", "oops\n"),
        result);
  }

  /** A host with the given links; {@code nft} succeeds unless {@link #nftFailure} is set. */
  static final class FakeHost implements HostCommands {
    final Map<String, String> links = new HashMap<>();
    final List<List<String>> commands = new ArrayList<>();
    final List<String> scripts = new ArrayList<>();
    String nftFailure;

    FakeHost with(String name, String json) {
      links.put(name, json);
      return this;
    }

    @Override
    public Result run(List<String> argv, String stdin) {
      commands.add(argv);
      if (argv.getFirst().endsWith("/nft")) {
        scripts.add(stdin);
        return nftFailure == null ? new Result(argv, 0, "", "") : new Result(argv, 1, "", nftFailure + "\n");
      }
      String name = argv.getLast();
      String json = links.get(name);
      return json == null
          ? new Result(argv, 1, "", "Device \"" + name + "\" does not exist.\n")
          : new Result(argv, 0, "[" + json + "]\n", "");
    }
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      return fail(e);
    }
  }

  /** The stage's failure, which must be {@code type} itself, not wrapped. */
  static <E extends Throwable> E failure(Class<E> type, CompletionStage<?> stage) {
    var seen = new Throwable[1];
    stage.whenComplete((value, failure) -> seen[0] = failure);
    return assertInstanceOf(type, seen[0]);
  }

  static Throwable catching(Runnable work) {
    try {
      work.run();
      return fail("expected a failure");
    } catch (RuntimeException e) {
      return e;
    }
  }
}
