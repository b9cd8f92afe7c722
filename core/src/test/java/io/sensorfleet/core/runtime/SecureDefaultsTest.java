package io.sensorfleet.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SecureDefaultsTest {

  private static final ResourceLimits LIMITS = ResourceLimits.of(2, 256, 100);

  @Test
  void makes_the_container_unprivileged_isolated_and_limited() {
    var config = SecureDefaults.apply(ContainerSpec.of("sf-ids", "sensorfleet/jvm"), LIMITS).config();
    assertEquals("false", config.get("security.privileged"));
    assertEquals("true", config.get("security.idmap.isolated"));
    assertEquals("false", config.get("security.nesting"));
    assertEquals("2", config.get("limits.cpu"));
    assertEquals("268435456B", config.get("limits.memory"));
    assertEquals("100", config.get("limits.processes"));
    assertEquals("lxc.mount.auto = cgroup:mixed:force", config.get("raw.lxc"));
  }

  @Test
  void keeps_the_instruments_own_config_and_devices() {
    var spec = ContainerSpec.of("sf-ids", "sensorfleet/jvm")
        .withConfig("environment.TZ", "UTC")
        .withDevice("bus", new Device.Disk("/run/sf-bus/ids", "/run/bus", false));
    var secured = SecureDefaults.apply(spec, LIMITS);
    assertEquals("UTC", secured.config().get("environment.TZ"));
    assertEquals(spec.devices(), secured.devices());
  }

  @Test
  void refuses_a_spec_that_tries_to_undo_a_default() {
    var spec = ContainerSpec.of("sf-ids", "sensorfleet/jvm").withConfig("security.privileged", "true");
    assertThrows(IllegalArgumentException.class, () -> SecureDefaults.apply(spec, LIMITS));
  }

  @Test
  void refuses_limits_an_instrument_cannot_run_with() {
    assertThrows(IllegalArgumentException.class, () -> ResourceLimits.of(0, 256, 100));
    assertThrows(IllegalArgumentException.class, () -> ResourceLimits.of(1, 8, 100));
  }
}
