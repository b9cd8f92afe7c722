package io.sensorfleet.core.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.manifest.StaticAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What LXC is told about an Instrument's network through {@code raw.lxc}. */
class LxcNetworkConfigTest {

  @Test
  void a_bridged_instrument_with_an_address_gets_it_and_its_gateway_on_its_only_nic() {
    var mode = new NetworkMode.Bridged("br-egress", Optional.of(StaticAddress.of("10.254.0.10/24", "10.254.0.1")));
    assertEquals("""
        lxc.mount.auto = cgroup:mixed:force
        lxc.net.0.ipv4.address = 10.254.0.10/24 10.254.0.255
        lxc.net.0.ipv4.gateway = 10.254.0.1""", LxcNetworkConfig.rawLxc(mode));
  }

  @Test
  void a_dedicated_instrument_without_a_gateway_gets_no_route() {
    var mode = new NetworkMode.Dedicated("eth2", Optional.of(StaticAddress.of("192.168.7.2/30")));
    assertEquals("lxc.mount.auto = cgroup:mixed:force\nlxc.net.0.ipv4.address = 192.168.7.2/30 192.168.7.3",
        LxcNetworkConfig.rawLxc(mode));
  }

  @Test
  void without_an_address_lxc_gets_only_the_secure_defaults() {
    assertEquals("lxc.mount.auto = cgroup:mixed:force", LxcNetworkConfig.rawLxc(new NetworkMode.Bridged("br-lan")));
    assertEquals("lxc.mount.auto = cgroup:mixed:force", LxcNetworkConfig.rawLxc(new NetworkMode.None()));
  }

  @Test
  void a_passive_instrument_still_has_ipv6_off() {
    assertEquals("lxc.mount.auto = cgroup:mixed:force\n" + LxcNetworkConfig.PASSIVE_SYSCTLS,
        LxcNetworkConfig.rawLxc(NetworkMode.Passive.everything()));
  }
}
