package io.sensorfleet.actors.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.actors.bus.PermissionGate;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.HealthStatus;
import io.sensorfleet.core.protocol.RawJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InstrumentChannelTest {

  static final ActorTestKit kit = ActorTestKit.create();
  static final InstrumentId IDS = InstrumentId.of("ids");
  static final Duration WAIT = Duration.ofSeconds(5);

  final ChannelFixtures fixtures = new ChannelFixtures();
  final List<ActorRef<InstrumentChannel.Command>> spawned = new java.util.ArrayList<>();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @AfterEach
  void cleanUp() throws IOException {
    spawned.forEach(kit::stop);
    fixtures.close();
  }

  /** A running channel with probes for its parent and the audit log. */
  record Harness(ActorRef<InstrumentChannel.Command> channel, TestProbe<InstrumentChannel.Event> events,
                 TestProbe<AuditLog.Command> audit, TestProbe<PermissionGate.Command> bus, Path socket) {

    TestClient handshake() throws IOException {
      TestClient client = TestClient.handshake(socket, IDS);
      events.expectMessageClass(InstrumentChannel.Connected.class, WAIT);
      return client;
    }

    InstrumentChannel.Status status() {
      TestProbe<InstrumentChannel.Status> reply = kit.createTestProbe();
      channel.tell(new InstrumentChannel.GetStatus(reply.getRef()));
      return reply.receiveMessage(WAIT);
    }
  }

  Harness start(String overrides) throws IOException {
    return start(fixtures.newRoot(), overrides, ChannelFixtures.TEST_PROCESS);
  }

  Harness start(Path root, String overrides, PeerCheck check) throws IOException {
    TestProbe<InstrumentChannel.Event> events = kit.createTestProbe();
    TestProbe<AuditLog.Command> audit = kit.createTestProbe();
    TestProbe<PermissionGate.Command> bus = kit.createTestProbe();
    var channel = kit.spawn(InstrumentChannel.create(IDS, ChannelFixtures.currentUser(), check,
        ChannelFixtures.settings(root, overrides), events.getRef(), audit.getRef(), bus.getRef()),
        DispatcherSelector.fromConfig(ChannelSettings.BUS_DISPATCHER));  // as the platform spawns it
    spawned.add(channel);
    var listening = events.expectMessageClass(InstrumentChannel.Listening.class, WAIT);
    return new Harness(channel, events, audit, bus, listening.directory().resolve(BusSocket.SOCKET_NAME));
  }

  static Frame.HealthReport health(String detail) {
    return new Frame.HealthReport(Optional.empty(), HealthStatus.HEALTHY, detail, Optional.empty());
  }

  // ---- handshake ----

  @Test
  void answers_hello_with_welcome_and_tells_the_parent_connected() throws IOException {
    Harness h = start("");
    try (TestClient client = TestClient.connect(h.socket())) {
      client.send(TestClient.hello(IDS));
      Frame.Welcome welcome = assertInstanceOf(Frame.Welcome.class, client.read());
      assertEquals(new Frame.Welcome("h1", 1, IDS, Optional.empty()), welcome);
      var connected = h.events().expectMessageClass(InstrumentChannel.Connected.class, WAIT);
      assertEquals(1, connected.version());
      assertEquals("test-client/1", connected.software());
      assertEquals(ProcessHandle.current().pid(), connected.peer().pid());
      assertTrue(h.status().connected());
    }
  }

  @Test
  void a_completed_handshake_attaches_the_channel_to_the_bus_and_a_disconnect_detaches_it() throws IOException {
    Harness h = start("");
    try (TestClient client = TestClient.connect(h.socket())) {
      client.send(TestClient.hello(IDS));
      client.read();
      assertEquals(new PermissionGate.Attach(IDS, h.channel()),
          h.bus().expectMessageClass(PermissionGate.Attach.class, WAIT));
    }
    assertEquals(new PermissionGate.Detach(IDS, h.channel()),
        h.bus().expectMessageClass(PermissionGate.Detach.class, WAIT));
  }

  @Test
  void bus_frames_go_to_the_gate_stamped_with_the_sockets_instrument_not_the_parent() throws IOException {
    Harness h = start("");
    try (TestClient client = h.handshake()) {
      h.bus().expectMessageClass(PermissionGate.Attach.class, WAIT);
      var send = new Frame.Send(Optional.of("m1"), InstrumentId.of("dns"), true, RawJson.of("{\"x\":1}"));
      client.send(send);
      var forwarded = h.bus().expectMessageClass(PermissionGate.FromInstrument.class, WAIT);
      assertEquals(new PermissionGate.FromInstrument(IDS, send, h.channel()), forwarded);
      client.send(health("after the send"));
      // The parent sees the health report, never the send.
      assertInstanceOf(Frame.HealthReport.class,
          h.events().expectMessageClass(InstrumentChannel.Inbound.class, WAIT).frame());
    }
  }

  @Test
  void a_send_claiming_another_sender_is_stamped_with_the_sockets_instrument() throws IOException {
    Harness h = start("");
    try (TestClient client = h.handshake()) {
      h.bus().expectMessageClass(PermissionGate.Attach.class, WAIT);
      client.sendLine("{\"type\":\"send\",\"to\":\"dns\",\"from\":\"rule-manager\",\"payload\":{}}");
      var forwarded = h.bus().expectMessageClass(PermissionGate.FromInstrument.class, WAIT);
      assertEquals(IDS, forwarded.from());
      assertEquals(h.channel(), forwarded.channel());
    }
  }

  @Test
  void welcome_carries_the_configuration_set_by_the_parent() throws IOException {
    Harness h = start("");
    RawJson config = RawJson.of("{\"interfaces\":[\"mirror0\"]}");
    h.channel().tell(InstrumentChannel.SetWelcomeConfig.of(3, config));
    try (TestClient client = TestClient.connect(h.socket())) {
      client.send(TestClient.hello(IDS));
      Frame.Welcome welcome = assertInstanceOf(Frame.Welcome.class, client.read());
      assertEquals(Optional.of(new Frame.AcceptedConfig(3, config)), welcome.config());
    }
  }

  @Test
  void hello_naming_another_instrument_is_refused_closed_and_audited() throws IOException {
    Harness h = start("");
    try (TestClient client = TestClient.connect(h.socket())) {
      client.send(TestClient.hello(InstrumentId.of("dns")));
      Frame.Error error = client.readError("identity-mismatch");
      assertEquals(Optional.of("h1"), error.re());
      client.assertClosed();
    }
    AuditRequest audited = h.audit().expectMessageClass(AuditLog.Record.class, WAIT).request();
    assertEquals(InstrumentChannel.AUDIT_IDENTITY_CLAIMED, audited.action());
    assertEquals(Principal.instrument(IDS), audited.principal());
    assertEquals(Outcome.DENIED, audited.outcome());
    assertEquals(AuditKind.ACCESS, audited.kind());
    assertEquals(Optional.of(IDS), audited.instrument());
    assertTrue(audited.detail().contains("dns"), audited.detail());
    var refused = h.events().expectMessageClass(InstrumentChannel.ConnectionRefused.class, WAIT);
    assertTrue(refused.reason().startsWith("identity-mismatch"), refused.reason());
  }

  @Test
  void hello_without_a_common_version_is_answered_unsupported_version_and_closed() throws IOException {
    Harness h = start("");
    try (TestClient client = TestClient.connect(h.socket())) {
      client.send(new Frame.Hello("h1", List.of(7, 8), IDS, "future-sdk/9"));
      client.readError("unsupported-version");
      client.assertClosed();
    }
    var refused = h.events().expectMessageClass(InstrumentChannel.ConnectionRefused.class, WAIT);
    assertTrue(refused.reason().startsWith("unsupported-version"), refused.reason());
  }

  @Test
  void frames_before_hello_are_answered_not_ready_and_the_connection_stays_usable() throws IOException {
    Harness h = start("");
    try (TestClient client = TestClient.connect(h.socket())) {
      client.send(new Frame.Subscribe("s1", io.sensorfleet.core.protocol.Topic.of("dns.queries")));
      assertEquals(Optional.of("s1"), client.readError("not-ready").re());
      client.send(TestClient.hello(IDS));
      assertInstanceOf(Frame.Welcome.class, client.read());
      h.events().expectMessageClass(InstrumentChannel.Connected.class, WAIT);
    }
  }

  @Test
  void no_hello_in_time_gets_bye_and_the_connection_closes() throws IOException {
    Harness h = start("handshake-timeout = 300ms");
    try (TestClient client = TestClient.connect(h.socket())) {
      Frame.Bye bye = assertInstanceOf(Frame.Bye.class, client.read());
      assertTrue(bye.reason().contains("no hello"), bye.reason());
      client.assertClosed();
    }
    assertEquals("handshake-timeout",
        h.events().expectMessageClass(InstrumentChannel.ConnectionRefused.class, WAIT).reason());
  }

  // ---- bad input ----

  @Test
  void malformed_line_is_answered_and_the_next_good_frame_is_delivered() throws IOException {
    Harness h = start("");
    try (TestClient client = h.handshake()) {
      client.sendLine("{\"type\":\"health-report\",\"status\":");
      client.readError("malformed-json");
      client.send(health("after the bad line"));
      var inbound = h.events().expectMessageClass(InstrumentChannel.Inbound.class, WAIT);
      assertEquals(health("after the bad line"), inbound.frame());
    }
  }

  @Test
  void frame_sent_by_the_platform_only_is_answered_unexpected_frame() throws IOException {
    Harness h = start("");
    try (TestClient client = h.handshake()) {
      client.send(new Frame.HealthQuery("q1"));
      assertEquals(Optional.of("q1"), client.readError("unexpected-frame").re());
      client.send(TestClient.hello(IDS));
      client.readError("unexpected-frame");
      client.send(health("still usable"));
      h.events().expectMessageClass(InstrumentChannel.Inbound.class, WAIT);
    }
  }

  @Test
  void oversized_frame_is_answered_frame_too_large_and_closed() throws IOException {
    Harness h = start("max-frame-bytes = 4096");
    try (TestClient client = h.handshake()) {
      client.write(("{\"type\":\"bye\",\"reason\":\"" + "x".repeat(5000) + "\"}\n").getBytes(StandardCharsets.UTF_8));
      client.readError("frame-too-large");
      client.assertClosed();
    }
    assertEquals("frame-too-large", h.events().expectMessageClass(InstrumentChannel.Disconnected.class, WAIT).reason());
  }

  @Test
  void frame_of_exactly_the_limit_is_accepted() throws IOException {
    Harness h = start("max-frame-bytes = 4096");
    try (TestClient client = h.handshake()) {
      String prefix = "{\"type\":\"health-report\",\"status\":\"healthy\",\"detail\":\"";
      String line = prefix + "x".repeat(4096 - prefix.length() - 2) + "\"}";
      assertEquals(4096, line.length());
      client.sendLine(line);
      h.events().expectMessageClass(InstrumentChannel.Inbound.class, WAIT);
    }
  }

  @Test
  void too_many_errors_within_the_window_close_the_connection_rate_limited() throws IOException {
    Harness h = start("max-error-frames = 3, error-window = 1m");
    try (TestClient client = h.handshake()) {
      for (int i = 0; i < 4; i++) {
        client.sendLine("not json " + i);
      }
      for (int i = 0; i < 3; i++) {
        client.readError("malformed-json");
      }
      client.readError("rate-limited");
      client.assertClosed();
    }
    assertEquals("rate-limited", h.events().expectMessageClass(InstrumentChannel.Disconnected.class, WAIT).reason());
  }

  // ---- outbound ----

  @Test
  void outbound_frames_reach_the_instrument_in_order() throws IOException {
    Harness h = start("");
    try (TestClient client = h.handshake()) {
      for (int i = 0; i < 100; i++) {
        h.channel().tell(new InstrumentChannel.Outbound(new Frame.HealthQuery("q" + i)));
      }
      for (int i = 0; i < 100; i++) {
        assertEquals(new Frame.HealthQuery("q" + i), client.read());
      }
    }
  }

  @Test
  void outbound_overflow_drops_the_oldest_frames_and_counts_them() throws IOException {
    Harness h = start("outbound-queue-size = 8, outbound-queue-bytes = 64 KiB");
    int sent = 2000;
    try (TestClient client = h.handshake()) {
      // The client reads nothing yet: the kernel's buffers fill, then the queue, then the oldest go.
      String pad = "p".repeat(4000);
      for (int i = 0; i < sent; i++) {
        RawJson payload = RawJson.of("{\"seq\":" + i + ",\"pad\":\"" + pad + "\"}");
        h.channel().tell(new InstrumentChannel.Outbound(new Frame.Deliver(InstrumentId.of("dns"), payload)));
      }
      assertTrue(h.status().outboundDropped() > 0, "some frames were dropped");

      int received = 0;
      int last = -1;
      while (last < sent - 1) {
        Frame.Deliver deliver = assertInstanceOf(Frame.Deliver.class, client.read());
        int seq = seq(deliver.payload());
        assertTrue(seq > last, "in order: " + seq + " after " + last);
        last = seq;
        received++;
      }
      int delivered = received;
      // framesOut counts a write once the writer's system call returned, which may be after the client read it.
      h.events().awaitAssert(WAIT, () -> {
        InstrumentChannel.Status status = h.status();
        assertEquals(sent, delivered + status.outboundDropped(), "every frame was either delivered or counted");
        assertEquals(delivered + 1, status.framesOut(), "the welcome and the delivered frames");
        return null;
      });
    }
  }

  @Test
  void dropped_outbound_frames_are_audited_as_one_count_per_period() throws IOException {
    Harness h = start("outbound-queue-size = 4, outbound-queue-bytes = 64 KiB, drop-summary-interval = 200ms");
    try (TestClient client = h.handshake()) {
      String pad = "p".repeat(4000);
      for (int i = 0; i < 500; i++) {
        RawJson payload = RawJson.of("{\"seq\":" + i + ",\"pad\":\"" + pad + "\"}");
        h.channel().tell(new InstrumentChannel.Outbound(new Frame.Deliver(InstrumentId.of("dns"), payload)));
      }
      var record = h.audit().expectMessageClass(AuditLog.Record.class, WAIT).request();
      assertEquals(InstrumentChannel.AUDIT_OUTBOUND_DROPPED, record.action());
      assertEquals(Optional.of(IDS), record.instrument());
      assertTrue(record.detail().matches("\\d+ frames for " + IDS + " dropped in 200 ms: .*slow consumer.*"),
          record.detail());
      h.audit().expectNoMessage(Duration.ofMillis(400));
    }
  }

  private static int seq(RawJson payload) {
    Matcher m = Pattern.compile("\"seq\":(\\d+)").matcher(payload.asString());
    assertTrue(m.find(), payload.asString());
    return Integer.parseInt(m.group(1));
  }

  @Test
  void outbound_before_the_handshake_is_dropped_and_counted() throws IOException {
    Harness h = start("");
    h.channel().tell(new InstrumentChannel.Outbound(new Frame.HealthQuery("q0")));
    assertEquals(1, h.status().outboundDropped());
    try (TestClient client = h.handshake()) {
      h.channel().tell(new InstrumentChannel.Outbound(new Frame.HealthQuery("q1")));
      assertEquals(new Frame.HealthQuery("q1"), client.read());
    }
  }

  @Test
  void outbound_bye_closes_the_connection_after_it() throws IOException {
    Harness h = start("");
    try (TestClient client = h.handshake()) {
      h.channel().tell(new InstrumentChannel.Outbound(new Frame.HealthQuery("q1")));
      h.channel().tell(new InstrumentChannel.Outbound(new Frame.Bye("reconfiguring")));
      assertEquals(new Frame.HealthQuery("q1"), client.read());
      assertEquals(new Frame.Bye("reconfiguring"), client.read());
      client.assertClosed();
    }
    assertEquals("bye: reconfiguring",
        h.events().expectMessageClass(InstrumentChannel.Disconnected.class, WAIT).reason());
  }

  @Test
  void disconnect_of_an_instrument_that_does_not_read_closes_after_the_close_timeout() throws IOException {
    Harness h = start("close-timeout = 300ms, outbound-queue-size = 4");
    try (TestClient client = h.handshake()) {
      RawJson payload = RawJson.of("{\"pad\":\"" + "p".repeat(60_000) + "\"}");
      for (int i = 0; i < 100; i++) { // 6 MB: far more than the kernel buffers, so the writer is stuck
        h.channel().tell(new InstrumentChannel.Outbound(new Frame.Deliver(InstrumentId.of("dns"), payload)));
      }
      h.channel().tell(new InstrumentChannel.Disconnect("maintenance"));
      assertEquals("maintenance",
          h.events().expectMessageClass(InstrumentChannel.Disconnected.class, WAIT).reason());
      assertEquals(InstrumentChannel.Phase.IDLE, h.status().phase());
    }
  }

  @Test
  void status_counts_frames_errors_and_connections() throws IOException {
    Harness h = start("");
    try (TestClient client = h.handshake()) {
      client.sendLine("oops");
      client.readError("malformed-json");
      client.send(health("fine"));
      h.events().expectMessageClass(InstrumentChannel.Inbound.class, WAIT);
      InstrumentChannel.Status status = h.status();
      assertEquals(InstrumentChannel.Phase.READY, status.phase());
      assertEquals(3, status.framesIn(), "hello, the bad line, the report");
      h.events().awaitAssert(WAIT, () -> {  // a write is counted when its completion reaches the actor
        assertEquals(2, h.status().framesOut(), "welcome and the error");
        return null;
      });
      assertEquals(1, status.errorsSent());
      assertEquals(1, status.connections());
      assertEquals(0, status.refused());
      assertEquals(ProcessHandle.current().pid(), status.peer().orElseThrow().pid());
      assertEquals(1, status.version().getAsInt());
      assertEquals(Optional.of(h.socket()), status.socket());
    }
  }

  @Test
  void error_frames_from_the_instrument_go_to_the_parent_unanswered() throws IOException {
    Harness h = start("");
    try (TestClient client = h.handshake()) {
      Frame.Error error = new Frame.Error(Optional.of("r1"), "internal", "disk full");
      client.send(error);
      assertEquals(error, h.events().expectMessageClass(InstrumentChannel.Inbound.class, WAIT).frame());
      client.send(new Frame.Bye("done"));
      client.assertClosed(); // and nothing came before the end: the error was not answered
    }
  }

  @Test
  void instrument_leaving_before_hello_is_a_refused_connection() throws IOException {
    Harness h = start("");
    TestClient.connect(h.socket()).close();
    assertEquals("the Instrument closed the connection",
        h.events().expectMessageClass(InstrumentChannel.ConnectionRefused.class, WAIT).reason());
  }

  // ---- flooding ----

  @Test
  void flooding_instrument_is_slowed_down_while_another_channel_completes_its_handshake() throws Exception {
    Harness flooded = start("inbound-frames-per-second = 50, inbound-frame-burst = 10");
    try (TestClient flooder = flooded.handshake()) {
      AtomicLong written = new AtomicLong();
      byte[] frame = FrameCodecs.encode(health("flood"));
      byte[] chunk = new byte[frame.length * 256];
      for (int i = 0; i < 256; i++) {
        System.arraycopy(frame, 0, chunk, i * frame.length, frame.length);
      }
      // Measured from the first flooded byte: frames that queued up meanwhile still arrived at the shaped rate.
      long t0 = System.nanoTime();
      Thread flood = Thread.ofVirtual().start(() -> {
        try {
          while (true) {
            ByteBuffer buffer = ByteBuffer.wrap(chunk);
            while (buffer.hasRemaining()) {
              written.addAndGet(flooder.channel().write(buffer));
            }
          }
        } catch (IOException e) {
          // closed at the end of the test
        }
      });

      Harness other = start("");
      long start = System.nanoTime();
      try (TestClient calm = TestClient.connect(other.socket())) {
        calm.send(TestClient.hello(IDS));
        assertInstanceOf(Frame.Welcome.class, calm.read());
      }
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "the other handshake was prompt");

      flooded.events().receiveSeveralMessages(40, WAIT);
      long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
      // 40 frames at 50/s with a burst of 10 (possibly spent already) need at least (40 - 10) / 50 s = 600 ms.
      assertTrue(elapsedMs >= 500, "shaped to the frame rate, took " + elapsedMs + " ms");

      long afterForty = written.get();
      // What the flooder got rid of sits in its socket's kernel buffer (about 200 KiB) and a chunk or two of ours.
      assertTrue(afterForty < 2L << 20, "the flooder could only write " + afterForty + " bytes: backpressured");
      flooded.events().receiveSeveralMessages(20, WAIT);
      long growth = written.get() - afterForty;
      assertTrue(growth < 256L << 10, "20 more frames (1.6 KB) let through " + growth + " more bytes");
      flood.interrupt();
    }
  }

  // ---- connections ----

  @Test
  void second_concurrent_connection_is_refused_and_the_first_keeps_working() throws IOException {
    Harness h = start("");
    try (TestClient first = h.handshake(); TestClient second = TestClient.connect(h.socket())) {
      second.readError("not-ready");
      second.assertClosed();
      assertEquals("already-connected",
          h.events().expectMessageClass(InstrumentChannel.ConnectionRefused.class, WAIT).reason());
      first.send(health("still here"));
      assertEquals(health("still here"), h.events().expectMessageClass(InstrumentChannel.Inbound.class, WAIT).frame());
    }
  }

  @Test
  void disconnect_says_bye_and_tells_the_parent_and_a_reconnect_works() throws IOException {
    Harness h = start("");
    try (TestClient client = h.handshake()) {
      h.channel().tell(new InstrumentChannel.Disconnect("maintenance"));
      assertEquals(new Frame.Bye("maintenance"), client.read());
      client.assertClosed();
    }
    assertEquals("maintenance", h.events().expectMessageClass(InstrumentChannel.Disconnected.class, WAIT).reason());
    try (TestClient again = h.handshake()) {
      again.send(health("back"));
      h.events().expectMessageClass(InstrumentChannel.Inbound.class, WAIT);
    }
  }

  @Test
  void instrument_closing_its_end_is_a_disconnect() throws IOException {
    Harness h = start("");
    h.handshake().close();
    assertEquals("the Instrument closed the connection",
        h.events().expectMessageClass(InstrumentChannel.Disconnected.class, WAIT).reason());
    assertEquals(InstrumentChannel.Phase.IDLE, h.status().phase());
  }

  @Test
  void bye_from_the_instrument_closes_the_connection() throws IOException {
    Harness h = start("");
    try (TestClient client = h.handshake()) {
      client.send(new Frame.Bye("upgrade"));
      client.assertClosed();
    }
    assertEquals("bye: upgrade", h.events().expectMessageClass(InstrumentChannel.Disconnected.class, WAIT).reason());
  }

  @Test
  void peer_check_failure_refuses_and_audits_the_connection() throws IOException {
    Harness h = start(fixtures.newRoot(), "", ChannelFixtures.NOBODY);
    try (TestClient client = TestClient.connect(h.socket())) {
      client.readError("identity-mismatch");
      client.assertClosed();
    }
    AuditRequest audited = h.audit().expectMessageClass(AuditLog.Record.class, WAIT).request();
    assertEquals(InstrumentChannel.AUDIT_CONNECTION_REFUSED, audited.action());
    assertEquals(Principal.instrument(IDS), audited.principal());
    assertEquals(Outcome.DENIED, audited.outcome());
    assertEquals(Optional.of(IDS), audited.instrument());
    assertTrue(audited.detail().contains("pid=" + ProcessHandle.current().pid()), audited.detail());
    assertTrue(audited.detail().contains("uid=" + ChannelFixtures.currentUser().uid()), audited.detail());
    assertTrue(audited.detail().contains("cgroup="), audited.detail());
    var refused = h.events().expectMessageClass(InstrumentChannel.ConnectionRefused.class, WAIT);
    assertTrue(refused.reason().contains("no container matches"), refused.reason());
    assertEquals(1, h.status().refused());
  }

  @Test
  void two_channels_in_two_runtime_roots_do_not_interfere() throws IOException {
    Harness a = start("");
    Harness b = start("");
    assertFalse(a.socket().equals(b.socket()));
    try (TestClient toA = a.handshake(); TestClient toB = b.handshake()) {
      toA.send(health("to a"));
      toB.send(health("to b"));
      assertEquals(health("to a"), a.events().expectMessageClass(InstrumentChannel.Inbound.class, WAIT).frame());
      assertEquals(health("to b"), b.events().expectMessageClass(InstrumentChannel.Inbound.class, WAIT).frame());
      a.channel().tell(new InstrumentChannel.Outbound(new Frame.HealthQuery("for-a")));
      assertEquals(new Frame.HealthQuery("for-a"), toA.read());
      a.events().expectNoMessage(Duration.ofMillis(100));
      b.events().expectNoMessage(Duration.ofMillis(100));
    }
  }

  // ---- stopping ----

  @Test
  void stop_says_bye_removes_the_socket_and_keeps_the_directory() throws IOException {
    Harness h = start("");
    try (TestClient client = h.handshake()) {
      h.channel().tell(new InstrumentChannel.Stop());
      assertEquals(new Frame.Bye("platform stopping"), client.read());
      client.assertClosed();
    }
    h.events().expectMessageClass(InstrumentChannel.Disconnected.class, WAIT);
    h.events().expectTerminated(h.channel(), WAIT);
    assertFalse(Files.exists(h.socket(), LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.isDirectory(h.socket().getParent()));
  }

  @Test
  void delete_removes_the_directory() throws IOException {
    Harness h = start("");
    h.channel().tell(new InstrumentChannel.Delete());
    h.events().expectTerminated(h.channel(), WAIT);
    assertFalse(Files.exists(h.socket().getParent()));
  }

  @Test
  void a_socket_that_cannot_be_opened_is_reported_and_the_channel_stops() throws IOException {
    Path root = fixtures.newRoot().resolve("y".repeat(90));
    TestProbe<InstrumentChannel.Event> events = kit.createTestProbe();
    var channel = kit.spawn(InstrumentChannel.create(IDS, ChannelFixtures.currentUser(), ChannelFixtures.TEST_PROCESS,
        ChannelFixtures.settings(root, ""), events.getRef(), kit.<AuditLog.Command>createTestProbe().getRef(),
        kit.<PermissionGate.Command>createTestProbe().getRef()));
    var failed = events.expectMessageClass(InstrumentChannel.Failed.class, WAIT);
    assertTrue(failed.reason().contains("107-byte limit"), failed.reason());
    events.expectTerminated(channel, WAIT);
  }

  /** Encoding outside the client, for the flood. */
  static final class FrameCodecs {
    static byte[] encode(Frame frame) {
      return io.sensorfleet.core.protocol.FrameCodec.standard().encode(frame);
    }
  }
}
