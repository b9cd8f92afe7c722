package io.sensorfleet.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ManifestParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@link TestSensor.Run#close} leaves nothing mounted even when another mount namespace holds a private copy of
 * the run's storage mounts (as a long-lived {@code ip netns exec} or {@code unshare} process started meanwhile by
 * another test on the machine does), so the storage refuses to close them as in use.
 */
class RunCleanupIT {
  static final String RUN = "cl" + Stages.randomId();
  static final Path MOUNT_DIR = Path.of("/run/sensorfleet-storage");

  @Test
  void close_unmounts_the_runs_storage_although_another_namespace_holds_a_copy() throws Exception {
    TestSensor.Run run = TestSensor.Run.create(RUN, List.of("kept"));
    InstrumentId kept = run.instrument("kept");
    Process holder = null;
    boolean closed = false;
    try {
      try (TestSensor sensor = TestSensor.start(run)) {
        sensor.ask(r -> new InstrumentRegistry.Install(ManifestParser.parseOrThrow("""
            id: %s
            image: sensorfleet/jvm
            command: [java, -XX:TieredStopAtLevel=1, -XX:+UseSerialGC, -jar, /opt/instrument/sample-instrument.jar]
            storage: {persistent: 0B, transient: 8MiB}
            limits: {cpus: 1, memory: 192MiB, processes: 64}
            """.formatted(kept.value())), Principal.user("it"), r));
        assertEquals(Actual.RUNNING,
            sensor.ask(r -> new InstrumentRegistry.Start(kept, Principal.user("it"), r)).actual());
      }
      // The sensor has gone, its container runs on with the transient tmpfs mounted (as after a crashed test).
      String transientPoint = MOUNT_DIR.resolve(kept.value()).resolve("transient").toString();
      assertTrue(run.runMountPoints(MOUNT_DIR).contains(transientPoint), "the transient storage is mounted");
      // A process in a mount namespace of its own: it holds a private copy of every mount of the host.
      holder = new ProcessBuilder("unshare", "--mount", "sleep", "600").start();
      Path holderTable = Path.of("/proc", Long.toString(holder.pid()), "mountinfo");
      Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
          .until(() -> Files.readString(holderTable, StandardCharsets.UTF_8).contains(" " + transientPoint + " "));

      closed = true;
      run.close();

      assertEquals(List.of(), run.runMountPoints(MOUNT_DIR), "mounts left under " + MOUNT_DIR);
      assertFalse(Files.exists(MOUNT_DIR.resolve(kept.value())), "the Instrument's mount directory is left");
    } finally {
      if (holder != null) {
        holder.destroyForcibly();
      }
      if (!closed) {
        run.close();
      }
    }
  }
}
