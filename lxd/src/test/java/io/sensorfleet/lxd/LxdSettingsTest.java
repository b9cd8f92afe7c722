package io.sensorfleet.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LxdSettingsTest {

  private static final Config DEFAULTS = ConfigFactory.defaultReference().getConfig("sensor.lxd");

  @Test
  void reads_the_reference_defaults() {
    LxdSettings s = LxdSettings.fromConfig(DEFAULTS, Map.of());
    assertEquals(Path.of("/var/lib/lxd/unix.socket"), s.socket());
    assertEquals(LxdDialect.LXD, s.dialect());
    assertEquals(Duration.ofSeconds(60), s.operationTimeout());
    assertEquals(Duration.ofSeconds(10), s.stopTimeout());
    assertEquals("default", s.storagePool());
    assertEquals(List.of(), s.profiles());
    assertEquals(64L * 1024 * 1024, s.maxResponseBytes());
  }

  @Test
  void finds_the_socket_of_a_private_daemon_in_lxd_dir() {
    assertEquals(Path.of("/tmp/lxd-ci/unix.socket"),
        LxdSettings.fromConfig(DEFAULTS, Map.of("LXD_DIR", "/tmp/lxd-ci")).socket());
  }

  @Test
  void finds_incus_in_its_own_place() {
    Config incus = ConfigFactory.parseMap(Map.of("dialect", "incus")).withFallback(DEFAULTS);
    assertEquals(Path.of("/var/lib/incus/unix.socket"), LxdSettings.fromConfig(incus, Map.of()).socket());
    assertEquals(Path.of("/srv/incus/unix.socket"),
        LxdSettings.fromConfig(incus, Map.of("INCUS_DIR", "/srv/incus", "LXD_DIR", "/x")).socket());
    assertEquals("X-Incus-uid", LxdDialect.INCUS.fileHeader("uid"));
  }

  @Test
  void an_explicit_socket_wins_over_the_environment() {
    Config explicit = ConfigFactory.parseMap(Map.of("socket", "/run/lxd.sock")).withFallback(DEFAULTS);
    assertEquals(Path.of("/run/lxd.sock"), LxdSettings.fromConfig(explicit, Map.of("LXD_DIR", "/x")).socket());
  }

  @Test
  void refuses_an_unknown_dialect_and_a_queue_pekko_cannot_use() {
    Config docker = ConfigFactory.parseMap(Map.of("dialect", "docker")).withFallback(DEFAULTS);
    assertThrows(IllegalArgumentException.class, () -> LxdSettings.fromConfig(docker, Map.of()));
    Config queue = ConfigFactory.parseMap(Map.of("max-open-requests", 100)).withFallback(DEFAULTS);
    assertThrows(IllegalArgumentException.class, () -> LxdSettings.fromConfig(queue, Map.of()));
  }
}
