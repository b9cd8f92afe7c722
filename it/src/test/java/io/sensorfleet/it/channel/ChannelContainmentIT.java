package io.sensorfleet.it.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sensorfleet.actors.channel.BusSocket;
import io.sensorfleet.actors.channel.ChannelSettings;
import io.sensorfleet.actors.channel.InstrumentChannel;
import io.sensorfleet.actors.channel.PeerCheck;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.DecodeResult;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.FrameCodec;
import io.sensorfleet.core.protocol.LineReader;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two Instruments of one sensor, each with its own host user, as LXD maps them: a process running as one
 * Instrument's user completes its handshake on its own socket, cannot even open the other's, and a process that gets
 * past the file permissions (root on the host) is still refused by the peer check and audited. The clients are
 * separate processes started with {@code setpriv}, so this needs root, as the sensor itself does.
 */
class ChannelContainmentIT {

  static final InstrumentId ALPHA = InstrumentId.of("alpha");
  static final InstrumentId BRAVO = InstrumentId.of("bravo");
  static final int ALPHA_UID = 65533;
  static final int BRAVO_UID = 65534;
  static final Duration WAIT = Duration.ofSeconds(10);

  static final ActorTestKit kit = ActorTestKit.create();
  static Path base;
  static Path alphaSocket;
  static Path bravoSocket;
  static TestProbe<InstrumentChannel.Event> alphaEvents;
  static TestProbe<InstrumentChannel.Event> bravoEvents;
  static TestProbe<AuditLog.Command> audit;

  @BeforeAll
  static void startTwoChannels() throws IOException {
    base = Files.createTempDirectory(Path.of("/tmp"), "sfit");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
    ChannelSettings settings = ChannelSettings.from(ConfigFactory.load()).withRuntimeRoot(base.resolve("run"));
    audit = kit.createTestProbe();
    alphaEvents = kit.createTestProbe();
    bravoEvents = kit.createTestProbe();
    alphaSocket = start(ALPHA, ALPHA_UID, settings, alphaEvents);
    bravoSocket = start(BRAVO, BRAVO_UID, settings, bravoEvents);
  }

  static Path start(InstrumentId id, int uid, ChannelSettings settings, TestProbe<InstrumentChannel.Event> events) {
    kit.spawn(InstrumentChannel.create(id, new BusSocket.Owner(uid, uid), PeerCheck.uid(uid), settings,
        events.getRef(), audit.getRef(), kit.<io.sensorfleet.actors.bus.PermissionGate.Command>createTestProbe()
            .getRef()));
    var listening = events.expectMessageClass(InstrumentChannel.Listening.class, WAIT);
    return listening.directory().resolve(BusSocket.SOCKET_NAME);
  }

  @AfterAll
  static void shutdown() throws IOException {
    kit.shutdownTestKit();
    try (Stream<Path> paths = Files.walk(base)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void an_instrument_user_completes_its_handshake_on_its_own_socket() throws Exception {
    Client result = helloAs(BRAVO_UID, bravoSocket, BRAVO);
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().startsWith("{\"type\":\"welcome\""), result.output());
    var connected = bravoEvents.expectMessageClass(InstrumentChannel.Connected.class, WAIT);
    assertEquals(BRAVO_UID, connected.peer().uid());
    bravoEvents.expectMessageClass(InstrumentChannel.Disconnected.class, WAIT);
  }

  @Test
  void an_instrument_user_cannot_open_another_instruments_socket() throws Exception {
    Client result = helloAs(BRAVO_UID, alphaSocket, ALPHA);
    assertEquals(13, result.exitCode(), "EACCES expected; the client said: " + result.output());
    alphaEvents.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void a_process_past_the_permissions_is_refused_by_the_peer_check_and_audited() throws Exception {
    try (SocketChannel root = SocketChannel.open(UnixDomainSocketAddress.of(alphaSocket))) {
      LineReader.Result line = LineReader.of(root, 1 << 20).read();
      assertTrue(line instanceof LineReader.Line l
          && FrameCodec.standard().decode(l.bytes()) instanceof DecodeResult.Decoded(Frame.Error error)
          && error.code().equals("identity-mismatch"), "identity-mismatch, got " + line);
      ByteBuffer rest = ByteBuffer.allocate(1);
      assertEquals(-1, root.read(rest));
    }
    AuditLog.Record record = audit.expectMessageClass(AuditLog.Record.class, WAIT);
    assertEquals(InstrumentChannel.AUDIT_CONNECTION_REFUSED, record.request().action());
    assertTrue(record.request().detail().contains("uid=0"), record.request().detail());
    alphaEvents.expectMessageClass(InstrumentChannel.ConnectionRefused.class, WAIT);
  }

  record Client(int exitCode, String output) {}

  /** As {@code uid}: connect, say hello as {@code claimed}, print the first line back (or the connect errno). */
  static Client helloAs(int uid, Path socket, InstrumentId claimed) throws Exception {
    String client = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(sys.argv[1])
        except OSError as e:
            print(e.strerror)
            sys.exit(e.errno)
        s.sendall(('{"type":"hello","id":"h1","versions":[1],"instrument":"%s","software":"it/1"}\\n'
                   % sys.argv[2]).encode())
        print(s.makefile('rb').readline().decode().strip())
        """;
    Process process = new ProcessBuilder(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
        "/usr/bin/python3", "-c", client, socket.toString(), claimed.value())).redirectErrorStream(true).start();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the client finished");
    return new Client(process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
  }
}
