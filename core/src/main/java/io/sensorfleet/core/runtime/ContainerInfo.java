package io.sensorfleet.core.runtime;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A container as the manager stores it: its {@code status}; its own {@code config} (volatile keys included) and
 * {@code devices}, not those it inherits from profiles; its {@code labels} (the {@code user.*} config without
 * the prefix); and {@code rootHostUid}, the host uid that root inside the container maps to, when known (with
 * {@code security.idmap.isolated} each container has its own, which is how the platform recognises a peer on a
 * unix socket and chowns the directories it prepares for the container).
 */
public record ContainerInfo(
    String name,
    ContainerStatus status,
    Map<String, String> config,
    Map<String, Device> devices,
    Map<String, String> labels,
    OptionalLong rootHostUid,
    Instant createdAt) {

  public ContainerInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    config = Map.copyOf(config);
    devices = Map.copyOf(devices);
    labels = Map.copyOf(labels);
    Objects.requireNonNull(rootHostUid, "rootHostUid");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
