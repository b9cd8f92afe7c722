package io.sensorfleet.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sensorfleet.core.InstrumentId;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrincipalTest {

  @ParameterizedTest
  @ValueSource(strings = {"platform", "user:alice", "user:bob@example.org", "user:a:b", "instrument:ids"})
  void parses_back_its_own_wire_form(String wire) {
    assertEquals(wire, Principal.parse(wire).toString());
  }

  @Test
  void writes_the_platform_as_a_bare_word() {
    assertEquals("platform", Principal.platform().toString());
  }

  @Test
  void writes_a_user_with_its_kind_prefix() {
    assertEquals("user:alice", Principal.user("alice").toString());
  }

  @Test
  void writes_an_instrument_with_its_kind_prefix() {
    assertEquals("instrument:ids", Principal.instrument(InstrumentId.of("ids")).toString());
  }

  @Test
  void parses_an_instrument_principal_to_its_instrument_id() {
    assertEquals(Optional.of(InstrumentId.of("ids")), Principal.parse("instrument:ids").instrumentId());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "alice", "user:", "user: alice", "admin:alice", "instrument:Bad_Id", "Platform", ":x"})
  void rejects_anything_else(String wire) {
    assertThrows(IllegalArgumentException.class, () -> Principal.parse(wire));
  }

  @Test
  void rejects_a_user_name_with_control_characters() {
    assertThrows(IllegalArgumentException.class, () -> Principal.user("ali\nce"));
  }

  @Test
  void rejects_a_platform_principal_with_another_name() {
    assertThrows(IllegalArgumentException.class, () -> new Principal(Principal.Kind.PLATFORM, "root"));
  }
}
