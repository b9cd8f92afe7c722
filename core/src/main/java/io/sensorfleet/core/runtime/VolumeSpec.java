package io.sensorfleet.core.runtime;

import java.util.Map;

/**
 * A custom storage volume to create in {@code pool}, with LXD volume config such as {@code size=50MiB} (enforced
 * by btrfs pools, ignored by {@code dir} pools) or {@code user.*} labels.
 */
public record VolumeSpec(String pool, String name, Map<String, String> config) {

  public VolumeSpec {
    if (pool == null || pool.isBlank() || pool.contains("/")) {
      throw new IllegalArgumentException("invalid storage pool '" + pool + "'");
    }
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
      throw new IllegalArgumentException("invalid volume name '" + name + "'");
    }
    config = Map.copyOf(config);
  }

  public static VolumeSpec of(String pool, String name) {
    return new VolumeSpec(pool, name, Map.of());
  }
}
