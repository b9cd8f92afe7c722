package io.sensorfleet.core.storage;

import io.sensorfleet.core.manifest.ByteSize;
import io.sensorfleet.core.manifest.Storage;
import java.util.Objects;

/**
 * The sizes an Instrument's storage is prepared with: the quota of its persistent directory and the size limit of
 * its transient one. Zero means no such directory at all.
 */
public record StorageRequest(ByteSize persistent, ByteSize transientSize) {

  public StorageRequest {
    Objects.requireNonNull(persistent, "persistent");
    Objects.requireNonNull(transientSize, "transientSize");
  }

  /** The sizes a manifest's {@code storage} section asks for. */
  public static StorageRequest of(Storage manifestStorage) {
    return new StorageRequest(manifestStorage.persistent(), manifestStorage.transientSize());
  }

  public boolean hasPersistent() {
    return !persistent.isZero();
  }

  public boolean hasTransient() {
    return !transientSize.isZero();
  }
}
