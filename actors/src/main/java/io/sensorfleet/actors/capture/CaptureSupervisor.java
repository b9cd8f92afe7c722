package io.sensorfleet.actors.capture;

import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.capture.control.ControlReply;
import io.sensorfleet.capture.control.ControlRequest;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.network.NetworkProvisioner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;

/**
 * The platform's side of the Capture Engine: starts the engine's process on the capture interfaces
 * ({@link CaptureControl}), restarts it with a doubling, capped backoff when it dies and then re-attaches every
 * branch, and keeps the branches: one per running passive Instrument (its host veth end and its manifest's
 * filter). It reads the counters on a timer, adds the frames each Instrument tried to send (its ingress drop,
 * from the {@link NetworkProvisioner}), tells the Instrument when that count rises and audits it, rate-limited.
 *
 * <p>With no capture interface configured it starts nothing and refuses every branch.
 */
public final class CaptureSupervisor extends AbstractBehavior<CaptureSupervisor.Command> {

  public sealed interface Command {}

  /**
   * From a passive Instrument that has started: mirror to {@code port} (its host veth end), keeping frames that
   * match {@code filter} (pcap; blank: everything). Replaces the Instrument's earlier branch. Replies once the
   * engine attached it, or at once if the engine is restarting (the branch is attached when it is back); an
   * error when there is no capture interface or the engine refused (libpcap's message, a missing port).
   * {@code blocked} is told the Instrument's blocked-frames total whenever it rises.
   */
  public record Attach(InstrumentId instrument, String port, String filter, ActorRef<Long> blocked,
                       ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** From an Instrument about to stop or go: its branch ends (nothing if it has none). */
  public record Detach(InstrumentId instrument) implements Command {}

  /** Replies the counters now, or an error when the engine is not running. */
  public record GetStats(ActorRef<StatusReply<Stats>> replyTo) implements Command {}

  /** The reply to {@link GetStats}. */
  public record Stats(List<InterfaceStats> interfaces, List<BranchStats> branches) {}

  /** One capture interface: frames read, frames lost before the branches (the kernel ring, the hub's queue). */
  public record InterfaceStats(String name, long received, long dropped) {}

  /**
   * One passive Instrument's branch: frames delivered to it, filtered out, dropped (it was too slow), bytes
   * delivered, and frames it tried to send that its ingress drop stopped ({@code blocked}).
   */
  public record BranchStats(String instrument, String port, String filter, long delivered, long filtered,
                            long dropped, long bytes, long blocked) {}

  private record Started(long incarnation, CaptureControl.Session session) implements Command {}

  private record StartFailed(long incarnation, String reason) implements Command {}

  private record Ended(long incarnation, String how) implements Command {}

  private record RestartDue() implements Command {}

  private record Attached(InstrumentId instrument, Branch branch, Optional<ControlReply> reply, String failure,
                          Optional<ActorRef<StatusReply<Done>>> replyTo) implements Command {}

  private record StatsTick() implements Command {}

  private record StatsRead(ControlReply reply, Map<InstrumentId, Long> blocked,
                           Optional<ActorRef<StatusReply<Stats>>> replyTo) implements Command {}

  private record StatsFailed(String reason, Optional<ActorRef<StatusReply<Stats>>> replyTo) implements Command {}

  private record Branch(String port, String filter, ActorRef<Long> listener) {}

  /** What was last seen and audited of one Instrument's blocked frames. */
  private record Blocked(long total, long audited, Instant auditedAt) {}

  private final CaptureSupervisorSettings settings;
  private final CaptureControl control;
  private final NetworkProvisioner network;
  private final ActorRef<AuditLog.Command> audit;
  private final Clock clock;
  private final TimerScheduler<Command> timers;
  private final Map<InstrumentId, Branch> branches = new TreeMap<>();
  private final Map<InstrumentId, Blocked> blocked = new HashMap<>();
  private Optional<CaptureControl.Session> session = Optional.empty();
  private long incarnation;
  private int failures;
  private String lastFailure = "starting";

  /** Spawned by the {@code SensorGuardian} (and integration tests); starts the engine at once. */
  public static Behavior<Command> create(CaptureSupervisorSettings settings, CaptureControl control,
                                         NetworkProvisioner network, ActorRef<AuditLog.Command> audit, Clock clock) {
    return Behaviors.withTimers(timers -> Behaviors.setup(ctx ->
        new CaptureSupervisor(ctx, settings, control, network, audit, clock, timers)));
  }

  private CaptureSupervisor(ActorContext<Command> ctx, CaptureSupervisorSettings settings, CaptureControl control,
                            NetworkProvisioner network, ActorRef<AuditLog.Command> audit, Clock clock,
                            TimerScheduler<Command> timers) {
    super(ctx);
    this.settings = settings;
    this.control = control;
    this.network = network;
    this.audit = audit;
    this.clock = clock;
    this.timers = timers;
    if (settings.interfaces().isEmpty()) {
      lastFailure = "no capture interface is configured (sensor.interfaces.capture is empty)";
    } else {
      startEngine();
      timers.startTimerWithFixedDelay(new StatsTick(), settings.statsInterval());
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Attach.class, this::onAttach)
        .onMessage(Detach.class, this::onDetach)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(Started.class, this::onStarted)
        .onMessage(StartFailed.class, this::onStartFailed)
        .onMessage(Ended.class, this::onEnded)
        .onMessage(RestartDue.class, r -> startEngine())
        .onMessage(Attached.class, this::onAttached)
        .onMessage(StatsTick.class, this::onStatsTick)
        .onMessage(StatsRead.class, this::onStatsRead)
        .onMessage(StatsFailed.class, this::onStatsFailed)
        .onSignal(PostStop.class, s -> {
          session.ifPresent(CaptureControl.Session::stop);
          return this;
        })
        .build();
  }

  // ---- the engine's process --------------------------------------------------------------------------------

  private Behavior<Command> startEngine() {
    long n = ++incarnation;
    getContext().pipeToSelf(control.start(settings.interfaces()),
        (s, e) -> s != null ? new Started(n, s) : new StartFailed(n, message(e)));
    return this;
  }

  private Behavior<Command> onStarted(Started started) {
    if (started.incarnation() != incarnation) {
      started.session().stop();
      return this;
    }
    session = Optional.of(started.session());
    getContext().pipeToSelf(started.session().ended(), (how, e) -> new Ended(started.incarnation(),
        how != null ? how : message(e)));
    getContext().getLog().info("capture engine running on {}", settings.interfaces());
    if (failures > 0) {
      record("capture engine restarted", Outcome.OK, "on " + String.join(", ", settings.interfaces())
          + "; re-attaching " + branches.size() + " branch(es)");
    }
    failures = 0;
    lastFailure = "";
    branches.forEach((id, branch) -> attach(id, branch, Optional.empty()));
    return this;
  }

  private Behavior<Command> onStartFailed(StartFailed failed) {
    if (failed.incarnation() != incarnation) {
      return this;
    }
    if (!failed.reason().equals(lastFailure)) {
      record("capture engine start failed", Outcome.FAILED, failed.reason());
    }
    getContext().getLog().warn("capture engine did not start: {}", failed.reason());
    lastFailure = failed.reason();
    return restartLater();
  }

  private Behavior<Command> onEnded(Ended ended) {
    if (ended.incarnation() != incarnation) {
      return this;
    }
    session = Optional.empty();
    lastFailure = "the capture engine stopped (" + ended.how() + ") and is being restarted";
    getContext().getLog().warn("capture engine ended: {}", ended.how());
    record("capture engine stopped", Outcome.FAILED, ended.how());
    return restartLater();
  }

  private Behavior<Command> restartLater() {
    Duration delay = settings.minBackoff().multipliedBy(1L << Math.min(failures, 20));
    if (delay.compareTo(settings.maxBackoff()) > 0) {
      delay = settings.maxBackoff();
    }
    failures++;
    timers.startSingleTimer(new RestartDue(), delay);
    return this;
  }

  // ---- branches --------------------------------------------------------------------------------------------

  private Behavior<Command> onAttach(Attach a) {
    if (settings.interfaces().isEmpty()) {
      a.replyTo().tell(StatusReply.error("mode passive needs a capture interface: " + lastFailure));
      return this;
    }
    for (String iface : settings.interfaces()) {
      if (!Files.exists(Path.of("/sys/class/net", iface))) {
        a.replyTo().tell(StatusReply.error("capture interface '" + iface + "' (sensor.interfaces.capture) does not"
            + " exist on this host"));
        return this;
      }
    }
    Branch branch = new Branch(a.port(), a.filter() == null ? "" : a.filter(), a.blocked());
    branches.put(a.instrument(), branch);
    blocked.remove(a.instrument()); // a new veth and a new drop chain: its counter starts again
    if (session.isEmpty()) {
      a.replyTo().tell(StatusReply.ack()); // attached once the engine is back
      return this;
    }
    attach(a.instrument(), branch, Optional.of(a.replyTo()));
    return this;
  }

  private void attach(InstrumentId id, Branch branch, Optional<ActorRef<StatusReply<Done>>> replyTo) {
    String filter = branch.filter().isBlank() ? null : branch.filter();
    getContext().pipeToSelf(session.orElseThrow().call(new ControlRequest.Attach(branch.port(), filter)),
        (reply, e) -> new Attached(id, branch, Optional.ofNullable(reply), e == null ? "" : message(e), replyTo));
  }

  private Behavior<Command> onAttached(Attached attached) {
    boolean current = attached.branch().equals(branches.get(attached.instrument()));
    if (attached.reply().isPresent() && !attached.reply().get().ok()) {
      String error = attached.reply().get().error();
      getContext().getLog().warn("capture: branch of {} refused: {}", attached.instrument(), error);
      if (current) {
        branches.remove(attached.instrument());
      }
      attached.replyTo().ifPresent(r -> r.tell(StatusReply.error(error)));
      if (attached.replyTo().isEmpty()) {
        record(attached.instrument(), "capture branch lost", Outcome.FAILED, "re-attaching after an engine restart: "
            + error);
      }
      return this;
    }
    if (attached.reply().isEmpty()) {
      // The engine went away mid-call: the branch stays and is attached again when it is back.
      getContext().getLog().warn("capture: attaching {} failed: {}", attached.instrument(), attached.failure());
    }
    attached.replyTo().ifPresent(r -> r.tell(StatusReply.ack()));
    return this;
  }

  private Behavior<Command> onDetach(Detach d) {
    Branch branch = branches.remove(d.instrument());
    blocked.remove(d.instrument());
    if (branch != null && session.isPresent()) {
      session.get().call(new ControlRequest.Detach(branch.port()));
    }
    return this;
  }

  // ---- counters --------------------------------------------------------------------------------------------

  private Behavior<Command> onGetStats(GetStats get) {
    if (session.isEmpty()) {
      get.replyTo().tell(StatusReply.error("the capture engine is not running: " + lastFailure));
      return this;
    }
    readStats(Optional.of(get.replyTo()));
    return this;
  }

  private Behavior<Command> onStatsTick(StatsTick tick) {
    if (session.isPresent() && !branches.isEmpty()) {
      readStats(Optional.empty());
    }
    return this;
  }

  private void readStats(Optional<ActorRef<StatusReply<Stats>>> replyTo) {
    List<InstrumentId> ids = new ArrayList<>(branches.keySet());
    List<CompletableFuture<OptionalLong>> counts = ids.stream()
        .map(id -> network.blockedFrames(id).toCompletableFuture()
            .exceptionally(e -> OptionalLong.empty()))
        .toList();
    CompletionStage<StatsRead> read = session.orElseThrow().call(new ControlRequest.Stats())
        .thenCombine(CompletableFuture.allOf(counts.toArray(CompletableFuture[]::new)), (reply, v) -> {
          Map<InstrumentId, Long> byId = new HashMap<>();
          for (int i = 0; i < ids.size(); i++) {
            OptionalLong n = counts.get(i).join();
            if (n.isPresent()) {
              byId.put(ids.get(i), n.getAsLong());
            }
          }
          return new StatsRead(reply, byId, replyTo);
        });
    getContext().pipeToSelf(read, (r, e) -> r != null ? r : new StatsFailed(message(e), replyTo));
  }

  private Behavior<Command> onStatsRead(StatsRead read) {
    Instant now = clock.instant();
    read.blocked().forEach((id, total) -> {
      Branch branch = branches.get(id);
      if (branch == null) {
        return;
      }
      Blocked seen = blocked.getOrDefault(id, new Blocked(0, 0, Instant.EPOCH));
      if (total < seen.total()) { // its drop chain was made again: count from there
        seen = new Blocked(0, 0, seen.auditedAt());
      }
      if (total > seen.total()) {
        branch.listener().tell(total);
      }
      // What was not audited yet, at most once per interval: a burst is summed, and its tail is audited too.
      if (total > seen.audited() && !now.isBefore(seen.auditedAt().plus(settings.blockedAuditInterval()))) {
        record(id, "passive instrument sent frames", Outcome.DENIED, (total - seen.audited())
            + " frame(s) blocked at its receive-only interface " + branch.port() + " (" + total + " in all)");
        seen = new Blocked(total, total, now);
      }
      blocked.put(id, new Blocked(total, seen.audited(), seen.auditedAt()));
    });
    read.replyTo().ifPresent(r -> r.tell(StatusReply.success(stats(read))));
    return this;
  }

  private Stats stats(StatsRead read) {
    List<InterfaceStats> ifaces = read.reply().interfaces().stream()
        .map(i -> new InterfaceStats(i.name(), i.received(), i.ringDrops() + i.queueDrops()))
        .toList();
    List<BranchStats> out = new ArrayList<>();
    branches.forEach((id, branch) -> {
      var port = read.reply().ports().stream().filter(p -> p.port().equals(branch.port())).findFirst();
      long blockedNow = read.blocked().getOrDefault(id, 0L);
      out.add(new BranchStats(id.value(), branch.port(), branch.filter(),
          port.map(ControlReply.Port::delivered).orElse(0L), port.map(ControlReply.Port::filtered).orElse(0L),
          port.map(ControlReply.Port::dropped).orElse(0L), port.map(ControlReply.Port::bytes).orElse(0L),
          blockedNow));
    });
    return new Stats(ifaces, out);
  }

  private Behavior<Command> onStatsFailed(StatsFailed failed) {
    getContext().getLog().debug("capture: reading counters failed: {}", failed.reason());
    failed.replyTo().ifPresent(r -> r.tell(StatusReply.error("the capture engine did not answer: "
        + failed.reason())));
    return this;
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  private void record(String action, Outcome outcome, String detail) {
    audit.tell(new AuditLog.Record(AuditRequest.of(Principal.platform(), action, AuditKind.NETWORK, outcome, detail),
        getContext().getSystem().ignoreRef()));
  }

  private void record(InstrumentId id, String action, Outcome outcome, String detail) {
    audit.tell(new AuditLog.Record(AuditRequest.of(Principal.platform(), action, AuditKind.NETWORK, outcome, detail)
        .aboutInstrument(id), getContext().getSystem().ignoreRef()));
  }

  private static String message(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.CompletionException
        || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
