package io.sensorfleet.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StorageSettingsTest {

  @Test
  void reference_conf_gives_the_documented_defaults() {
    var settings = StorageSettings.fromConfig(
        ConfigFactory.load(ConfigFactory.parseMap(Map.of("sensor.data-dir", "/var/lib/sensorfleet")))
            .getConfig("sensor.storage"), Map.of());

    assertEquals(Path.of("/var/lib/sensorfleet/keys"), settings.keyDir());
    assertEquals(Path.of("/var/lib/sensorfleet/storage"), settings.recordDir());
    assertEquals(Path.of("/run/sensorfleet-storage"), settings.mountDir());
    assertEquals("sensorfleet", settings.pool());
    assertEquals(Path.of("/var/lib/lxd/storage-pools/sensorfleet"), settings.poolPath());
    assertEquals(1000, settings.instrumentUid());
    assertEquals(10, settings.scryptN());
    assertEquals(Duration.ofSeconds(30), settings.commandTimeout());
    assertEquals(16L << 20, settings.minPersistentBytes());
    assertFalse(settings.allowOvercommit());
  }

  @Test
  void lxd_dir_follows_the_environment_unless_set() {
    var section = ConfigFactory.load().getConfig("sensor.storage");

    assertEquals(Path.of("/tmp/lxd-x"), StorageSettings.fromConfig(section, Map.of("LXD_DIR", "/tmp/lxd-x")).lxdDir());
    assertEquals(Path.of("/srv/lxd"), StorageSettings.fromConfig(
        ConfigFactory.parseMap(Map.of("lxd-dir", "/srv/lxd")).withFallback(section), Map.of("LXD_DIR", "/x")).lxdDir());
  }

  @Test
  void a_relative_data_dir_becomes_absolute() {
    var settings = StorageSettings.fromConfig(ConfigFactory.load().getConfig("sensor.storage"), Map.of());

    assertEquals(Path.of("data/keys").toAbsolutePath(), settings.keyDir());
  }

  @Test
  void nonsense_is_refused() {
    var section = ConfigFactory.load().getConfig("sensor.storage");

    assertThrows(IllegalArgumentException.class, () -> StorageSettings.fromConfig(
        ConfigFactory.parseMap(Map.of("pool", "a/b")).withFallback(section), Map.of()));
    assertThrows(IllegalArgumentException.class, () -> StorageSettings.fromConfig(
        ConfigFactory.parseMap(Map.of("scrypt-n", 4)).withFallback(section), Map.of()));
    assertThrows(IllegalArgumentException.class, () -> StorageSettings.fromConfig(
        ConfigFactory.parseMap(Map.of("instrument-uid", 70000)).withFallback(section), Map.of()));
  }
}
