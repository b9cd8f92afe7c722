package io.sensorfleet.core.storage;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ByteSize;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link InstrumentStorage#prepare} set up for one Instrument: the sizes, and the container manager's volume
 * that holds the encrypted persistent data ({@code pool} and {@code volume}; empty without persistent storage).
 */
public record StoragePlan(InstrumentId id, StorageRequest sizes, Optional<VolumeRef> volume) {

  public StoragePlan {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sizes, "sizes");
    Objects.requireNonNull(volume, "volume");
    if (volume.isPresent() != sizes.hasPersistent()) {
      throw new IllegalArgumentException("instrument " + id + ": a volume goes with persistent storage, and only then");
    }
  }

  public ByteSize persistent() {
    return sizes.persistent();
  }

  public ByteSize transientSize() {
    return sizes.transientSize();
  }

  /** A custom storage volume of the container manager. */
  public record VolumeRef(String pool, String name) {
    public VolumeRef {
      Objects.requireNonNull(pool, "pool");
      Objects.requireNonNull(name, "name");
    }
  }
}
