package io.sensorfleet.it.network;

import static io.sensorfleet.it.network.NetTestKit.IP;
import static io.sensorfleet.it.network.NetTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.network.HostNetworkProvisioner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge guard against the worst host: one that forwards IP and even has addresses and routes on the
 * Instrument bridges. The real host does neither, so this host is a network namespace ({@code gh}) with two
 * bridges, namespaces as the Instruments on them, and a management namespace behind it; the provisioner runs its
 * commands in there. Without the guard, an Instrument reaches all of it; with it, only its own segment.
 */
class BridgeGuardIT {

  static final String BRIDGE_A = "hbr-a";
  static final String BRIDGE_B = "hbr-b";
  static NetTestKit kit;
  static String host;
  static String onA1;
  static String onA2;
  static String onB;
  static String management;
  static HostNetworkProvisioner provisioner;

  @BeforeAll
  static void setUp() {
    kit = NetTestKit.start();
    host = kit.netns("gh");
    kit.run(IP, "netns", "exec", host, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
    for (String bridge : List.of(BRIDGE_A, BRIDGE_B)) {
      kit.run(IP, "-n", host, "link", "add", "name", bridge, "type", "bridge");
      kit.run(IP, "-n", host, "link", "set", bridge, "up");
    }
    kit.run(IP, "-n", host, "addr", "add", kit.address(1, 1) + "/24", "dev", BRIDGE_A);
    kit.run(IP, "-n", host, "addr", "add", kit.address(2, 1) + "/24", "dev", BRIDGE_B);
    onA1 = member("ga1", BRIDGE_A, kit.address(1, 11), kit.address(1, 1));
    onA2 = member("ga2", BRIDGE_A, kit.address(1, 12), kit.address(1, 1));
    onB = member("gb1", BRIDGE_B, kit.address(2, 11), kit.address(2, 1));
    management = member("gm", null, kit.address(9, 2), kit.address(9, 1));
    kit.run(IP, "-n", host, "addr", "add", kit.address(9, 1) + "/24", "dev", kit.name("gm"));
    assertEquals("1\n", kit.run(IP, "netns", "exec", host, "cat", "/proc/sys/net/bridge/bridge-nf-call-iptables"),
        "br_netfilter hands bridged frames to the forward hook, which the guard must let through");
    provisioner = HostNetworkProvisioner.create(
        kit.settings(new NetworkAllowlist(Set.of(BRIDGE_A, BRIDGE_B), Set.of(), Set.of())), kit.executor,
        kit.host.inNamespace(IP, host));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void without_the_guard_a_routing_host_connects_an_instrument_bridge_to_everything() {
    await(provisioner.removeHostRules());
    assertEquals(Map.of(), failures(onA1, Map.of(
        "the other instrument on A", kit.address(1, 12),
        "the host on A", kit.address(1, 1),
        "the host on its management side", kit.address(9, 1),
        "the management side", kit.address(9, 2),
        "an instrument on B", kit.address(2, 11))));
  }

  @Test
  void with_the_guard_an_instrument_reaches_its_own_segment_only() {
    await(provisioner.plan(kit.instrument("g1"), new NetworkMode.Bridged(BRIDGE_A)));
    assertEquals(Map.of(), failures(onA1, Map.of("the other instrument on A", kit.address(1, 12))));
    assertEquals(Map.of(), failures(onA2, Map.of("the other instrument on A", kit.address(1, 11))));

    var fromA = Map.of(
        "the host on A", kit.address(1, 1),
        "the host on its management side", kit.address(9, 1),
        "the management side", kit.address(9, 2),
        "an instrument on B", kit.address(2, 11));
    assertEquals(fromA.keySet(), failures(onA1, fromA).keySet());
    var intoA = Map.of("an instrument on A", kit.address(1, 11), "the host on B", kit.address(2, 1));
    assertEquals(intoA.keySet(), failures(onB, intoA).keySet());
    assertEquals(Set.of("an instrument on A"),
        failures(management, Map.of("an instrument on A", kit.address(1, 11))).keySet());
    assertTrue(kit.counted(host, "inet", kit.table(), "forward") > 0, "the forward chain stopped the routed ones");
  }

  @Test
  void removing_the_host_rules_takes_the_guard_away() {
    await(provisioner.plan(kit.instrument("g2"), new NetworkMode.Bridged(BRIDGE_B)));
    await(provisioner.removeHostRules());
    await(provisioner.removeHostRules());
    assertEquals("", kit.run(IP, "netns", "exec", host, NetTestKit.NFT, "list", "ruleset"));
  }

  /**
   * A namespace on a veth whose other end is in the host namespace (a port of {@code bridge} if not null),
   * with {@code address}/24 and a default route via {@code gateway}.
   */
  static String member(String suffix, String bridge, String address, String gateway) {
    String netns = kit.netns(suffix);
    String end = kit.vethTo(suffix, netns, address + "/24");
    kit.run(IP, "link", "set", end, "netns", host);
    if (bridge != null) {
      kit.run(IP, "-n", host, "link", "set", end, "master", bridge);
    }
    kit.run(IP, "-n", host, "link", "set", end, "up");
    kit.run(IP, "-n", netns, "route", "add", "default", "via", gateway);
    return netns;
  }

  /** Pings every target from {@code netns} at once; returns the targets that got no reply. */
  static Map<String, String> failures(String netns, Map<String, String> targets) {
    var script = new StringBuilder();
    for (var t : targets.entrySet()) {
      script.append("( busybox ping -c 1 -W 1 ").append(t.getValue()).append(" >/dev/null 2>&1 || busybox ping -c 1")
          .append(" -W 1 ").append(t.getValue()).append(" >/dev/null 2>&1; echo \"$? ").append(t.getKey())
          .append("\" ) &\n");
    }
    script.append("wait\n");
    var failed = new LinkedHashMap<String, String>();
    for (String line : kit.run(IP, "netns", "exec", netns, "sh", "-c", script.toString()).strip().split("\n")) {
      String[] codeAndLabel = line.split(" ", 2);
      if (!codeAndLabel[0].equals("0")) {
        failed.put(codeAndLabel[1], targets.get(codeAndLabel[1]));
      }
    }
    return failed;
  }
}
