package io.sensorfleet.core.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The configuration every Instrument container gets, whatever its manifest says: unprivileged, its own uid range,
 * no nesting, resource limits the JVM inside can see. Network interfaces and host paths are added only as
 * explicit devices by the platform; the LXD adapter creates instances without profiles, so none are inherited.
 */
public final class SecureDefaults {

  /**
   * LXC skips {@code cgroup:mixed} when it uses cgroup namespaces, so under a busybox init no cgroupfs is mounted
   * and the JVM sizes its heap from host RAM; forcing the mount lets it honour {@code limits.memory}.
   */
  public static final String CGROUP_MOUNT = "lxc.mount.auto = cgroup:mixed:force";

  /** Keys an Instrument's own config may not set: they would undo the defaults. */
  private static final Set<String> GUARDED = Set.of(
      "security.privileged", "security.idmap.isolated", "security.nesting", "raw.lxc", "raw.idmap",
      "raw.apparmor", "raw.seccomp", "security.syscalls.intercept.mount", "security.syscalls.intercept.mknod",
      "security.devlxd", "limits.cpu", "limits.memory", "limits.processes");

  private SecureDefaults() {}

  /**
   * {@code spec} with the secure defaults and {@code limits} applied.
   *
   * @throws IllegalArgumentException if {@code spec} already sets one of the guarded keys
   */
  public static ContainerSpec apply(ContainerSpec spec, ResourceLimits limits) {
    for (String key : spec.config().keySet()) {
      if (GUARDED.contains(key)) {
        throw new IllegalArgumentException("container " + spec.name() + ": '" + key + "' is set by the platform");
      }
    }
    return spec.withConfig(config(limits));
  }

  /** The config keys {@link #apply} adds. */
  public static Map<String, String> config(ResourceLimits limits) {
    var config = new LinkedHashMap<String, String>();
    config.put("security.privileged", "false");
    config.put("security.idmap.isolated", "true");
    config.put("security.nesting", "false");
    // /dev/lxd lets a container query the host's LXD about itself; Instruments have no use for it.
    config.put("security.devlxd", "false");
    config.put("limits.cpu", Integer.toString(limits.cpus()));
    config.put("limits.memory", limits.memoryBytes() + "B");
    config.put("limits.processes", Integer.toString(limits.processes()));
    config.put("raw.lxc", CGROUP_MOUNT);
    return config;
  }
}
