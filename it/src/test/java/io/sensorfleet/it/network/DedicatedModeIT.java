package io.sensorfleet.it.network;

import static io.sensorfleet.it.network.NetTestKit.await;
import static io.sensorfleet.it.network.NetTestKit.failure;
import static io.sensorfleet.it.network.NetTestKit.pingOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkCheck;
import io.sensorfleet.core.network.NetworkClaim;
import io.sensorfleet.core.network.NetworkException;
import io.sensorfleet.core.network.NetworkPlan;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.network.HostNetworkProvisioner;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mode dedicated. The "physical" interfaces are host ends of veth pairs whose peers sit in test namespaces
 * (the kernel here has no dummy interfaces); each test has its own.
 */
class DedicatedModeIT {

  static NetTestKit kit;
  static NetworkAllowlist allowlist;
  static HostNetworkProvisioner provisioner;

  @BeforeAll
  static void setUp() {
    kit = NetTestKit.start();
    kit.managementSide();
    allowlist = new NetworkAllowlist(Set.of(),
        Set.of(kit.name("d1"), kit.name("d2"), kit.name("d3"), kit.name("d4")), Set.of());
    provisioner = kit.provisioner(allowlist);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void a_dedicated_instrument_gets_the_interface_and_reaches_its_peer() {
    String iface = kit.vethTo("d1", kit.netns("nd1"), kit.address(3, 100) + "/24");
    String container = dedicatedInstrument("d1", iface);

    assertNull(kit.link(iface), iface + " left the host");
    assertEquals("eth0\nlo\n", kit.sh(container, "ls /sys/class/net"));
    kit.configure(container, kit.address(3, 2) + "/24");
    kit.sh(container, pingOk(kit.address(3, 100)));
  }

  @Test
  void on_stop_the_interface_returns_to_the_host_down_and_may_be_dedicated_again() {
    String iface = kit.vethTo("d2", kit.netns("nd2"), kit.address(5, 100) + "/24");
    var mode = new NetworkMode.Dedicated(iface);
    String container = dedicatedInstrument("d2", iface);
    kit.configure(container, kit.address(5, 2) + "/24");

    await(kit.lxd.stop(container, Duration.ZERO));
    await(provisioner.release(kit.instrument("d2"), mode));
    var back = kit.link(iface);
    assertNotNull(back, iface + " is back on the host");
    assertEquals("DOWN", back.path("operstate").asText());
    assertEquals(0, back.path("addr_info").size(), "the container's address stayed inside");

    NetworkPlan next = await(provisioner.plan(kit.instrument("d2-next"), mode));
    assertEquals(Map.of("eth0", new Device.Physical(iface, "eth0")), next.devices());
  }

  @Test
  void a_second_instrument_asking_for_the_same_interface_is_refused() {
    String iface = kit.vethTo("d3", kit.netns("nd3"), kit.address(6, 100) + "/24");
    var mode = new NetworkMode.Dedicated(iface);
    InstrumentId first = kit.instrument("d3");
    InstrumentId second = kit.instrument("d3-second");
    dedicatedInstrument("d3", iface);

    // At install: the registry passes the claims of the installed Instruments.
    var held = Set.<NetworkClaim>of(new NetworkClaim.DedicatedInterface(first, iface));
    String reason = "interface '" + iface + "' is already dedicated to Instrument '" + first + "'; a dedicated"
        + " interface has exactly one holder";
    assertEquals(new NetworkCheck.Refused(reason), allowlist.check(second, mode, held));
    // At start: the provisioner holds the claim of what it planned.
    assertEquals(reason, failure(NetworkException.Refused.class, provisioner.plan(second, mode)).reason());
    // After a sensor restart the claim is gone from memory, but the interface is inside the running container.
    var restarted = kit.provisioner(allowlist);
    var unavailable = failure(NetworkException.Unavailable.class, restarted.plan(second, mode));
    assertEquals("interface '" + iface + "' is declared in sensor.interfaces.dedicated but is not on this host: it"
        + " does not exist, or a running container holds it", unavailable.reason());
  }

  @Test
  void an_interface_carrying_an_address_of_the_host_is_refused() {
    String iface = kit.vethTo("d4", kit.netns("nd4"), kit.address(4, 100) + "/24");
    kit.run(NetTestKit.IP, "addr", "add", kit.address(4, 1) + "/24", "dev", iface);
    var unavailable = failure(NetworkException.Unavailable.class,
        provisioner.plan(kit.instrument("d4"), new NetworkMode.Dedicated(iface)));
    assertEquals("interface '" + iface + "' is in use: it carries the host's address " + kit.address(4, 1)
        + "/24, which moving it into a container would take from the host", unavailable.reason());
    assertTrue(provisioner.plannedClaims().stream().noneMatch(c -> c.holder().equals(kit.instrument("d4"))));
  }

  @Test
  void an_undeclared_interface_is_refused_at_plan_time() {
    String undeclared = kit.name("mg");
    var refused = failure(NetworkException.Refused.class,
        provisioner.plan(kit.instrument("u1"), new NetworkMode.Dedicated(undeclared)));
    assertTrue(refused.reason().startsWith("interface '" + undeclared + "' is not offered for dedicated use by this"
        + " sensor; sensor.interfaces.dedicated lists " + kit.name("d1") + ", "), refused.reason());
    assertNotNull(kit.link(undeclared), "the interface exists: only the allowlist refused it");
  }

  static String dedicatedInstrument(String suffix, String iface) {
    NetworkPlan plan = await(provisioner.plan(kit.instrument(suffix), new NetworkMode.Dedicated(iface)));
    assertEquals(Map.of("eth0", new Device.Physical(iface, "eth0")), plan.devices());
    return kit.running(suffix, plan);
  }
}
