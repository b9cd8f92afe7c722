package io.sensorfleet.actors.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sensorfleet.core.protocol.FrameLimits;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChannelSettingsTest {

  final ChannelSettings defaults = ChannelSettings.from(ConfigFactory.load());

  @Test
  void frame_limit_defaults_to_the_protocols() {
    assertEquals(FrameLimits.DEFAULT.maxFrameBytes(), defaults.maxFrameBytes());
    assertEquals(FrameLimits.DEFAULT, defaults.frameLimits());
  }

  @Test
  void runtime_root_defaults_to_run_sensorfleet() {
    assertEquals(Path.of("/run/sensorfleet"), defaults.runtimeRoot());
  }

  @Test
  void a_shaping_rate_over_one_per_nanosecond_is_refused_when_read() {
    var config = ConfigFactory.parseString("sensor.channel.inbound-bytes-per-second = 1500 MiB")
        .withFallback(ConfigFactory.load());
    var error = assertThrows(IllegalArgumentException.class, () -> ChannelSettings.from(config));
    assertTrue(error.getMessage().contains("inbound-bytes-per-second"), error.getMessage());
  }

  @Test
  void byte_burst_lets_a_maximal_frame_through_at_once() {
    assertTrue(defaults.inboundByteBurst() >= defaults.maxFrameBytes() + defaults.readChunkBytes());
  }
}
