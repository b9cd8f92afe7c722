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
        add rule netdev sf sfp0a1b2c3d ip6 saddr :: icmpv6 type { mld-listener-report, mld2-listener-report, \
        nd-router-solicit, nd-neighbor-solicit } counter drop comment "link-noise"
        add rule netdev sf sfp0a1b2c3d counter drop comment "blocked"
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
  void counts_what_a_passive_instrument_tried_to_send_apart_from_its_kernels_link_up_chatter() {
    String listing = """
        table netdev sf {
        \tchain sfp1a2b3c4d {
        \t\ttype filter hook ingress device "sfp1a2b3c4d" priority -500; policy drop;
        \t\tip6 saddr :: icmpv6 type { mld2-listener-report } counter packets 2 bytes 152 drop comment "link-noise"
        \t\tcounter packets 17 bytes 1020 drop comment "blocked"
        \t}
        }
        """;
    assertEquals(java.util.OptionalLong.of(17), NftRules.blockedPackets(listing));
  }

  @Test
  void counts_every_counter_of_a_chain_made_before_the_blocked_rule_had_its_comment() {
    assertEquals(java.util.OptionalLong.of(17), NftRules.blockedPackets("\t\tcounter packets 17 bytes 1020 drop\n"));
    assertEquals(java.util.OptionalLong.empty(), NftRules.blockedPackets("table netdev sf {\n}\n"));
  }
}
