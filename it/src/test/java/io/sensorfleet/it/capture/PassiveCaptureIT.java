package io.sensorfleet.it.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.capture.CaptureSupervisor;
import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.it.support.Stages;
import io.sensorfleet.it.support.TestSensor;
import io.sensorfleet.lxd.LxdRuntime;
import io.sensorfleet.network.HostNetworkProvisioner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real passive Instruments (the sample Instrument, in LXD) behind the real Capture Engine process: a veth of this
 * test is the capture interface, its peer in a namespace of its own plays the SPAN port and injects UDP frames
 * (python3's AF_PACKET). Each Instrument receives what its manifest's filter lets through, counted by its own
 * kernel ({@code /sys/class/net/eth0/statistics/rx_packets}); one that tries to send reaches nothing and is
 * counted, shown and audited; stopping one takes its branch away and leaves the other's alone.
 */
class PassiveCaptureIT {
  static final Duration TIMEOUT = TestSensor.TIMEOUT;
  static final String RUN = "pc" + Stages.randomId();
  static final String NS = "sfk-" + RUN;
  static final String CAPTURE = "sfk" + RUN.substring(2) + "c";
  static final String GEN = "sfk" + RUN.substring(2) + "g";
  static final InstrumentId DNS = InstrumentId.of(RUN + "-dns");
  static final InstrumentId FLOW = InstrumentId.of(RUN + "-flow");
  static TestSensor.Run run;
  static TestSensor sensor;
  static LxdRuntime lxd;

  /** Writes N Ethernet/IPv4/UDP frames to a destination port from the interface given, raw. */
  static final String INJECT = """
      import socket, struct, sys
      iface, dport, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
      s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
      s.bind((iface, 0))
      def csum(b):
          t = sum(struct.unpack('!%dH' % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
          return (~t) & 0xffff
      for i in range(n):
          payload = ('sfk-%d' % i).encode().ljust(32, b'.')
          udp = struct.pack('!HHHH', 40000, dport, 8 + len(payload), 0) + payload
          ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0,
                           bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2]))
          ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
          s.send(bytes.fromhex('020000000002020000000001') + b'\\x08\\x00' + ip + udp)
      """;

  @BeforeAll
  static void start() throws Exception {
    sh("ip", "netns", "add", NS);
    sh("ip", "link", "add", CAPTURE, "type", "veth", "peer", "name", GEN, "netns", NS);
    sh("sysctl", "-q", "-w", "net.ipv6.conf." + CAPTURE + ".disable_ipv6=1");
    sh("ip", "netns", "exec", NS, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
    sh("ip", "link", "set", CAPTURE, "up");
    sh("ip", "-n", NS, "link", "set", GEN, "up");
    run = TestSensor.Run.create(RUN, List.of("dns", "flow"));
    sensor = TestSensor.start(run, Map.of(
        "sensor.interfaces.capture", List.of(CAPTURE),
        "sensor.network.nft-table", "sfk" + RUN,
        "sensor.capture.supervisor.stats-interval", "500ms",
        "sensor.capture.supervisor.min-backoff", "200ms"));
    lxd = LxdRuntime.create(sensor.kit().system());
  }

  @AfterAll
  static void stop() throws Exception {
    if (sensor != null) {
      sensor.close();
    }
    if (run != null) {
      run.close();
    }
    quietly("ip", "netns", "del", NS);
    quietly("ip", "link", "del", CAPTURE);
    quietly("nft", "delete", "table", "netdev", "sfk" + RUN);
  }

  static InstrumentManifest passive(InstrumentId id, String filter) {
    return ManifestParser.parseOrThrow("""
        id: %s
        image: sensorfleet/jvm
        command: [java, -XX:TieredStopAtLevel=1, -XX:+UseSerialGC, -jar, /opt/instrument/sample-instrument.jar]
        network: {mode: passive, filter: "%s"}
        limits: {cpus: 1, memory: 256MiB, processes: 128}
        """.formatted(id.value(), filter));
  }

  @Test
  void passive_instruments_get_mirrored_traffic_through_their_filters_send_nothing_and_detach_alone()
      throws Exception {
    sensor.ask(r -> new InstrumentRegistry.Install(passive(DNS, "udp dst port 53"), Principal.user("it"), r));
    sensor.ask(r -> new InstrumentRegistry.Install(passive(FLOW, "udp dst port 5000"), Principal.user("it"), r));
    assertEquals(Actual.RUNNING, sensor.ask(r -> new InstrumentRegistry.Start(DNS, Principal.user("it"), r)).actual());
    assertEquals(Actual.RUNNING, sensor.ask(r -> new InstrumentRegistry.Start(FLOW, Principal.user("it"), r))
        .actual());
    CaptureSupervisor.Stats attached = stats();
    assertEquals(List.of(DNS.value(), FLOW.value()),
        attached.branches().stream().map(CaptureSupervisor.BranchStats::instrument).toList());
    assertEquals(HostNetworkProvisioner.passiveHostName(DNS), attached.branches().get(0).port());
    assertEquals("udp dst port 53", attached.branches().get(0).filter());

    // Each gets what its filter lets through, and nothing else.
    long dns0 = rx(DNS);
    long flow0 = rx(FLOW);
    inject(53, 30);
    inject(5000, 200);
    Awaitility.await().atMost(TIMEOUT).until(() -> rx(DNS) - dns0 >= 30 && rx(FLOW) - flow0 >= 200);
    assertTrue(rx(DNS) - dns0 < 100, "the DNS Instrument got the port-5000 frames too: " + (rx(DNS) - dns0));
    assertTrue(rx(FLOW) - flow0 < 230, "the flow Instrument got the port-53 frames too: " + (rx(FLOW) - flow0));
    CaptureSupervisor.BranchStats dnsBranch = stats().branches().get(0);
    assertTrue(dnsBranch.delivered() >= 30 && dnsBranch.filtered() >= 200, dnsBranch.toString());

    // One tries to send: nothing leaves its host end, which counts it; its status and the audit log show it.
    long genRx = genRxPackets();
    var sent = Stages.await(lxd.exec(DNS.containerName(), "sh", "-c",
        "ip addr add 198.18.0.9/24 dev eth0 && ping -c 3 -W 1 198.18.0.1"), TIMEOUT);
    assertNotEquals(0, sent.exitCode(), "ping must fail: " + sent.stdout());
    Awaitility.await().atMost(TIMEOUT).until(() -> stats().branches().get(0).blocked() > 0);
    Awaitility.await().atMost(TIMEOUT).until(() -> sensor.status(DNS).blockedFrames() > 0);
    assertEquals(genRx, genRxPackets(), "nothing the Instrument sent reached the SPAN side");
    assertEquals(0, stats().branches().get(1).blocked());
    sensor.audits().fishForMessage(TIMEOUT, "the blocked frames audited", m ->
        m instanceof AuditLog.Record rec && rec.request().action().equals("passive instrument sent frames")
            && rec.request().instrument().equals(Optional.of(DNS))
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

    // Stopping one detaches its branch; the other keeps receiving.
    sensor.ask(r -> new InstrumentRegistry.Stop(DNS, Principal.user("it"), r));
    Awaitility.await().atMost(TIMEOUT).until(() -> stats().branches().stream()
        .map(CaptureSupervisor.BranchStats::instrument).toList().equals(List.of(FLOW.value())));
    long flow1 = rx(FLOW);
    inject(5000, 50);
    Awaitility.await().atMost(TIMEOUT).until(() -> rx(FLOW) - flow1 >= 50);
    sensor.ask(r -> new InstrumentRegistry.Stop(FLOW, Principal.user("it"), r));
  }

  @Test
  void a_filter_libpcap_refuses_is_refused_at_install_with_libpcaps_message() {
    var error = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> sensor.ask(r ->
        new InstrumentRegistry.Install(passive(InstrumentId.of(RUN + "-bad"), "udp dst prot 53"),
            Principal.user("it"), r)));
    assertTrue(String.valueOf(error.getMessage()).contains("unknown host 'prot'"), error.toString());
  }

  static CaptureSupervisor.Stats stats() throws Exception {
    return sensor.askWithStatus(sensor.capture(), CaptureSupervisor.GetStats::new);
  }

  static long rx(InstrumentId id) {
    var r = Stages.await(lxd.exec(id.containerName(), "cat", "/sys/class/net/eth0/statistics/rx_packets"), TIMEOUT);
    return Long.parseLong(r.stdout().strip());
  }

  static long genRxPackets() throws Exception {
    return Long.parseLong(sh("ip", "netns", "exec", NS, "cat", "/sys/class/net/" + GEN + "/statistics/rx_packets")
        .strip());
  }

  static void inject(int port, int frames) throws Exception {
    sh("ip", "netns", "exec", NS, "python3", "-c", INJECT, GEN, Integer.toString(port), Integer.toString(frames));
  }

  static String sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  static void quietly(String... cmd) throws Exception {
    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
        .waitFor();
  }
}
