package io.sensorfleet.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.sdk.testing.FakePlatform;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstrumentClientBuilderTest {

  @Test
  void reads_the_instrument_id_and_socket_from_the_environment() {
    try (FakePlatform platform = FakePlatform.start();
        var client = InstrumentClient.builder()
            .environment(Map.of("SENSORFLEET_INSTRUMENT", "passive-dns", "SENSORFLEET_BUS",
                platform.socket().toString()))
            .build()) {
      assertEquals(InstrumentId.of("passive-dns"), client.instrument());
      assertEquals(InstrumentId.of("passive-dns"), platform.accept().expect(Frame.Hello.class).instrument());
    }
  }

  @Test
  void refuses_to_build_without_an_instrument_id() {
    var builder = InstrumentClient.builder().environment(Map.of());

    assertThrows(IllegalStateException.class, builder::build);
  }

  @Test
  void refuses_a_software_string_the_protocol_does_not_allow() {
    var builder = InstrumentClient.builder().environment(Map.of()).instrument(InstrumentId.of("sample"))
        .software("caf\u00e9/1.0");

    assertThrows(IllegalArgumentException.class, builder::build);
  }
}
