package io.sensorfleet.it.network;

import static io.sensorfleet.it.network.NetTestKit.await;
import static io.sensorfleet.it.network.NetTestKit.failure;
import static io.sensorfleet.it.network.NetTestKit.ping;
import static io.sensorfleet.it.network.NetTestKit.pingOk;
import static io.sensorfleet.it.network.NetTestKit.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkException;
import io.sensorfleet.core.network.NetworkPlan;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.network.HostNetworkProvisioner;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mode bridged, on two test bridges of the sensor: A with a namespace and two Instruments on it, B with a
 * namespace and one Instrument. Each Instrument reaches its own segment and nothing else: not the other bridge,
 * not the host (by any of its addresses), not what lies behind the host.
 */
class BridgedModeIT {

  static NetTestKit kit;
  static HostNetworkProvisioner provisioner;
  static String bridgeA;
  static String bridgeB;
  static String onA1;
  static String onA2;
  static String onB;

  @BeforeAll
  static void setUp() {
    kit = NetTestKit.start();
    kit.managementSide();
    bridgeA = kit.bridge("ba");
    bridgeB = kit.bridge("bb");
    kit.memberOf(bridgeA, "na", kit.address(1, 100) + "/24");
    kit.memberOf(bridgeB, "nb", kit.address(2, 100) + "/24");
    provisioner = kit.provisioner(new NetworkAllowlist(Set.of(bridgeA, bridgeB), Set.of(), Set.of()));
    onA1 = bridgedInstrument("a1", bridgeA, kit.address(1, 2));
    onA2 = bridgedInstrument("a2", bridgeA, kit.address(1, 3));
    onB = bridgedInstrument("b1", bridgeB, kit.address(2, 2));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void a_bridged_instrument_gets_one_nic_whose_host_end_is_a_port_of_its_bridge() {
    InstrumentId id = kit.instrument("a1");
    String hostEnd = HostNetworkProvisioner.bridgedHostName(id);
    assertEquals("eth0\nlo\n", kit.sh(onA1, "ls /sys/class/net"));
    assertEquals(bridgeA, kit.link(hostEnd).path("master").asText());
  }

  @Test
  void a_bridged_instrument_reaches_its_own_segment() {
    kit.sh(onA1, pingOk(kit.address(1, 100)));
  }

  @Test
  void two_instruments_on_the_same_bridge_reach_each_other() {
    kit.sh(onA1, pingOk(kit.address(1, 3)));
    kit.sh(onA2, pingOk(kit.address(1, 2)));
  }

  @Test
  void instruments_on_different_bridges_do_not_reach_each_other() {
    String attacker = attacker("x1", 51);
    kit.allFail(attacker, Map.of(
        "ping instrument on B", ping(kit.address(2, 2)),
        "ping namespace on B", ping(kit.address(2, 100))));
    kit.sh(onB, "ip route add default dev eth0");
    kit.allFail(onB, Map.of(
        "ping instrument on A", ping(kit.address(1, 2)),
        "ping namespace on A", ping(kit.address(1, 100))));
  }

  @Test
  void a_bridged_instrument_reaches_neither_the_host_nor_what_lies_behind_it() throws Exception {
    String attacker = attacker("x2", 52);
    String bridgeMac = kit.link(bridgeA).path("address").asText();
    String bridgeLinkLocal = linkLocal(kit.link(bridgeA));
    List<String> hostAddresses = hostAddresses();
    long arpDropsBefore = kit.counted(null, "arp", kit.table(), "input");
    long ipDropsBefore = kit.counted(null, "inet", kit.table(), "input");

    try (var listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(0));
      listener.setSoTimeout(100);
      AtomicInteger accepted = acceptAll(listener);
      int port = listener.getLocalPort();
      var attempts = new LinkedHashMap<String, String>();
      for (String address : hostAddresses) {
        attempts.put("ping host " + address, ping(address));
        attempts.put("tcp host " + address, tcp(address, port));
      }
      attempts.put("ping management side", ping(kit.address(0, 2)));
      attempts.put("ping6 host on the bridge", "ping -6 -c 1 -W 1 " + bridgeLinkLocal + "%eth0");
      kit.allFail(attacker, attempts);
      assertTrue(kit.counted(null, "arp", kit.table(), "input") > arpDropsBefore, "the host heard no ARP request");

      // Past ARP with static entries for the bridge's MAC: now the IP packets reach the host, which drops them.
      var staticArp = new StringBuilder();
      for (String address : hostAddresses) {
        staticArp.append("arp -i eth0 -s ").append(address).append(' ').append(bridgeMac).append(" && ");
      }
      kit.sh(attacker, staticArp + "arp -i eth0 -s " + kit.address(0, 2) + " " + bridgeMac);
      kit.allFail(attacker, attempts);
      assertTrue(kit.counted(null, "inet", kit.table(), "input") > ipDropsBefore, "no IP packet reached the host");
      assertEquals(0, accepted.get(), "connections the host accepted from the bridge");
    }
  }

