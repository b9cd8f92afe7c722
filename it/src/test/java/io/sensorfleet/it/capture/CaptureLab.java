package io.sensorfleet.it.capture;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.it.support.Stages;
import io.sensorfleet.lxd.LxdRuntime;
import java.time.Duration;
import java.util.List;

/**
 * A capture interface for tests with real passive Instruments: veth {@code sfk<run>c} in the host namespace (what
 * the sensor mirrors), its peer {@code sfk<run>g} in namespace {@code sfk-<run>} playing the SPAN port, IPv6 off.
 * Traffic is injected there with python3's AF_PACKET; what an Instrument received is counted by its own kernel.
 */
final class CaptureLab implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(90);

  /** Writes N Ethernet/IPv4/UDP frames to a destination port from the interface given, raw. */
  private static final String INJECT = """
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

  final String ns;
  final String capture;
  final String gen;
  final String nftTable;

  private CaptureLab(String run) {
    this.ns = "sfk-" + run;
    this.capture = "sfk" + run + "c";
    this.gen = "sfk" + run + "g";
    this.nftTable = "sfk" + run;
  }

  /** {@code run}: at most 8 characters of this test run's own. */
  static CaptureLab create(String run) throws Exception {
    CaptureLab lab = new CaptureLab(run);
    sh("ip", "netns", "add", lab.ns);
    sh("ip", "link", "add", lab.capture, "type", "veth", "peer", "name", lab.gen, "netns", lab.ns);
    sh("sysctl", "-q", "-w", "net.ipv6.conf." + lab.capture + ".disable_ipv6=1");
    sh("ip", "netns", "exec", lab.ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
    sh("ip", "link", "set", lab.capture, "up");
    sh("ip", "-n", lab.ns, "link", "set", lab.gen, "up");
    return lab;
  }

  /** Test sensor settings: this capture interface, a table of this run's own, counters read often. */
  java.util.Map<String, Object> sensorSettings() {
    return java.util.Map.of(
        "sensor.interfaces.capture", List.of(capture),
        "sensor.network.nft-table", nftTable,
        "sensor.capture.supervisor.stats-interval", "500ms",
        "sensor.capture.supervisor.min-backoff", "200ms");
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

  void inject(int port, int frames) throws Exception {
    sh("ip", "netns", "exec", ns, "python3", "-c", INJECT, gen, Integer.toString(port), Integer.toString(frames));
  }

  /** Frames the SPAN side received (what anything sent towards it). */
  long spanRxPackets() throws Exception {
    return Long.parseLong(sh("ip", "netns", "exec", ns, "cat", "/sys/class/net/" + gen + "/statistics/rx_packets")
        .strip());
  }

  /** Frames {@code id}'s container received on its interface, counted by its kernel. */
  static long rx(LxdRuntime lxd, InstrumentId id) {
    var r = Stages.await(lxd.exec(id.containerName(), "cat", "/sys/class/net/eth0/statistics/rx_packets"), TIMEOUT);
    return Long.parseLong(r.stdout().strip());
  }

  @Override
  public void close() throws Exception {
    quietly("ip", "netns", "del", ns);
    quietly("ip", "link", "del", capture);
    quietly("nft", "delete", "table", "netdev", nftTable);
  }

  static String sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  private static void quietly(String... cmd) throws Exception {
    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
        .waitFor();
  }
}
