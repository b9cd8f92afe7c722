package io.sensorfleet.core.storage;

import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.Device;
import java.util.Objects;

/**
 * A device the Instrument's container needs for its storage: add it under {@code name} (with
 * {@code ContainerRuntime.addDevice} or {@code ContainerSpec.withDevice}) before the container starts.
 */
public record DeviceAttachment(String name, Device device) {

  public DeviceAttachment {
    ContainerSpec.requireDeviceName(name);
    Objects.requireNonNull(device, "device");
  }
}
