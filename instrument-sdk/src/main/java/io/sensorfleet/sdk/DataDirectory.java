package io.sensorfleet.sdk;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where an Instrument keeps the data that must survive restarts and upgrades: its persistent volume, mounted at
 * {@link #DEFAULT} in its container. Retention ({@link RetentionSweeper}) applies to it. The environment variable
 * {@link #ENV} moves it, for running an Instrument outside its container (development, tests).
 */
public final class DataDirectory {

  /** The persistent volume's mount point inside an Instrument's container. */
  public static final Path DEFAULT = Path.of("/var/lib/instrument");
  /** Overrides {@link #DEFAULT}. */
  public static final String ENV = "SENSORFLEET_DATA_DIR";

  private DataDirectory() {}

  /** {@code SENSORFLEET_DATA_DIR} if set, else {@link #DEFAULT}. */
  public static Path fromEnvironment(Map<String, String> environment) {
    String value = environment.get(ENV);
    return value == null || value.isBlank() ? DEFAULT : Path.of(value);
  }
}
