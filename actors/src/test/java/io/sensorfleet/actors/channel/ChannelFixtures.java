package io.sensorfleet.actors.channel;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Short runtime roots under /tmp (socket paths have 107 bytes), test settings, and the host peer checks. */
final class ChannelFixtures implements AutoCloseable {

  /** Accepts only this test JVM: on the host there is no container cgroup to match. */
  static final PeerCheck TEST_PROCESS = peer -> peer.pid() == ProcessHandle.current().pid()
      ? Optional.empty() : Optional.of("not the test process");

  /** Refuses everyone, as the production check refuses a host process or another container. */
  static final PeerCheck NOBODY = peer -> Optional.of("no container matches");

  private final List<Path> created = new ArrayList<>();

  /** A new empty base directory, traversable by other uids (0711), with a runtime root path inside (not created). */
  Path newRoot() throws IOException {
    Path base = Files.createTempDirectory(Path.of("/tmp"), "sfc");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
    created.add(base);
    return base.resolve("r");
  }

  /** {@code sensor.channel} from reference.conf with {@code overrides} (HOCON), on {@code root}. */
  static ChannelSettings settings(Path root, String overrides) {
    return ChannelSettings.from(ConfigFactory.parseString("sensor.channel {" + overrides + "}")
        .withFallback(ConfigFactory.load())).withRuntimeRoot(root);
  }

  static BusSocket.Owner currentUser() throws IOException {
    Path self = Path.of("/proc/self");
    return new BusSocket.Owner((Integer) Files.getAttribute(self, "unix:uid"),
        (Integer) Files.getAttribute(self, "unix:gid"));
  }

  @Override
  public void close() throws IOException {
    for (Path base : created) {
      if (Files.exists(base)) {
        try (Stream<Path> paths = Files.walk(base)) {
          for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }
}
