package io.sensorfleet.core.storage;

import java.util.Objects;

/**
 * One Instrument's storage as {@link InstrumentStorage#list} finds it: its plan, whether its key is present
 * (without it the persistent data cannot be read again), and whether its directories are mounted now.
 */
public record StorageStatus(StoragePlan plan, boolean keyPresent, boolean persistentOpen, boolean transientOpen) {

  public StorageStatus {
    Objects.requireNonNull(plan, "plan");
  }
}
