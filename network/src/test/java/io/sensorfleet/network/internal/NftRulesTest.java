package io.sensorfleet.network.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NftRulesTest {

  @Test
  void guards_every_declared_bridge_in_one_replacing_transaction() {
    assertEquals("""
        add table inet sf
        delete table inet sf
        add table inet sf
        add chain inet sf input { type filter hook input priority -10; policy accept; }
        add rule inet sf input iifname { "br-a", "br-b" } counter drop
        add chain inet sf output { type filter hook output priority -10; policy accept; }
        add rule inet sf output oifname { "br-a", "br-b" } counter drop
        add table arp sf
        delete table arp sf
        add table arp sf
        add chain arp sf input { type filter hook input priority -10; policy accept; }
        add rule arp sf input iifname { "br-a", "br-b" } counter drop
        add chain arp sf output { type filter hook output priority -10; policy accept; }
        add rule arp sf output oifname { "br-a", "br-b" } counter drop
        add chain inet sf forward { type filter hook forward priority -10; policy accept; }
        add rule inet sf forward iifname "br-a" oifname != "br-a" counter drop
        add rule inet sf forward oifname "br-a" iifname != "br-a" counter drop
        add rule inet sf forward iifname "br-b" oifname != "br-b" counter drop
        add rule inet sf forward oifname "br-b" iifname != "br-b" counter drop
        """, NftRules.bridgeGuard("sf", Set.of("br-b", "br-a")));
  }

  @Test
  void drops_everything_a_passive_instrument_sends_at_ingress() {
    assertEquals("""
        add table netdev sf
        add chain netdev sf sfp0a1b2c3d { type filter hook ingress device "sfp0a1b2c3d" priority -500; policy drop; }
        flush chain netdev sf sfp0a1b2c3d
        add rule netdev sf sfp0a1b2c3d counter drop
        """, NftRules.passiveDrop("sf", "sfp0a1b2c3d"));
    assertEquals("""
        add table netdev sf
        add chain netdev sf sfp0a1b2c3d { type filter hook ingress device "sfp0a1b2c3d" priority -500; policy drop; }
        flush chain netdev sf sfp0a1b2c3d
        delete chain netdev sf sfp0a1b2c3d
        """, NftRules.removePassiveDrop("sf", "sfp0a1b2c3d"));
  }

  @Test
  void removes_all_three_tables() {
    assertEquals("""
        add table inet sf
        delete table inet sf
        add table arp sf
        delete table arp sf
        add table netdev sf
        delete table netdev sf
        """, NftRules.removeAll("sf"));
  }

  @Test
  void lets_no_name_inject_nft_syntax() {
    assertThrows(IllegalArgumentException.class, () -> NftRules.bridgeGuard("sf", List.of("br0\"; flush ruleset")));
    assertThrows(IllegalArgumentException.class, () -> NftRules.passiveDrop("sf x", "sfp0"));
    assertThrows(IllegalArgumentException.class, () -> NftRules.bridgeGuard("sf", List.of()));
  }

  @Test
  void counts_the_packets_a_passive_drop_chain_stopped() {
    String listing = """
        table netdev sf {
        	chain sfp1a2b3c4d {
        		type filter hook ingress device "sfp1a2b3c4d" priority -500; policy drop;
        		counter packets 17 bytes 1020 drop
        	}
        }
        """;
    assertEquals(java.util.OptionalLong.of(17), NftRules.countedPackets(listing));
    assertEquals(java.util.OptionalLong.empty(), NftRules.countedPackets("table netdev sf {\n}\n"));
  }
}
