package io.sensorfleet.storage;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The storage adapter's settings, read once from {@code sensor.storage} (see {@code reference.conf} for each key).
 *
 * @param dataDir the sensor's data directory: {@code keys/} and {@code storage/} live under it
 * @param mountDir host directory of the per-Instrument mounts
 * @param pool the LXD storage pool of the Instruments' volumes (must enforce {@code size=})
 * @param lxdDir LXD's directory, where the pool is mounted
 * @param instrumentUid uid (and gid) of the instrument user inside the container
 * @param uidRange width of a container's uid range
 * @param gocryptfs the gocryptfs binary
 * @param scryptN scrypt cost of gocryptfs' config file (log2 N)
 * @param commandTimeout longest wait for one host command
 * @param runtimeTimeout longest wait for one container manager call
 * @param minPersistentBytes smallest persistent quota accepted
 * @param allowOvercommit whether persistent quotas together may exceed the pool's size
 */
public record StorageSettings(
    Path dataDir,
    Path mountDir,
    String pool,
    Path lxdDir,
    int instrumentUid,
    int uidRange,
    String gocryptfs,
    int scryptN,
    Duration commandTimeout,
    Duration runtimeTimeout,
    long minPersistentBytes,
    boolean allowOvercommit) {

  private static final Path SYSTEM_LXD_DIR = Path.of("/var/lib/lxd");

  public StorageSettings {
    dataDir = dataDir.toAbsolutePath().normalize();
    mountDir = mountDir.toAbsolutePath().normalize();
    lxdDir = lxdDir.toAbsolutePath().normalize();
    Objects.requireNonNull(gocryptfs, "gocryptfs");
    if (pool == null || pool.isBlank() || pool.contains("/")) {
      throw new IllegalArgumentException("sensor.storage.pool is not a pool name: '" + pool + "'");
    }
    if (instrumentUid < 0 || uidRange < 1 || instrumentUid >= uidRange) {
      throw new IllegalArgumentException("sensor.storage.instrument-uid must lie within uid-range");
    }
    if (scryptN < 10 || scryptN > 28) {
      throw new IllegalArgumentException("sensor.storage.scrypt-n must be between 10 and 28 (gocryptfs' range)");
    }
    if (commandTimeout.toMillis() < 100 || runtimeTimeout.toMillis() < 100) {
      throw new IllegalArgumentException("sensor.storage timeouts must be at least 100ms");
    }
    if (minPersistentBytes < 1) {
      throw new IllegalArgumentException("sensor.storage.min-persistent-size must be positive");
    }
  }

  /** Reads {@code sensor.storage} of the system's config, resolving {@code lxd-dir} with the process environment. */
  public static StorageSettings fromRootConfig(Config root) {
    return fromConfig(root.getConfig("sensor.storage"), System.getenv());
  }

  /** Reads the {@code sensor.storage} section; {@code environment} supplies {@code LXD_DIR}. */
  public static StorageSettings fromConfig(Config c, Map<String, String> environment) {
    String lxdDir = c.getString("lxd-dir");
    if (lxdDir.isBlank()) {
      lxdDir = environment.getOrDefault("LXD_DIR", "");
    }
    return new StorageSettings(
        Path.of(c.getString("data-dir")),
        Path.of(c.getString("mount-dir")),
        c.getString("pool"),
        lxdDir.isBlank() ? SYSTEM_LXD_DIR : Path.of(lxdDir),
        c.getInt("instrument-uid"),
        c.getInt("uid-range"),
        c.getString("gocryptfs"),
        c.getInt("scrypt-n"),
        c.getDuration("command-timeout"),
        c.getDuration("runtime-timeout"),
        c.getBytes("min-persistent-size"),
        c.getBoolean("allow-overcommit"));
  }

  /** Where the keys are: {@code <data-dir>/keys}. */
  public Path keyDir() {
    return dataDir.resolve("keys");
  }

  /** Where the per-Instrument storage records are: {@code <data-dir>/storage}. */
  public Path recordDir() {
    return dataDir.resolve("storage");
  }

  /** Where LXD mounts the pool on the host. */
  public Path poolPath() {
    return lxdDir.resolve("storage-pools").resolve(pool);
  }

  /** These settings with other directories (tests use their own). */
  public StorageSettings withDirectories(Path otherDataDir, Path otherMountDir) {
    return new StorageSettings(otherDataDir, otherMountDir, pool, lxdDir, instrumentUid, uidRange, gocryptfs,
        scryptN, commandTimeout, runtimeTimeout, minPersistentBytes, allowOvercommit);
  }

  /** These settings on another pool. */
  public StorageSettings withPool(String otherPool) {
    return new StorageSettings(dataDir, mountDir, otherPool, lxdDir, instrumentUid, uidRange, gocryptfs,
        scryptN, commandTimeout, runtimeTimeout, minPersistentBytes, allowOvercommit);
  }
}
