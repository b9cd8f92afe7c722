package io.sensorfleet.it.network;

import static io.sensorfleet.it.network.NetTestKit.await;
import static io.sensorfleet.it.network.NetTestKit.pingOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.manifest.StaticAddress;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkPlan;
import io.sensorfleet.core.runtime.ContainerStatus;
import io.sensorfleet.core.runtime.ExecRequest;
import io.sensorfleet.network.HostNetworkProvisioner;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A manifest's {@code address:} on real LXD: the container gets it from LXC ({@code raw.lxc} as the platform
 * writes it, {@code LxcNetworkConfig}) at every start, on an unmanaged bridge with no DHCP and on a dedicated
 * interface, and reaches its peer without anyone running {@code ip addr} in it.
 */
class StaticAddressIT {

  static NetTestKit kit;
  static HostNetworkProvisioner provisioner;
  static String bridge;


  @BeforeAll
  static void setUp() {
    kit = NetTestKit.start();
    kit.managementSide();
    bridge = kit.bridge("sa");
    kit.memberOf(bridge, "sap", kit.address(7, 100) + "/24");
    provisioner = kit.provisioner(new NetworkAllowlist(Set.of(bridge), Set.of(kit.name("sd")), Set.of()));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void a_bridged_instrument_with_an_address_reaches_its_peer_without_anyone_setting_it() {
    String container = bridged("s1", StaticAddress.of(kit.address(7, 10) + "/24", kit.address(7, 100)));

    assertEquals("inet " + kit.address(7, 10) + "/24 brd " + kit.address(7, 255),
        inet(container), "the address LXC set, with the right broadcast");
    assertTrue(kit.sh(container, "ip route").contains("default via " + kit.address(7, 100) + " dev eth0"),
        "the gateway");
    kit.sh(container, pingOk(kit.address(7, 100)));
  }

  @Test
  void the_address_is_set_again_when_the_container_restarts_and_when_it_reboots_itself() {
    String container = bridged("s2", StaticAddress.of(kit.address(7, 11) + "/24"));
    await(kit.lxd.stop(container, Duration.ZERO));
    await(kit.lxd.start(container));
    kit.sh(container, pingOk(kit.address(7, 100)));

    kit.exec(container, "reboot");
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> await(kit.lxd.state(container)).status() == ContainerStatus.RUNNING
            && inet(container).startsWith("inet " + kit.address(7, 11) + "/24"));
    kit.sh(container, pingOk(kit.address(7, 100)));
  }

  @Test
  void a_dedicated_instrument_with_an_address_reaches_its_peer() {
    String iface = kit.vethTo("sd", kit.netns("nsd"), kit.address(8, 100) + "/24");
    var mode = new NetworkMode.Dedicated(iface, Optional.of(StaticAddress.of(kit.address(8, 2) + "/24")));
    String container = kit.runningAsThePlatformDoes("sd", await(provisioner.plan(kit.instrument("sd"), mode)));

    assertEquals("inet " + kit.address(8, 2) + "/24 brd " + kit.address(8, 255), inet(container));
    kit.sh(container, pingOk(kit.address(8, 100)));
  }

  @Test
  void the_instrument_user_gains_nothing_it_cannot_change_the_address_nor_holds_a_capability() {
    String container = bridged("s3", StaticAddress.of(kit.address(7, 12) + "/24"));
    var asInstrument = ExecRequest.of("sh", "-c", "ip addr add " + kit.address(7, 13) + "/24 dev eth0")
        .asUser(1000, 1000);
    assertNotEquals(0, await(kit.lxd.exec(container, asInstrument)).exitCode(), "the instrument user set an address");
    var caps = ExecRequest.of("sh", "-c", "grep CapEff /proc/self/status").asUser(1000, 1000);
    assertEquals("CapEff:\t0000000000000000", await(kit.lxd.exec(container, caps)).stdout().strip());
    assertEquals("inet " + kit.address(7, 12) + "/24 brd " + kit.address(7, 255), inet(container));
  }

  /** Plans a bridged Instrument with {@code address} and starts its container as the platform would. */
  static String bridged(String suffix, StaticAddress address) {
    NetworkPlan plan = await(provisioner.plan(kit.instrument(suffix),
        new NetworkMode.Bridged(bridge, Optional.of(address))));
    return kit.runningAsThePlatformDoes(suffix, plan);
  }

  /** The IPv4 address on the container's eth0 as {@code inet A/P brd B}, the only one there. */
  static String inet(String container) {
    String out = kit.sh(container, "ip -4 addr show dev eth0 | grep inet");
    assertEquals(1, out.strip().lines().count(), out);
    String line = out.strip();
    return line.substring(0, line.indexOf(" scope"));
  }
}
