package io.sensorfleet.core.runtime;

import java.util.List;
import java.util.Map;

/** A custom storage volume as the manager reports it, with the names of the containers that use it. */
public record StorageVolume(String pool, String name, Map<String, String> config, List<String> usedBy) {

  public StorageVolume {
    config = Map.copyOf(config);
    usedBy = List.copyOf(usedBy);
  }
}
