package io.sensorfleet.core.network;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.Device;
import java.util.Map;
import java.util.Objects;

/**
 * What an Instrument's container gets for its {@code mode}: {@code devices} by LXD device name, to put into the
 * container spec before it starts. Empty for {@link NetworkMode.None}: the container then has only {@code lo}.
 */
public record NetworkPlan(InstrumentId instrument, NetworkMode mode, Map<String, Device> devices) {

  /** The device name and the interface name inside the container of every NIC the provisioner plans. */
  public static final String NIC = "eth0";

  public NetworkPlan {
    Objects.requireNonNull(instrument, "instrument");
    Objects.requireNonNull(mode, "mode");
    devices = Map.copyOf(devices);
  }

  /** A plan without devices. */
  public static NetworkPlan none(InstrumentId instrument) {
    return new NetworkPlan(instrument, new NetworkMode.None(), Map.of());
  }

  /** A plan with one NIC, under the device name {@link #NIC}. */
  public static NetworkPlan nic(InstrumentId instrument, NetworkMode mode, Device.Nic nic) {
    return new NetworkPlan(instrument, mode, Map.of(NIC, nic));
  }

  /** {@code spec} with this plan's devices added. */
  public ContainerSpec applyTo(ContainerSpec spec) {
    ContainerSpec result = spec;
    for (var device : devices.entrySet()) {
      result = result.withDevice(device.getKey(), device.getValue());
    }
    return result;
  }

  /** True when the container gets no network device at all. */
  public boolean isEmpty() {
    return devices.isEmpty();
  }
}
