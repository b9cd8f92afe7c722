package io.sensorfleet.core.runtime;

/**
 * The resources an Instrument may use, from its manifest: CPUs it may run on, memory in bytes (the OOM killer
 * acts above it) and the maximum number of processes (threads count: a JVM needs a few dozen).
 */
public record ResourceLimits(int cpus, long memoryBytes, int processes) {

  public ResourceLimits {
    if (cpus < 1) {
      throw new IllegalArgumentException("cpus must be at least 1: " + cpus);
    }
    if (memoryBytes < 16L * 1024 * 1024) {
      throw new IllegalArgumentException("memory below 16 MiB cannot run an Instrument: " + memoryBytes);
    }
    if (processes < 2) {
      throw new IllegalArgumentException("processes must be at least 2: " + processes);
    }
  }

  public static ResourceLimits of(int cpus, long memoryMiB, int processes) {
    return new ResourceLimits(cpus, memoryMiB * 1024 * 1024, processes);
  }
}
