package io.sensorfleet.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The records refuse what the decoder refuses, so a program cannot build a frame the peer would reject. */
class FrameRulesTest {

  @Test
  void a_send_that_asks_for_an_ack_needs_an_id() {
    assertThrows(IllegalArgumentException.class,
        () -> new Frame.Send(Optional.empty(), SampleFrames.IDS, true, RawJson.of("{}")));
  }

  @Test
  void a_hello_needs_at_least_one_version() {
    assertThrows(IllegalArgumentException.class, () -> new Frame.Hello("h1", List.of(), SampleFrames.IDS, "sdk"));
  }

  @Test
  void a_hello_keeps_its_own_copy_of_the_versions() {
    var versions = new ArrayList<>(List.of(1));
    var hello = new Frame.Hello("h1", versions, SampleFrames.IDS, "sdk");
    versions.add(2);
    assertEquals(List.of(1), hello.versions());
  }

  @Test
  void a_configuration_must_be_a_json_object() {
    assertThrows(IllegalArgumentException.class, () -> new Frame.Config("c1", 1, RawJson.of("[]")));
  }

  @Test
  void correlation_ids_are_short_and_plain() {
    assertThrows(IllegalArgumentException.class, () -> new Frame.HealthQuery("a\"b"));
    assertThrows(IllegalArgumentException.class, () -> new Frame.HealthQuery("x".repeat(65)));
  }

  @Test
  void free_text_refuses_unpaired_surrogates() {
    assertThrows(IllegalArgumentException.class, () -> new Frame.Bye("\ud800"));
  }

  @Test
  void counts_stay_within_what_every_json_parser_reads_exactly() {
    assertThrows(IllegalArgumentException.class, () -> new Frame.ConfigAck("c1", Checks.MAX_SAFE_INTEGER + 1));
  }

  @Test
  void topics_refuse_wildcards_and_empty_segments() {
    assertFalse(Topic.isValid("alerts.*"));
    assertFalse(Topic.isValid("alerts..ids"));
    assertFalse(Topic.isValid(".alerts"));
    assertTrue(Topic.isValid("alerts.ids_v2-beta"));
  }

  @Test
  void an_error_built_from_a_code_carries_its_wire_name() {
    var error = Frame.Error.of(ErrorCode.NOT_PERMITTED, "no", Optional.of("m1"));
    assertEquals("not-permitted", error.code());
    assertEquals(Optional.of(ErrorCode.NOT_PERMITTED), error.knownCode());
  }

  @Test
  void an_error_with_a_newer_peers_code_is_kept_but_not_known() {
    assertEquals(Optional.empty(), new Frame.Error(Optional.empty(), "quota-exceeded", "").knownCode());
  }

  @Test
  void frame_type_wire_names_are_unique_and_map_back() {
    for (FrameType type : FrameType.values()) {
      assertEquals(Optional.of(type), FrameType.fromWireName(type.wireName()));
    }
  }

  @Test
  void hello_comes_only_from_instruments_and_error_from_both_ends() {
    assertTrue(FrameType.HELLO.sentBy(Peer.INSTRUMENT));
    assertFalse(FrameType.HELLO.sentBy(Peer.PLATFORM));
    assertTrue(FrameType.ERROR.sentBy(Peer.PLATFORM) && FrameType.ERROR.sentBy(Peer.INSTRUMENT));
  }

  @Test
  void error_code_wire_names_are_unique_and_map_back() {
    for (ErrorCode code : ErrorCode.values()) {
      assertEquals(Optional.of(code), ErrorCode.fromWireName(code.wireName()));
    }
  }

  @Test
  void only_oversized_frames_version_and_identity_failures_close_the_connection() {
    Set<ErrorCode> fatal = Stream.of(ErrorCode.values()).filter(ErrorCode::fatal).collect(Collectors.toSet());
    assertEquals(Set.of(ErrorCode.FRAME_TOO_LARGE, ErrorCode.UNSUPPORTED_VERSION, ErrorCode.IDENTITY_MISMATCH), fatal);
  }
}
