package io.sensorfleet.actors.capture;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code sensor.capture.process} settings: how the Capture Engine's own process is started.
 *
 * @param user          the unprivileged account it runs as (created by scripts/setup.sh); empty: keep the
 *                      platform's user (only for development as a non-root user holding CAP_NET_RAW itself)
 * @param directory     host directory of its control socket ({@code capture.sock}), owned by {@code user}, 0700
 * @param libDirectory  where the jars it needs are copied, world-readable, when the platform's own are not
 *                      readable to {@code user} (e.g. under /root/.m2)
 * @param jvmOptions    extra JVM options of the engine process (heap, {@code -Dsensor.capture.…})
 * @param startTimeout  how long it has to open its sockets and say {@code ready}
 * @param callTimeout   how long one control request may take
 * @param stopGrace     SIGTERM, then SIGKILL after this
 */
public record CaptureProcessSettings(Optional<String> user, Path directory, Path libDirectory,
                                     List<String> jvmOptions, Duration startTimeout, Duration callTimeout,
                                     Duration stopGrace) {

  public static CaptureProcessSettings from(Config root) {
    Config c = root.getConfig("sensor.capture.process");
    Path runtimeRoot = Path.of(root.getString("sensor.channel.runtime-root"));
    String user = c.getString("user");
    return new CaptureProcessSettings(
        user.isBlank() ? Optional.empty() : Optional.of(user),
        c.getString("directory").isBlank() ? runtimeRoot.resolve("capture") : Path.of(c.getString("directory")),
        c.getString("lib-directory").isBlank() ? runtimeRoot.resolve("capture-lib")
            : Path.of(c.getString("lib-directory")),
        c.getStringList("jvm-options"),
        c.getDuration("start-timeout"),
        c.getDuration("call-timeout"),
        c.getDuration("stop-grace"));
  }

  public Path socket() {
    return directory.resolve("capture.sock");
  }
}
