package io.sensorfleet.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sensorfleet.core.InstrumentId;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditRequestTest {

  static final InstrumentId IDS = InstrumentId.of("ids");

  @Test
  void platform_request_is_by_the_platform_ok_and_about_nothing() {
    assertEquals(new AuditRequest(Principal.platform(), "sensor.start", AuditKind.PLATFORM, "", Optional.empty(),
        Outcome.OK, "booted"), AuditRequest.platform("sensor.start", AuditKind.PLATFORM, "booted"));
  }

  @Test
  void about_instrument_sets_the_instrument_and_an_empty_target() {
    var r = AuditRequest.platform("instrument.stop", AuditKind.LIFECYCLE, "").aboutInstrument(IDS);

    assertEquals(Optional.of(IDS), r.instrument());
    assertEquals("ids", r.target());
  }

  @Test
  void about_instrument_keeps_a_target_already_set() {
    var r = AuditRequest.platform("message.relay", AuditKind.MESSAGE, "").withTarget("instrument:dns").aboutInstrument(IDS);

    assertEquals("instrument:dns", r.target());
  }

  @Test
  void cuts_a_detail_longer_than_the_column_and_marks_the_cut() {
    var r = AuditRequest.platform("x", AuditKind.PLATFORM, "d".repeat(5000));

    assertEquals(AuditRequest.MAX_DETAIL, r.detail().length());
    assertEquals('…', r.detail().charAt(AuditRequest.MAX_DETAIL - 1));
  }

  @Test
  void replaces_nul_characters_which_postgresql_text_cannot_hold() {
    var r = AuditRequest.platform("x", AuditKind.PLATFORM, "a\0b").withTarget("t\0");

    assertEquals("a\uFFFDb", r.detail());
    assertEquals("t\uFFFD", r.target());
  }

  @Test
  void rejects_an_action_with_control_characters() {
    assertThrows(IllegalArgumentException.class, () -> AuditRequest.platform("instrument.\nstart", AuditKind.PLATFORM, ""));
  }

  @Test
  void rejects_a_blank_action() {
    assertThrows(IllegalArgumentException.class, () -> AuditRequest.platform(" ", AuditKind.PLATFORM, ""));
  }
}
