package io.sensorfleet.actors.instrument;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code sensor.instruments} settings, read once from config.
 *
 * @param helloTimeout   how long a started Instrument has to connect and say {@code hello}
 * @param adoptTimeout   after a sensor restart, how long a running Instrument has to reconnect before it is
 *                       restarted
 * @param stopGrace      graceful stop before LXD forces it
 * @param programsRoot   host directory holding, per Instrument id, the program files mounted read-only at
 *                       {@code /opt/instrument} (the operator decides what host path an Instrument sees, never its
 *                       manifest); absent directory = nothing mounted
 * @param restartBackoffMin first delay before a restart caused by failed health checks; doubles each time
 * @param restartBackoffMax cap of that delay
 * @param healthHistory  how many recent health results each Instrument keeps
 * @param retentionInterval how often a running Instrument is told to enforce its retention, then checked
 * @param uiKeysDir      where each UI Instrument's identity-signing key is kept ({@link UiKeys})
 * @param storageInterval how often an Instrument's storage use is measured (also after each start and stop)
 */
public record InstrumentSettings(Duration helloTimeout, Duration adoptTimeout, Duration stopGrace, Path programsRoot,
                                 Duration restartBackoffMin, Duration restartBackoffMax,
                                 int healthHistory, Duration retentionInterval, Path uiKeysDir,
                                 Duration storageInterval) {

  public static InstrumentSettings from(Config config) {
    Config c = config.getConfig("sensor.instruments");
    return new InstrumentSettings(
        c.getDuration("hello-timeout"),
        c.getDuration("adopt-timeout"),
        c.getDuration("stop-grace"),
        Path.of(c.getString("programs-root")),
        c.getDuration("restart-backoff-min"),
        c.getDuration("restart-backoff-max"),
        c.getInt("health-history"),
        c.getDuration("retention-interval"),
        Path.of(c.getString("ui-keys-dir")), c.getDuration("storage-interval"));
  }
}
