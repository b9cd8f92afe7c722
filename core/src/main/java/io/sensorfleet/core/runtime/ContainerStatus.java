package io.sensorfleet.core.runtime;

/** Where a container is in its life, as reported by the manager. */
public enum ContainerStatus {
  RUNNING,
  STOPPED,
  STARTING,
  STOPPING,
  FROZEN,
  ERROR,
  /** A state the port does not model (LXD has a few transient ones), or none reported. */
  UNKNOWN
}
