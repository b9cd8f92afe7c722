package io.sensorfleet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class InstrumentIdTest {

  @ParameterizedTest
  @ValueSource(strings = {"ab", "ids", "passive-dns", "a1", "dns-sensor-2", "abcdefghijklmnopqrstuvwxyz012345"})
  void accepts_well_formed_ids(String value) {
    assertEquals(value, InstrumentId.of(value).value());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "1abc", "-abc", "abc-", "Abc", "a_b", "a.b", "a/b", "../etc", "a b",
      "abcdefghijklmnopqrstuvwxyz0123456", "ab--cd", "ids\n", "é-ids", "aBc", "ab\u0000c", "a~b", "a:"})
  void rejects_ids_that_lxd_or_linux_would_refuse(String value) {
    var error = assertThrows(IllegalArgumentException.class, () -> InstrumentId.of(value));
    assertTrue(error.getMessage().startsWith("invalid instrument id"), error.getMessage());
    assertFalse(InstrumentId.isValid(value));
  }

  @Test
  void rejects_a_missing_id() {
    assertThrows(IllegalArgumentException.class, () -> InstrumentId.of(null));
  }

  @Test
  void derives_container_and_volume_names_with_the_sensor_prefix() {
    var id = InstrumentId.of("passive-dns");
    assertEquals("sf-passive-dns", id.containerName());
    assertEquals("sf-passive-dns--persistent", id.volumeName("persistent"));
  }

  @Test
  void host_interface_names_fit_ifnamsiz_for_the_longest_id() {
    var id = InstrumentId.of("abcdefghijklmnopqrstuvwxyz012345");
    String name = id.hostInterfaceName("sfp-");
    assertTrue(name.length() <= 15, name);
    assertEquals(name, InstrumentId.of("abcdefghijklmnopqrstuvwxyz012345").hostInterfaceName("sfp-"));
  }

  @Test
  void host_interface_names_differ_between_ids() {
    assertFalse(InstrumentId.of("ids-a").hostInterfaceName("sfp-")
        .equals(InstrumentId.of("ids-b").hostInterfaceName("sfp-")));
  }
}
