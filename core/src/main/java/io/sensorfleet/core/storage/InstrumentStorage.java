package io.sensorfleet.core.storage;

import io.sensorfleet.core.InstrumentId;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * An Instrument's storage on the sensor: the port the Instrument actor uses, implemented by the {@code storage}
 * module. Calls for one Instrument are carried out one after another, in the order they were made; calls for
 * different Instruments run side by side.
 *
 * <p>The order the actor follows (see docs/storage.md): {@link #prepare} once at install;
 * {@link #open} after the container exists and before every start, adding the returned devices to the container;
 * {@link #close} after every stop; {@link #purge} to destroy the data for good. After a sensor restart,
 * {@link #list} tells what exists, and {@link #open} of a running Instrument's storage picks up its mounts
 * without touching them.
 */
public interface InstrumentStorage {

  /** Where the persistent directory appears inside the container. */
  String PERSISTENT_PATH = "/var/lib/instrument";
  /** Where the transient directory appears inside the container. */
  String TRANSIENT_PATH = "/run/instrument";
  /** Name of the container device that mounts the persistent directory. */
  String PERSISTENT_DEVICE = "sf-persistent";
  /** Name of the container device that mounts the transient directory. */
  String TRANSIENT_DEVICE = "sf-transient";

  /**
   * Creates what the Instrument's storage needs: its key, its quota'd volume and the encrypted directory in it.
   * Idempotent: preparing again with the same sizes returns the same plan and changes nothing, and it completes
   * a preparation that was interrupted. A new transient size is taken at the next {@link #open}.
   *
   * <p>Fails with {@link StorageException.Conflict} if the persistent size differs from the existing volume's
   * (resizing is not supported: purge and prepare again), {@link StorageException.KeyMissing} if the encrypted
   * data exists but its key does not, {@link StorageException.InsufficientSpace} if the pool cannot hold the
   * quotas it has promised plus this one, {@link StorageException.Unsupported} if the pool does not enforce
   * quotas.
   */
  CompletionStage<StoragePlan> prepare(InstrumentId id, StorageRequest request);

  /**
   * Makes the storage usable by the container whose root is host uid {@code containerRootHostUid} (the
   * container's {@code volatile.idmap.base}, {@code ContainerInfo.rootHostUid()}): mounts the decrypted view of
   * the persistent directory and a fresh, empty transient directory, both owned by the container's
   * {@code instrument} user, and returns the devices to add to the container before it starts (none for a size
   * of zero). Idempotent: mounts already in place are kept, and a transient directory a running container still
   * uses is not replaced, so a restarted sensor may call it for running Instruments.
   *
   * <p>Fails with {@link StorageException.NotPrepared}, {@link StorageException.KeyMissing} or
   * {@link StorageException.KeyRejected} (the key does not decrypt the data).
   */
  CompletionStage<List<DeviceAttachment>> open(InstrumentId id, long containerRootHostUid);

  /**
   * Unmounts the Instrument's storage after its container stopped: the persistent data stays, encrypted; the
   * transient directory is gone. Does nothing if nothing is mounted. Fails with {@link StorageException.InUse}
   * while a container (or any other process's mount namespace) still has one of the mounts, and then unmounts
   * nothing.
   */
  CompletionStage<Void> close(InstrumentId id);

  /**
   * Discards the transient directory's contents now; the next {@link #open} mounts an empty one. Fails with
   * {@link StorageException.InUse} while the container runs.
   */
  CompletionStage<Void> wipeTransient(InstrumentId id);

  /**
   * Destroys the Instrument's storage: closes it, deletes the volume with the encrypted data and destroys the key,
   * so that nothing left anywhere can be decrypted. Idempotent. Fails with {@link StorageException.InUse} while a
   * container still has the mounts.
   */
  CompletionStage<Void> purge(InstrumentId id);

  /** Bytes used and allowed, persistent and transient. Fails with {@link StorageException.NotPrepared}. */
  CompletionStage<StorageUsage> usage(InstrumentId id);

  /** Every Instrument's storage the sensor holds, prepared or left over, with whether it is mounted. */
  CompletionStage<List<StorageStatus>> list();
}
