package io.sensorfleet.core.runtime;

import java.util.Objects;

/**
 * A container's run state: its {@code status}; the host pid of its init (0 when stopped); the number of
 * processes; memory and CPU use (0 when stopped).
 */
public record ContainerState(
    String name, ContainerStatus status, long pid, int processes, long memoryUsageBytes, long cpuUsageNanos) {

  public ContainerState {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
  }

  public boolean isRunning() {
    return status == ContainerStatus.RUNNING;
  }
}
