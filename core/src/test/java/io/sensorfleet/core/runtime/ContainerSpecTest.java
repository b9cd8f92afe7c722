package io.sensorfleet.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContainerSpecTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "sf-ids", "sft-abc123-c1", "A1-b2"})
  void accepts_names_lxd_accepts(String name) {
    assertEquals(name, ContainerSpec.of(name, "sensorfleet/base").name());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1abc", "-abc", "abc-", "a_b", "a.b", "a/b", "a b",
      "a234567890123456789012345678901234567890123456789012345678901234"})
  void rejects_names_lxd_would_refuse(String name) {
    assertThrows(IllegalArgumentException.class, () -> ContainerSpec.of(name, "sensorfleet/base"));
  }

  @Test
  void stores_labels_as_user_config() {
    var spec = ContainerSpec.of("sf-ids", "sensorfleet/base")
        .withConfig("limits.cpu", "1")
        .withLabel("sensorfleet.instrument", "ids");
    assertEquals(Map.of("limits.cpu", "1", "user.sensorfleet.instrument", "ids"), spec.effectiveConfig());
  }

  @Test
  void refuses_a_label_that_is_also_set_as_config() {
    var spec = ContainerSpec.of("sf-ids", "sensorfleet/base").withConfig("user.owner", "x");
    assertThrows(IllegalArgumentException.class, () -> spec.withLabel("owner", "y"));
  }

  @Test
  void refuses_device_names_with_a_slash() {
    var spec = ContainerSpec.of("sf-ids", "sensorfleet/base");
    assertThrows(IllegalArgumentException.class,
        () -> spec.withDevice("a/b", new Device.Disk("/srv", "/srv", true)));
  }

  @Test
  void selector_matches_prefix_and_every_label() {
    var selector = ContainerSelector.prefix("sf-").andLabel("role", "instrument");
    assertEquals(true, selector.matches("sf-ids", Map.of("role", "instrument", "x", "y")));
    assertEquals(false, selector.matches("sf-ids", Map.of("role", "other")));
    assertEquals(false, selector.matches("other", Map.of("role", "instrument")));
    assertEquals(true, ContainerSelector.all().matches("anything", Map.of()));
  }
}
