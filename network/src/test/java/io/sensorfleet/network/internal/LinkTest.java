package io.sensorfleet.network.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing of {@code ip -j -d address show dev X} as iproute2 6.1 prints it (abridged). */
class LinkTest {

  static final String BRIDGE = """
      [{"ifindex":32,"ifname":"br-honeynet","flags":["BROADCAST","MULTICAST","UP"],"mtu":1500,"operstate":"UP",
        "link_type":"ether","address":"32:f7:7f:23:63:d3","linkinfo":{"info_kind":"bridge","info_data":{}},
        "addr_info":[{"family":"inet6","local":"fe80::30f7:7fff:fe23:63d3","prefixlen":64,"scope":"link"}]}]""";
  static final String PORT = """
      [{"ifindex":33,"link":"v0","ifname":"v0p","master":"br-honeynet","link_type":"ether",
        "linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"},"addr_info":[]}]""";
  static final String NIC = """
      [{"ifindex":2,"ifname":"eth0","link_type":"ether","addr_info":[
        {"family":"inet","local":"192.0.2.2","prefixlen":24,"scope":"global"},
        {"family":"inet6","local":"fd00::2","prefixlen":64,"scope":"global"},
        {"family":"inet6","local":"fe80::fc:ff:fe00:1","prefixlen":64,"scope":"link"}]}]""";

  @Test
  void reads_a_bridge_whose_only_address_is_link_local() {
    Link link = Link.parse(BRIDGE);
    assertEquals("br-honeynet", link.name());
    assertTrue(link.isBridge());
    assertEquals(Optional.empty(), link.master());
    assertEquals(List.of(), link.hostAddresses());
  }

  @Test
  void reads_the_bridge_a_port_belongs_to() {
    Link link = Link.parse(PORT);
    assertFalse(link.isBridge());
    assertEquals("veth", link.describeKind());
    assertEquals(Optional.of("br-honeynet"), link.master());
  }

  @Test
  void counts_ipv4_and_global_ipv6_as_host_addresses() {
    Link link = Link.parse(NIC);
    assertEquals("physical", link.describeKind());
    assertEquals("192.0.2.2/24, fd00::2/64",
        String.join(", ", link.hostAddresses().stream().map(Link.Address::toString).toList()));
  }

  @Test
  void refuses_output_that_is_not_one_link() {
    assertThrows(IllegalArgumentException.class, () -> Link.parse("[]"));
    assertThrows(IllegalArgumentException.class, () -> Link.parse("Device \"x\" does not exist."));
    assertThrows(IllegalArgumentException.class, () -> Link.parse(""));
  }
}
