package io.sensorfleet.it.network;

import static io.sensorfleet.it.network.NetTestKit.await;
import static io.sensorfleet.it.network.NetTestKit.ping;
import static io.sensorfleet.it.network.NetTestKit.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkPlan;
import io.sensorfleet.network.HostNetworkProvisioner;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Mode none: no NIC at all, so nothing on any network, even with a bridge offered on the sensor. */
class NoneModeIT {

  static NetTestKit kit;
  static HostNetworkProvisioner provisioner;

  @BeforeAll
  static void setUp() {
    kit = NetTestKit.start();
    kit.managementSide();
    provisioner = kit.provisioner(new NetworkAllowlist(Set.of(kit.bridge("br")), Set.of(), Set.of()));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void an_instrument_of_mode_none_has_only_lo_and_reaches_nothing() throws Exception {
    InstrumentId id = kit.instrument("none");
    NetworkPlan plan = await(provisioner.plan(id, new NetworkMode.None()));
    assertTrue(plan.isEmpty());
    String container = kit.running("none", plan);
    assertEquals("lo\n", kit.sh(container, "ls /sys/class/net"));

    try (var listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(InetAddress.getByName(kit.address(0, 1)), 0));
      Map<String, Integer> codes = kit.probe(container, Map.of(
          "ping host", ping(kit.address(0, 1)),
          "tcp host", tcp(kit.address(0, 1), listener.getLocalPort()),
          "ping management side", ping(kit.address(0, 2))));
      assertTrue(codes.values().stream().allMatch(code -> code != 0), codes::toString);
    }
    // No route at all: the kernel refuses before a packet exists.
    var result = kit.exec(container, ping(kit.address(0, 1)));
    assertTrue(result.stderr().contains("Network is unreachable"), result::toString);
    await(provisioner.release(id, new NetworkMode.None()));
  }
}
