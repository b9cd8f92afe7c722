package io.sensorfleet.actors.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.StubNetwork;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.capture.control.ControlReply;
import io.sensorfleet.capture.control.ControlRequest;
import io.sensorfleet.core.InstrumentId;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class CaptureSupervisorTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static final InstrumentId A = InstrumentId.of("cap-a");

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  /** An engine process that answers every request with ok and ends when the test says so. */
  static final class FakeControl implements CaptureControl {
    final LinkedBlockingQueue<FakeSession> sessions = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<Session> start(List<String> interfaces) {
      FakeSession s = new FakeSession();
      sessions.add(s);
      return CompletableFuture.completedFuture(s);
    }
  }

  static final class FakeSession implements CaptureControl.Session {
    final LinkedBlockingQueue<ControlRequest> requests = new LinkedBlockingQueue<>();
    final CompletableFuture<String> ended = new CompletableFuture<>();
    volatile long blockedPorts;

    @Override
    public CompletionStage<ControlReply> call(ControlRequest request) {
      requests.add(request);
      if (request instanceof ControlRequest.Attach a && "bad".equals(a.filter())) {
        return CompletableFuture.completedFuture(ControlReply.error("invalid filter 'bad': syntax error"));
      }
      return CompletableFuture.completedFuture(request instanceof ControlRequest.Stats
          ? new ControlReply(true, null, List.of(new ControlReply.Interface("lo", 10, 1, 2)),
              List.of(new ControlReply.Port("sfpa", "udp", 7, 3, 0, 0, 700)))
          : ControlReply.success());
    }

    @Override
    public CompletionStage<String> ended() {
      return ended;
    }

    @Override
    public void stop() {
      ended.complete("stopped");
    }
  }

  static CaptureSupervisorSettings settings(List<String> interfaces) {
    return new CaptureSupervisorSettings(interfaces, Duration.ofMillis(50), Duration.ofMillis(200),
        Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofSeconds(3));
  }

  static <T> T poll(LinkedBlockingQueue<T> q) throws InterruptedException {
    T t = q.poll(5, TimeUnit.SECONDS);
    if (t == null) {
      throw new AssertionError("nothing arrived within 5 s");
    }
    return t;
  }

  /**
   * The engine's session once the supervisor has taken it (a stats query answers): the fake hands the session out
   * before the supervisor's own message about it arrives, and a branch attached before that is only acknowledged.
   */
  FakeSession started(ActorRef<CaptureSupervisor.Command> supervisor, FakeControl control) throws Exception {
    FakeSession session = poll(control.sessions);
    TestProbe<StatusReply<CaptureSupervisor.Stats>> stats = kit.createTestProbe();
    stats.awaitAssert(() -> {
      supervisor.tell(new CaptureSupervisor.GetStats(stats.ref()));
      assertTrue(stats.receiveMessage().isSuccess());
      return null;
    });
    session.requests.clear(); // the stats queries above
    return session;
  }

  @Test
  void refuses_a_branch_when_no_capture_interface_is_configured() {
    TestProbe<AuditLog.Command> audit = kit.createTestProbe();
    TestProbe<StatusReply<Done>> reply = kit.createTestProbe();
    TestProbe<Long> blocked = kit.createTestProbe();
    var supervisor = kit.spawn(CaptureSupervisor.create(settings(List.of()), new FakeControl(), new StubNetwork(),
        audit.ref(), Clock.systemUTC()));
    supervisor.tell(new CaptureSupervisor.Attach(A, "sfpa", "", blocked.ref(), reply.ref()));
    StatusReply<Done> r = reply.receiveMessage();
    assertTrue(r.isError());
    assertTrue(r.getError().getMessage().contains("sensor.interfaces.capture is empty"), r.getError().getMessage());
  }

  @Test
  void refuses_a_branch_when_the_capture_interface_does_not_exist() {
    TestProbe<AuditLog.Command> audit = kit.createTestProbe();
    TestProbe<StatusReply<Done>> reply = kit.createTestProbe();
    var supervisor = kit.spawn(CaptureSupervisor.create(settings(List.of("sfnosuch0")), new FakeControl(),
        new StubNetwork(), audit.ref(), Clock.systemUTC()));
    supervisor.tell(new CaptureSupervisor.Attach(A, "sfpa", "", kit.<Long>createTestProbe().ref(), reply.ref()));
    assertTrue(reply.receiveMessage().getError().getMessage().contains("'sfnosuch0'"));
  }

  @Test
  void passes_on_libpcaps_refusal_of_a_filter() throws Exception {
    FakeControl control = new FakeControl();
    TestProbe<StatusReply<Done>> reply = kit.createTestProbe();
    var supervisor = kit.spawn(CaptureSupervisor.create(settings(List.of("lo")), control, new StubNetwork(),
        kit.<AuditLog.Command>createTestProbe().ref(), Clock.systemUTC()));
    started(supervisor, control);
    supervisor.tell(new CaptureSupervisor.Attach(A, "sfpa", "bad", kit.<Long>createTestProbe().ref(), reply.ref()));
    assertEquals("invalid filter 'bad': syntax error", reply.receiveMessage().getError().getMessage());
  }

  @Test
  void restarts_a_dead_engine_and_attaches_its_branches_again() throws Exception {
    FakeControl control = new FakeControl();
    TestProbe<StatusReply<Done>> reply = kit.createTestProbe();
    var supervisor = kit.spawn(CaptureSupervisor.create(settings(List.of("lo")), control, new StubNetwork(),
        kit.<AuditLog.Command>createTestProbe().ref(), Clock.systemUTC()));
    FakeSession first = started(supervisor, control);
    supervisor.tell(new CaptureSupervisor.Attach(A, "sfpa", "udp", kit.<Long>createTestProbe().ref(), reply.ref()));
    assertTrue(reply.receiveMessage().isSuccess());
    assertEquals(new ControlRequest.Attach("sfpa", "udp"), poll(first.requests));

    first.ended.complete("exit status 137");
    FakeSession second = poll(control.sessions);
    assertEquals(new ControlRequest.Attach("sfpa", "udp"), poll(second.requests));
  }

  @Test
  void reports_branch_counters_with_the_frames_the_instrument_tried_to_send() throws Exception {
    FakeControl control = new FakeControl();
    StubNetwork network = new StubNetwork();
    network.blocked = 4;
    TestProbe<StatusReply<Done>> reply = kit.createTestProbe();
    TestProbe<Long> blocked = kit.createTestProbe();
    TestProbe<AuditLog.Command> audit = kit.createTestProbe();
    var supervisor = kit.spawn(CaptureSupervisor.create(settings(List.of("lo")), control, network, audit.ref(),
        Clock.systemUTC()));
    started(supervisor, control);
    supervisor.tell(new CaptureSupervisor.Attach(A, "sfpa", "udp", blocked.ref(), reply.ref()));
    reply.receiveMessage();
    TestProbe<StatusReply<CaptureSupervisor.Stats>> stats = kit.createTestProbe();
    supervisor.tell(new CaptureSupervisor.GetStats(stats.ref()));
    CaptureSupervisor.Stats s = stats.receiveMessage().getValue();
    assertEquals(List.of(new CaptureSupervisor.InterfaceStats("lo", 10, 3)), s.interfaces());
    assertEquals(List.of(new CaptureSupervisor.BranchStats("cap-a", "sfpa", "udp", 7, 3, 0, 700, 4)), s.branches());
    assertEquals(4L, blocked.receiveMessage());
    var recorded = audit.expectMessageClass(AuditLog.Record.class);
    assertEquals("passive instrument sent frames", recorded.request().action());
    assertTrue(recorded.request().detail().startsWith("4 frame(s) blocked"), recorded.request().detail());
  }

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    volatile java.time.Instant now = java.time.Instant.parse("2026-12-04T12:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }
  }

  @Test
  void audits_blocked_frames_at_most_once_per_interval_and_the_rest_later() throws Exception {
    FakeControl control = new FakeControl();
    StubNetwork network = new StubNetwork();
    MovableClock clock = new MovableClock();
    TestProbe<AuditLog.Command> audit = kit.createTestProbe();
    TestProbe<StatusReply<CaptureSupervisor.Stats>> stats = kit.createTestProbe();
    var supervisor = kit.spawn(CaptureSupervisor.create(settings(List.of("lo")), control, network, audit.ref(),
        clock));
    started(supervisor, control);
    TestProbe<StatusReply<Done>> reply = kit.createTestProbe();
    supervisor.tell(new CaptureSupervisor.Attach(A, "sfpa", "", kit.<Long>createTestProbe().ref(), reply.ref()));
    reply.receiveMessage();

    network.blocked = 4;
    supervisor.tell(new CaptureSupervisor.GetStats(stats.ref()));
    stats.receiveMessage();
    network.blocked = 6; // within the interval: not audited yet
    supervisor.tell(new CaptureSupervisor.GetStats(stats.ref()));
    stats.receiveMessage();
    clock.now = clock.now.plus(Duration.ofMinutes(2));
    supervisor.tell(new CaptureSupervisor.GetStats(stats.ref()));
    stats.receiveMessage();

    assertTrue(audit.expectMessageClass(AuditLog.Record.class).request().detail().startsWith("4 frame(s)"));
    String later = audit.expectMessageClass(AuditLog.Record.class).request().detail();
    assertTrue(later.startsWith("2 frame(s)") && later.endsWith("(6 in all)"), later);
  }
}
