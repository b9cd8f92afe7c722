package io.sensorfleet.sdk.wrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WrapOptionsTest {

  @Test
  void reads_options_and_the_command_after_the_double_dash() {
    WrapOptions options = WrapOptions.parse("--heartbeat", "45s", "--data-dir", "/var/lib/instrument",
        "--stop-grace", "500ms", "--", "/usr/bin/tool", "--verbose", "-x");

    assertEquals(new WrapOptions(Duration.ofSeconds(45), Optional.of(Path.of("/var/lib/instrument")),
        Duration.ofMillis(500), List.of("/usr/bin/tool", "--verbose", "-x")), options);
  }

  @Test
  void defaults_to_a_30s_heartbeat_and_no_data_directory() {
    WrapOptions options = WrapOptions.parse("--", "tool");

    assertEquals(Duration.ofSeconds(30), options.heartbeat());
    assertEquals(Optional.empty(), options.dataDir());
  }

  @Test
  void reads_durations_in_minutes_and_plain_seconds() {
    assertEquals(Duration.ofMinutes(2), WrapOptions.parse("--heartbeat", "2m", "--", "tool").heartbeat());
    assertEquals(Duration.ofSeconds(7), WrapOptions.parse("--heartbeat", "7", "--", "tool").heartbeat());
  }

  @Test
  void refuses_a_command_line_without_a_command() {
    assertThrows(IllegalArgumentException.class, () -> WrapOptions.parse("--heartbeat", "30s", "--"));
  }

  @Test
  void refuses_a_command_line_without_the_double_dash() {
    assertThrows(IllegalArgumentException.class, () -> WrapOptions.parse("--heartbeat", "30s"));
  }

  @Test
  void refuses_a_zero_heartbeat() {
    assertThrows(IllegalArgumentException.class, () -> WrapOptions.parse("--heartbeat", "0s", "--", "tool"));
  }

  @Test
  void refuses_unknown_options() {
    assertThrows(IllegalArgumentException.class, () -> WrapOptions.parse("--beat", "3s", "--", "tool"));
  }
}
