package io.sensorfleet.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataDirectoryTest {

  @Test
  void is_the_persistent_volumes_mount_point_by_default() {
    assertEquals(Path.of("/var/lib/instrument"), DataDirectory.fromEnvironment(Map.of()));
  }

  @Test
  void moves_where_SENSORFLEET_DATA_DIR_says() {
    assertEquals(Path.of("/tmp/x"), DataDirectory.fromEnvironment(Map.of("SENSORFLEET_DATA_DIR", "/tmp/x")));
  }
}
