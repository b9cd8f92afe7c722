/**
 * The {@code InstrumentStorage} port: an Instrument's own disk space, as the Instrument actor needs it. Plain Java,
 * so that {@code core} stays free of Pekko.
 *
 * <p>Each Instrument may have a <b>persistent</b> directory, mounted in its container at
 * {@value io.sensorfleet.core.storage.InstrumentStorage#PERSISTENT_PATH}, kept across stops, starts and sensor
 * restarts, encrypted at rest with a key per Instrument that only the sensor holds, and limited to its quota; and a
 * <b>transient</b> one at {@value io.sensorfleet.core.storage.InstrumentStorage#TRANSIENT_PATH}, in memory, limited
 * in size and wiped when the Instrument stops. {@link io.sensorfleet.core.storage.InstrumentStorage#purge} destroys
 * the key, which makes what is left of the persistent data unreadable.
 *
 * <p>Every method returns a {@link java.util.concurrent.CompletionStage} and does its blocking host work (mounts,
 * encryption tools) off the caller's thread, so an actor can {@code pipeToSelf} the result. A stage that fails
 * carries a {@link io.sensorfleet.core.storage.StorageException} (or, for the container manager's part, a
 * {@link io.sensorfleet.core.runtime.ContainerRuntimeException}) itself, never wrapped in a
 * {@code CompletionException}.
 */
package io.sensorfleet.core.storage;