  @Test
  void an_undeclared_bridge_is_refused_at_plan_time() {
    InstrumentId id = kit.instrument("u1");
    String undeclared = kit.name("mg");
    var refused = failure(NetworkException.Refused.class, provisioner.plan(id, new NetworkMode.Bridged(undeclared)));
    assertEquals("network refused for Instrument '" + id + "': bridge '" + undeclared + "' is not offered by this"
        + " sensor; sensor.bridges lists " + bridgeA + ", " + bridgeB, refused.getMessage());
  }

  @Test
  void a_declared_bridge_missing_from_the_host_is_reported_at_plan_time() {
    String missing = kit.name("bm");
    var sensor = kit.provisioner(new NetworkAllowlist(Set.of(missing), Set.of(), Set.of()));
    var unavailable = failure(NetworkException.Unavailable.class,
        sensor.plan(kit.instrument("m1"), new NetworkMode.Bridged(missing)));
    assertEquals("bridge '" + missing + "' is declared in sensor.bridges but does not exist on this host",
        unavailable.reason());
  }

  @Test
  void a_running_instrument_cannot_be_planned_twice() {
    var unavailable = failure(NetworkException.Unavailable.class,
        provisioner.plan(kit.instrument("a1"), new NetworkMode.Bridged(bridgeA)));
    assertTrue(unavailable.reason().contains("still runs"), unavailable.reason());
  }

  /** Plans, starts and addresses an Instrument on {@code bridge}; returns its container. */
  static String bridgedInstrument(String suffix, String bridge, String address) {
    InstrumentId id = kit.instrument(suffix);
    NetworkPlan plan = await(provisioner.plan(id, new NetworkMode.Bridged(bridge)));
    assertEquals(Map.of("eth0", new Device.Bridged(bridge, HostNetworkProvisioner.bridgedHostName(id), "eth0")),
        plan.devices());
    String container = kit.running(suffix, plan);
    kit.configure(container, address + "/24");
    return container;
  }

  /** An Instrument on bridge A that routes everything out of its NIC, as if the host were its gateway. */
  static String attacker(String suffix, int hostPart) {
    String container = bridgedInstrument(suffix, bridgeA, kit.address(1, hostPart));
    kit.sh(container, "ip route add default dev eth0");
    return container;
  }

  /** Every global IPv4 address of the host: its real ones and the run's management side. */
  static List<String> hostAddresses() throws IOException {
    var addresses = new ArrayList<String>();
    JsonNode links = new ObjectMapper().readTree(
        kit.run(NetTestKit.IP, "-j", "-4", "address", "show", "scope", "global"));
    for (JsonNode link : links) {
      for (JsonNode a : link.path("addr_info")) {
        addresses.add(a.path("local").asText());
      }
    }
    assertTrue(addresses.contains(kit.address(0, 1)), addresses::toString);
    return addresses;
  }

  static String linkLocal(JsonNode link) {
    for (JsonNode a : link.path("addr_info")) {
      if (a.path("family").asText().equals("inet6") && a.path("scope").asText().equals("link")) {
        return a.path("local").asText();
      }
    }
    throw new AssertionError("no IPv6 link-local address on " + link);
  }

  /** Accepts (and counts) connections until the socket closes. */
  static AtomicInteger acceptAll(ServerSocket listener) {
    var accepted = new AtomicInteger();
    Thread.ofVirtual().start(() -> {
      while (!listener.isClosed()) {
        try (var socket = listener.accept()) {
          accepted.incrementAndGet();
        } catch (SocketTimeoutException e) {
          // Look again.
        } catch (IOException e) {
          return;
        }
      }
    });
    return accepted;
  }
}
