package io.sensorfleet.core.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Runs Instrument containers: the port the actors use, implemented by the LXD adapter.
 *
 * <p>Calls never block; each returns a stage that completes when the container manager has finished the work
 * (asynchronous LXD operations are waited for). Failures are {@link ContainerRuntimeException}s carrying the
 * manager's own message and status.
 */
public interface ContainerRuntime {

  /** Creates a stopped container from a local image alias. Fails with {@code AlreadyExists} if the name is taken. */
  CompletionStage<Void> create(ContainerSpec spec);

  /** Starts a stopped container. Fails with {@code Conflict} if it is already running. */
  CompletionStage<Void> start(String name);

  /** Stops a container: gracefully for the adapter's configured stop timeout, then by force. */
  CompletionStage<Void> stop(String name);

  /**
   * Stops a container, asking its init to shut down and forcing it after {@code gracePeriod};
   * {@link Duration#ZERO} forces it at once. Fails with {@code Conflict} if it is already stopped.
   */
  CompletionStage<Void> stop(String name, Duration gracePeriod);

  /** Deletes a stopped container and its root filesystem. Fails with {@code Conflict} if it is running. */
  CompletionStage<Void> delete(String name);

  /** The container's run state (status, init pid, usage). */
  CompletionStage<ContainerState> state(String name);

  /** The container's configuration as stored by the manager. */
  CompletionStage<ContainerInfo> info(String name);

  /** The containers matching {@code selector}, e.g. the sensor's own after a restart. */
  CompletionStage<List<ContainerInfo>> list(ContainerSelector selector);

  /** Runs a command in a running container, waits for it and returns its exit code and recorded output. */
  CompletionStage<ExecResult> exec(String name, ExecRequest request);

  /** Runs {@code command} as root with the image's default environment. */
  default CompletionStage<ExecResult> exec(String name, String... command) {
    return exec(name, ExecRequest.of(command));
  }

  /** Writes a file into the container (its directory must exist), replacing any file at {@code path}. */
  CompletionStage<Void> pushFile(String name, String path, ContainerFile file);

  /** Reads a regular file from the container. */
  CompletionStage<ContainerFile> pullFile(String name, String path);

  /**
   * Adds a device to a container, running or not. Fails with {@code AlreadyExists} if the container already
   * has a device of that name (LXD itself would silently replace it).
   */
  CompletionStage<Void> addDevice(String name, String deviceName, Device device);

  /** Removes one of the container's own devices. Fails with {@code NotFound} if it has no such device. */
  CompletionStage<Void> removeDevice(String name, String deviceName);

  /**
   * Sets instance config keys of an existing container, running or not ({@code raw.lxc} takes effect at its
   * next start); keys not named keep their values.
   */
  CompletionStage<Void> setConfig(String name, Map<String, String> config);

  /** Creates a custom storage volume. */
  CompletionStage<Void> createVolume(VolumeSpec spec);

  /** Deletes a custom storage volume. Fails with {@code Conflict} while a container still uses it. */
  CompletionStage<Void> deleteVolume(String pool, String volume);

  /** The custom storage volumes of a pool. */
  CompletionStage<List<StorageVolume>> listVolumes(String pool);

  /** Attaches a custom volume: a {@link Device.Volume} device under {@code deviceName}. */
  default CompletionStage<Void> attachVolume(String name, String deviceName, Device.Volume volume) {
    return addDevice(name, deviceName, volume);
  }

  /** Detaches the volume attached under {@code deviceName}; the volume and its data stay. */
  default CompletionStage<Void> detachVolume(String name, String deviceName) {
    return removeDevice(name, deviceName);
  }

  /**
   * The manager's lifecycle events (instance created, started, stopped, deleted, ...), as a cold publisher:
   * every subscription opens its own event connection and {@code onSubscribe} is signalled once the manager
   * has accepted it, so a subscriber that reconciles with {@link #list} after {@code onSubscribe} misses
   * nothing. The stream fails with {@code Unreachable} when the connection is lost.
   */
  Flow.Publisher<LifecycleEvent> lifecycleEvents();
}
