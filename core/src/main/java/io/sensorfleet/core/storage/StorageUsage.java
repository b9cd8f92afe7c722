package io.sensorfleet.core.storage;

import io.sensorfleet.core.InstrumentId;
import java.util.Objects;

/**
 * How full an Instrument's storage is, in bytes. Persistent use is measured on the encrypted data (a little more
 * than the plaintext: about 0.8 % plus file names and metadata) against the volume's quota; transient use is 0
 * while the transient directory is not mounted. A quota of 0 means there is no such directory.
 */
public record StorageUsage(
    InstrumentId id, long persistentUsedBytes, long persistentQuotaBytes, long transientUsedBytes,
    long transientQuotaBytes) {

  public StorageUsage {
    Objects.requireNonNull(id, "id");
    if (persistentUsedBytes < 0 || persistentQuotaBytes < 0 || transientUsedBytes < 0 || transientQuotaBytes < 0) {
      throw new IllegalArgumentException("storage usage cannot be negative");
    }
  }
}
