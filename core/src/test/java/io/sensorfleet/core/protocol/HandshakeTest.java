package io.sensorfleet.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class HandshakeTest {

  @Test
  void picks_the_highest_version_both_ends_speak() {
    assertEquals(OptionalInt.of(2), Handshake.negotiate(List.of(3, 1, 2), List.of(1, 2)));
  }

  @Test
  void finds_nothing_when_no_version_is_shared() {
    assertEquals(OptionalInt.empty(), Handshake.negotiate(List.of(2, 3), List.of(1)));
  }

  @Test
  void this_code_speaks_version_one() {
    assertEquals(List.of(1), Handshake.SUPPORTED_VERSIONS);
  }

  @Test
  void the_unsupported_version_answer_is_fatal_and_echoes_the_hello_id() {
    var hello = new Frame.Hello("h7", List.of(9), SampleFrames.IDS, "sdk/9");
    Frame.Error error = Handshake.unsupported(hello, Handshake.SUPPORTED_VERSIONS);
    assertEquals(Optional.of("h7"), error.re());
    assertTrue(error.knownCode().orElseThrow().fatal());
  }
}
