package io.sensorfleet.it.capture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sensorfleet.actors.capture.CaptureProcess;
import io.sensorfleet.actors.capture.CaptureProcessSettings;
import io.sensorfleet.actors.capture.CaptureSupervisor;
import io.sensorfleet.actors.capture.CaptureSupervisorSettings;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.capture.control.CaptureClient;
import io.sensorfleet.capture.control.ControlReply;
import io.sensorfleet.capture.control.ControlRequest;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.network.HostNetworkProvisioner;
import io.sensorfleet.network.NetworkSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Capture Engine as the platform runs it: its own process, started by the {@link CaptureSupervisor} through
 * setpriv as {@code sensorfleet-capture} with CAP_NET_RAW only, on a veth of this test; killed, it comes back
 * with its branch. Needs root and the user (scripts/setup.sh); fails loudly without them.
 */
class CaptureProcessIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String RUN = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
  static final String CAPTURE = "sfq" + RUN + "c";
  static final String PORT = "sfq" + RUN + "p";
  static ActorTestKit kit;
  static Path root;
  static ActorRef<CaptureSupervisor.Command> supervisor;
  static CaptureProcessSettings processSettings;

  @BeforeAll
  static void start() throws Exception {
    CaptureLab.sh("ip", "link", "add", CAPTURE, "type", "veth", "peer", "name", CAPTURE + "x");
    CaptureLab.sh("ip", "link", "add", PORT, "type", "veth", "peer", "name", PORT + "x");
    for (String dev : List.of(CAPTURE, CAPTURE + "x", PORT, PORT + "x")) {
      CaptureLab.sh("ip", "link", "set", dev, "up");
    }
    root = Files.createDirectories(Path.of("/tmp", "sfr-cap" + RUN));
    var config = ConfigFactory.parseMap(Map.of(
        "sensor.channel.runtime-root", root.toString(),
        "sensor.interfaces.capture", List.of(CAPTURE),
        "sensor.capture.process.jvm-options", List.of("-Xmx96m", "-Dsensor.capture.ring.block-count=8"),
        "sensor.capture.supervisor.min-backoff", "200ms"))
        .withFallback(ConfigFactory.load());
    kit = ActorTestKit.create("capture-process-it", config);
    processSettings = CaptureProcessSettings.from(config);
    var blocking = kit.system().dispatchers().lookup(DispatcherSelector.blocking());
    supervisor = kit.spawn(CaptureSupervisor.create(CaptureSupervisorSettings.from(config),
        CaptureProcess.create(processSettings, blocking),
        HostNetworkProvisioner.create(NetworkSettings.fromRootConfig(config), blocking),
        kit.<AuditLog.Command>createTestProbe().ref(), Clock.systemUTC()), "capture");
  }

  @AfterAll
  static void stop() throws Exception {
    if (kit != null) {
      kit.shutdownTestKit();
    }
    for (String dev : List.of(CAPTURE, PORT)) {
      new ProcessBuilder("ip", "link", "del", dev).start().waitFor();
    }
    if (root != null) {
      new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
    }
  }

  @Test
  void the_engine_runs_unprivileged_and_comes_back_with_its_branch_when_killed() throws Exception {
    long first = awaitRunning();
    String status = Files.readString(Path.of("/proc", Long.toString(first), "status"));
    long uid = Long.parseLong(CaptureLab.sh("id", "-u", "sensorfleet-capture").strip());
    assertTrue(status.contains("\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid + "\n"), status);
    assertTrue(status.contains("\nCapEff:\t0000000000002000\n"), "CAP_NET_RAW only:\n" + status);
    assertTrue(status.contains("\nCapBnd:\t0000000000002000\n"), status);
    assertTrue(status.contains("\nNoNewPrivs:\t1\n"), status);

    TestProbe<StatusReply<Done>> reply = kit.createTestProbe();
    supervisor.tell(new CaptureSupervisor.Attach(InstrumentId.of("cap-it"), PORT, "udp", kit.<Long>createTestProbe()
        .ref(), reply.ref()));
    assertTrue(reply.receiveMessage(Duration.ofSeconds(10)).isSuccess());
    assertEquals(List.of(PORT), enginePorts());

    ProcessHandle.of(first).orElseThrow().destroyForcibly();
    await().atMost(WAIT).until(() -> enginePid() != first && enginePid() > 0 && enginePorts().equals(List.of(PORT)));
    assertNotEquals(first, awaitRunning());
  }

  @Test
  void no_other_local_user_can_reach_the_engines_control_socket() throws Exception {
    awaitRunning();
    Path socket = processSettings.socket();
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(socket.getParent())));
    assertEquals("sensorfleet-capture", Files.getOwner(socket.getParent()).getName());
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(socket)));
    // Someone else on the host (here: nobody) tries to attach a port of its own choosing.
    Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c",
        "import socket, sys\n"
            + "s = socket.socket(socket.AF_UNIX)\n"
            + "try:\n"
            + "    s.connect(sys.argv[1])\n"
            + "except PermissionError:\n"
            + "    print('refused'); sys.exit(0)\n"
            + "s.sendall(b'{\"op\":\"attach\",\"port\":\"" + PORT + "\"}\\n'); print(s.recv(200)); sys.exit(1)\n",
        socket.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    assertEquals("refused", out.strip());
  }

  /** The engine's pid once the supervisor answers stats. */
  static long awaitRunning() {
    await().atMost(WAIT).until(() -> {
      TestProbe<StatusReply<CaptureSupervisor.Stats>> stats = kit.createTestProbe();
      supervisor.tell(new CaptureSupervisor.GetStats(stats.ref()));
      return stats.receiveMessage(Duration.ofSeconds(10)).isSuccess();
    });
    return enginePid();
  }

  static long enginePid() {
    String socket = processSettings.socket().toString();
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains("CaptureMain --control " + socket)).orElse(false))
        .filter(p -> !p.info().command().orElse("").endsWith("setpriv"))
        .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
  }

  /** The ports the engine itself has attached, asked over its control socket. */
  static List<String> enginePorts() {
    try (CaptureClient client = CaptureClient.connect(processSettings.socket())) {
      return client.call(new ControlRequest.Stats()).ports().stream().map(ControlReply.Port::port).toList();
    } catch (Exception e) {
      return List.of("unreachable: " + e.getMessage());
    }
  }
}
