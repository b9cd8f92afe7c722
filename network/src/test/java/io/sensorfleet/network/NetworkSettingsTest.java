package io.sensorfleet.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sensorfleet.core.network.NetworkAllowlist;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetworkSettingsTest {

  @Test
  void offers_nothing_by_default() {
    var settings = NetworkSettings.fromRootConfig(ConfigFactory.load());
    assertEquals(NetworkAllowlist.nothing(), settings.allowlist());
    assertEquals("sensorfleet", settings.nftTable());
    assertTrue(settings.isolateBridges());
    assertEquals(Duration.ofSeconds(5), settings.commandTimeout());
    assertEquals("/usr/sbin/ip", settings.ipCommand());
    assertEquals("/usr/sbin/nft", settings.nftCommand());
  }

  @Test
  void reads_the_example_sensor_conf() {
    var sensorConf = ConfigFactory.parseFile(Path.of(System.getProperty("user.dir"), "../conf/sensor.conf").toFile());
    var settings = NetworkSettings.fromRootConfig(sensorConf.withFallback(ConfigFactory.load()).resolve());
    assertEquals(new NetworkAllowlist(Set.of("br-honeynet", "br-egress"), Set.of("eth2"), Set.of("eth1")),
        settings.allowlist());
  }

  @Test
  void reads_the_keys_an_operator_sets() {
    var config = ConfigFactory.parseString("""
        sensor.bridges = [br-a, br-b]
        sensor.interfaces { dedicated = [eth3], capture = [eth1, eth4] }
        sensor.network { nft-table = "sf_test", isolate-bridges = false, command-timeout = 2s }
        """).withFallback(ConfigFactory.load());
    var settings = NetworkSettings.fromRootConfig(config);
    assertEquals(new NetworkAllowlist(Set.of("br-a", "br-b"), Set.of("eth3"), Set.of("eth1", "eth4")),
        settings.allowlist());
    assertEquals("sf_test", settings.nftTable());
    assertEquals(false, settings.isolateBridges());
    assertEquals(Duration.ofSeconds(2), settings.commandTimeout());
  }

  @Test
  void refuses_an_interface_declared_for_two_uses() {
    var config = ConfigFactory.parseString("""
        sensor.bridges = [eth2]
        sensor.interfaces.dedicated = [eth2]
        """).withFallback(ConfigFactory.load());
    var e = assertThrows(IllegalArgumentException.class, () -> NetworkSettings.fromRootConfig(config));
    assertEquals("eth2 listed in both sensor.bridges and sensor.interfaces.dedicated; each bridge or interface has"
        + " one use", e.getMessage());
  }

  @Test
  void refuses_a_table_name_nft_would_need_quoted() {
    var config = ConfigFactory.parseString("sensor.network.nft-table = \"my table\"")
        .withFallback(ConfigFactory.load());
    assertThrows(IllegalArgumentException.class, () -> NetworkSettings.fromRootConfig(config));
  }
}
