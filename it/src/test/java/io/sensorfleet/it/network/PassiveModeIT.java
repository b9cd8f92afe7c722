package io.sensorfleet.it.network;

import static io.sensorfleet.it.network.NetTestKit.await;
import static io.sensorfleet.it.network.NetTestKit.ping;
import static io.sensorfleet.it.network.NetTestKit.pingOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkPlan;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.network.HostNetworkProvisioner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mode passive, as far as this issue goes: a p2p NIC whose host end drops everything the container sends. The
 * mirroring of the capture interfaces is the Capture Engine's; here {@code tc mirred} stands in for it, as in
 * docs/lxd.md, from a veth whose peer namespace plays the SPAN port.
 */
class PassiveModeIT {

  static NetTestKit kit;
  static String capture;
  static String span;
  static HostNetworkProvisioner provisioner;

  @BeforeAll
  static void setUp() {
    kit = NetTestKit.start();
    kit.managementSide();
    span = kit.netns("span");
    capture = kit.vethTo("cap", span, kit.address(7, 100) + "/24");
    kit.run(NetTestKit.IP, "link", "set", capture, "up");
    provisioner = kit.provisioner(new NetworkAllowlist(Set.of(), Set.of(), Set.of(capture)));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void the_ingress_drop_is_in_place_before_the_container_exists_and_goes_on_release() {
    InstrumentId id = kit.instrument("p1");
    String hostEnd = HostNetworkProvisioner.passiveHostName(id);
    await(provisioner.plan(id, NetworkMode.Passive.everything()));
    assertNull(kit.link(hostEnd));
    assertEquals(0, kit.counted(null, "netdev", kit.table(), hostEnd));

    await(provisioner.release(id, NetworkMode.Passive.everything()));
    var listing = kit.host.run(List.of(NetTestKit.NFT, "list", "chain", "netdev", kit.table(), hostEnd), null);
    assertNotEquals(0, listing.exitCode(), "the chain is gone");
    await(provisioner.release(id, NetworkMode.Passive.everything()));
  }

  @Test
  void a_passive_instrument_receives_mirrored_frames_and_can_send_nothing() {
    InstrumentId id = kit.instrument("p2");
    String hostEnd = HostNetworkProvisioner.passiveHostName(id);
    NetworkPlan plan = await(provisioner.plan(id, NetworkMode.Passive.everything()));
    assertEquals(Map.of("eth0", new Device.P2p(hostEnd, "eth0")), plan.devices());
    String container = kit.running("p2", plan);
    assertEquals("eth0\nlo\n", kit.sh(container, "ls /sys/class/net"));
    kit.configure(container, kit.address(7, 2) + "/24");

    // What the Capture Engine will do: copy the capture interface's traffic into the Instrument's host end.
    kit.run("tc", "qdisc", "add", "dev", capture, "clsact");
    kit.run("tc", "filter", "add", "dev", capture, "ingress", "u32", "match", "u32", "0", "0",
        "action", "mirred", "egress", "mirror", "dev", hostEnd);
    long before = rxPackets(container);
    // 50 echo requests towards a neighbour that does not exist (a static entry, so no ARP is needed).
    kit.run(NetTestKit.IP, "-n", span, "neigh", "add", kit.address(7, 1), "lladdr", "02:00:00:00:00:01",
        "dev", "eth0");
    // It gets no reply, so it exits 1 after waiting a second.
    kit.host.run(List.of(NetTestKit.IP, "netns", "exec", span, "busybox", "ping", "-q", "-c", "50", "-i", "0.01",
        "-W", "1", kit.address(7, 1)), null);
    assertTrue(rxPackets(container) - before >= 50, "the container received the mirrored frames");

    long dropped = kit.counted(null, "netdev", kit.table(), hostEnd);
    kit.allFail(container, Map.of(
        "ping the span namespace", ping(kit.address(7, 100)),
        "ping the host", ping(kit.address(0, 1))));
    assertTrue(kit.counted(null, "netdev", kit.table(), hostEnd) > dropped, "the host end dropped what it sent");

    await(kit.lxd.stop(container, Duration.ZERO));
    await(provisioner.release(id, NetworkMode.Passive.everything()));
    assertNull(kit.link(hostEnd));
  }

  @Test
  void a_passive_instrument_still_reaches_its_own_loopback() {
    NetworkPlan plan = await(provisioner.plan(kit.instrument("p3"), NetworkMode.Passive.everything()));
    String container = kit.running("p3", plan);
    kit.sh(container, pingOk("127.0.0.1"));
  }

  private static long rxPackets(String container) {
    return Long.parseLong(kit.sh(container, "cat /sys/class/net/eth0/statistics/rx_packets").strip());
  }
}
