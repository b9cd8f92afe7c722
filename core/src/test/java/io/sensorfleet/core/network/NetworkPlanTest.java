package io.sensorfleet.core.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.Device;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetworkPlanTest {

  static final InstrumentId ID = InstrumentId.of("honeypot");

  @Test
  void adds_its_nic_to_a_container_spec_under_eth0() {
    var nic = new Device.Bridged("br0", ID.hostInterfaceName("sfb"), "eth0");
    var plan = NetworkPlan.nic(ID, new NetworkMode.Bridged("br0"), nic);
    ContainerSpec spec = plan.applyTo(ContainerSpec.of("sf-honeypot", "sensorfleet/base"));
    assertEquals(Map.of("eth0", nic), spec.devices());
  }

  @Test
  void a_plan_for_mode_none_adds_nothing() {
    var spec = ContainerSpec.of("sf-honeypot", "sensorfleet/base");
    assertTrue(NetworkPlan.none(ID).isEmpty());
    assertEquals(spec, NetworkPlan.none(ID).applyTo(spec));
  }

  @Test
  void finds_the_network_exception_behind_completion_wrappers() {
    var refused = new NetworkException.Refused(ID, "no");
    assertEquals(refused, NetworkException.of(new java.util.concurrent.CompletionException(refused)).orElseThrow());
    assertTrue(NetworkException.of(new IllegalStateException()).isEmpty());
  }
}
