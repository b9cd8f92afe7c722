package io.sensorfleet.core.permission;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectNamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"dns", "a", "0", "dns.queries", "alerts.ids", "suricata-rules", "flow_v2", "a.b.c",
      "a234567890123456789012345678901234567890123456789012345678901234"})
  void accepts_well_formed_topic_names(String name) {
    assertTrue(ObjectNames.isTopic(name));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"*", "Dns", "dns ", " dns", ".dns", "dns.", "dns..x", "-dns", "_dns", "dns/x", "dns:x",
      "dns\n", "dnś", "a2345678901234567890123456789012345678901234567890123456789012345"})
  void rejects_malformed_topic_names(String name) {
    assertFalse(ObjectNames.isTopic(name));
  }
}
