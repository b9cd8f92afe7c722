package io.sensorfleet.actors.channel;

import io.sensorfleet.actors.bus.PermissionGate;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.DecodeResult;
import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.FrameCodec;
import io.sensorfleet.core.protocol.FrameType;
import io.sensorfleet.core.protocol.Handshake;
import io.sensorfleet.core.protocol.Peer;
import io.sensorfleet.core.protocol.RawJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;

/**
 * The platform's end of one Instrument's control channel (docs/protocol.md): owns its {@link BusSocket}, checks
 * who connects, runs the handshake, and then carries frames both ways between the socket and its parent (the
 * {@code Instrument} actor), which it tells what happens through {@link Event}s.
 *
 * <p>Per connection: the peer check (pid, uid, cgroup) on accept; {@code hello} → {@code welcome} with the
 * configuration set by {@link SetWelcomeConfig}; then every frame the Instrument may send goes to the parent as
 * {@link Inbound}, and the parent's {@link Outbound} frames go to the socket through a bounded queue that drops the
 * oldest. Inbound is backpressured by this actor (one frame at a time, acknowledged) and shaped to the configured
 * frame and byte rates, so a flooding Instrument only fills its own socket. Bad frames are answered with their
 * {@code error} and the connection stays usable; too many errors in a window close it with {@code rate-limited}.
 *
 * <p>One connection at a time: a second concurrent connection is answered {@code error not-ready} and closed, and
 * the first one stays (a restarted Instrument's old connection ends when its process dies, so it can reconnect at
 * once). The socket accepts again as soon as a connection is over.
 *
 * <p>Every accepted connection ends in exactly one of: {@link ConnectionRefused} (closed before its handshake
 * completed), or {@link Connected} followed later by {@link Disconnected}.
 */
public final class InstrumentChannel extends AbstractBehavior<InstrumentChannel.Command> {

  /** Audit action: a connection failed the peer check (another process than the Instrument's own). */
  public static final String AUDIT_CONNECTION_REFUSED = "channel.connection-refused";
  /** Audit action: a {@code hello} on this Instrument's socket claimed to be another Instrument. */
  public static final String AUDIT_IDENTITY_CLAIMED = "channel.identity-claimed";

  public sealed interface Command {}

  /**
   * From the parent: send {@code frame} to the connected Instrument, after those sent before. Dropped (and counted)
   * when no handshake is complete, or when the frame is one the platform may not send or the channel sends itself
   * ({@code hello}, {@code welcome}). A {@code bye} closes the connection after it, like {@link Disconnect}. No reply.
   */
  public record Outbound(Frame frame) implements Command {
    public Outbound {
      Objects.requireNonNull(frame, "frame");
    }
  }

  /** From the bus: several frames for the connected Instrument, in order; each as {@link Outbound}. */
  public record OutboundAll(List<Frame> frames) implements Command {
    public OutboundAll {
      frames = List.copyOf(frames);
    }
  }

  /**
   * From the parent: the latest configuration the Instrument accepted, sent in the next {@code welcome} (empty: none
   * accepted yet). Keep it current; the channel does not ask. No reply.
   */
  public record SetWelcomeConfig(Optional<Frame.AcceptedConfig> config) implements Command {
    public SetWelcomeConfig {
      Objects.requireNonNull(config, "config");
    }

    public static SetWelcomeConfig of(long version, RawJson config) {
      return new SetWelcomeConfig(Optional.of(new Frame.AcceptedConfig(version, config)));
    }

    public static SetWelcomeConfig none() {
      return new SetWelcomeConfig(Optional.empty());
    }
  }

  /** From the parent: send {@code bye} with this reason, then close the connection (if any). No reply. */
  public record Disconnect(String reason) implements Command {}

  /** Asks for the channel's {@link Status}. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * From the parent: say {@code bye} to a connected Instrument, close, remove the socket and stop. The directory
   * stays, since it is mounted in the Instrument's container.
   */
  public record Stop() implements Command {}

  /** From the parent, when the Instrument is removed: as {@link Stop}, and remove the directory too. */
  public record Delete() implements Command {}

  /** What the channel tells its parent. */
  public sealed interface Event {
    InstrumentId instrument();
  }

  /** The socket is ready: bind-mount {@code directory} into the container at {@code /run/sensorfleet/}. */
  public record Listening(InstrumentId instrument, Path directory) implements Event {}

  /** The socket could not be prepared; the channel has stopped. */
  public record Failed(InstrumentId instrument, String reason) implements Event {}

  /** The handshake completed: frames flow from now on. */
  public record Connected(InstrumentId instrument, int version, PeerIdentity peer, String software)
      implements Event {}

  /** A frame from the Instrument, of a type the Instrument may send; {@code hello} and {@code bye} never come here. */
  public record Inbound(InstrumentId instrument, Frame frame) implements Event {}

  /** A {@link Connected} connection is over (a {@code bye} either way, a crash, a fatal error, rate-limited). */
  public record Disconnected(InstrumentId instrument, String reason) implements Event {}

  /**
   * A connection was closed before its handshake completed: failed peer check, a second connection, a wrong or
   * unsupported {@code hello}, no {@code hello} in time, or the peer left first.
   */
  public record ConnectionRefused(InstrumentId instrument, String reason, PeerIdentity peer) implements Event {}

  /** Where a channel is. */
  public enum Phase {
    /** The socket is being prepared. */
    STARTING,
    /** Listening, no connection. */
    IDLE,
    /** A connection is open, waiting for its {@code hello}. */
    HANDSHAKE,
    /** Frames flow. */
    READY,
    /** Flushing its last frames before it closes. */
    CLOSING
  }

  /**
   * Answer to {@link GetStatus}; counters are since the channel started, over all its connections.
   *
   * @param framesIn lines read from Instruments, bad ones included
   * @param framesOut frames handed to the socket writer
   * @param errorsSent error frames sent to Instruments
   * @param outboundDropped frames not sent: queue overflow (oldest first), no connection, or not sendable
   * @param connections connections accepted
   * @param refused connections closed before their handshake completed
   */
  public record Status(InstrumentId instrument, Phase phase, Optional<Path> socket, Optional<PeerIdentity> peer,
                       OptionalInt version, long framesIn, long framesOut, long errorsSent, long outboundDropped,
                       long connections, long refused) {
    /** True when the handshake is complete and the connection is not closing. */
    public boolean connected() {
      return phase == Phase.READY;
    }
  }

  private record SocketOpened(BusSocket socket) implements Command {}

  private record SocketFailed(Throwable cause) implements Command {}

  private record ConnectionAccepted(BusConnection connection) implements Command {}

  private record AcceptFailed(Throwable cause) implements Command {}

  private record InboundReceived(long connection, List<InboundReader.Received> items,
                                 CompletableFuture<Void> ack) implements Command {}

  private record InboundEnded(long connection, Optional<Throwable> failure) implements Command {}

  private record WriterFinished(long connection, Optional<Throwable> failure) implements Command {}

  private record HandshakeTimeout(long connection) implements Command {}

  private record CloseTimeout(long connection) implements Command {}

  private record DropSummaryDue() implements Command {}

  private record RefusalWritten(Optional<Throwable> failure) implements Command {}

  private static final String HANDSHAKE_TIMER = "handshake";
  private static final String CLOSE_TIMER = "close";
  private static final String DROP_SUMMARY_TIMER = "drop-summary";
  /** Audit action of that summary. */
  public static final String AUDIT_OUTBOUND_DROPPED = "messages dropped";

  private final InstrumentId instrument;
  private final BusSocket.Owner owner;
  private final PeerCheck peerCheck;
  private final ChannelSettings settings;
  private final ActorRef<Event> listener;
  private final ActorRef<AuditLog.Command> auditLog;
  private final ActorRef<PermissionGate.Command> bus;
  private final TimerScheduler<Command> timers;
  private final FrameCodec codec;
  private final Executor io;

  private BusSocket socket;
  private Connection connection;
  private Optional<Frame.AcceptedConfig> welcomeConfig = Optional.empty();
  private long connectionSeq;
  private boolean stopping;
  private boolean deleteOnStop;
  private long framesIn;
  private long framesOut;
  private long errorsSent;
  private long outboundDropped;
  private long droppedSinceSummary;
  private final List<Frame> busFrames = new ArrayList<>();
  private long connections;
  private long refused;

  /**
   * Spawned by the {@code Instrument} actor, one per Instrument, before its container starts (wait for
   * {@link Listening}: the directory must exist to be bind-mounted).
   *
   * @param instrument whose socket this is; a {@code hello} must name it
   * @param owner host uid/gid of the Instrument's user in its container, owner of the directory and the socket
   * @param peerCheck decides whether a connecting process is the Instrument ({@link PeerCheck#lxdContainer})
   * @param settings {@code sensor.channel}
   * @param listener gets every {@link Event}
   * @param auditLog records refused connections and false identity claims
   * @param bus gets the Instrument's bus frames ({@code send}, {@code publish}, {@code subscribe},
   *     {@code unsubscribe}) stamped with its identity, and is told when it attaches and detaches
   */
  public static Behavior<Command> create(InstrumentId instrument, BusSocket.Owner owner, PeerCheck peerCheck,
                                         ChannelSettings settings, ActorRef<Event> listener,
                                         ActorRef<AuditLog.Command> auditLog, ActorRef<PermissionGate.Command> bus) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new InstrumentChannel(ctx, timers, instrument, owner, peerCheck, settings, listener, auditLog, bus)
            .starting()));
  }

  private InstrumentChannel(ActorContext<Command> ctx, TimerScheduler<Command> timers, InstrumentId instrument,
                            BusSocket.Owner owner, PeerCheck peerCheck, ChannelSettings settings,
                            ActorRef<Event> listener, ActorRef<AuditLog.Command> auditLog,
                            ActorRef<PermissionGate.Command> bus) {
    super(ctx);
    this.bus = Objects.requireNonNull(bus, "bus");
    this.instrument = Objects.requireNonNull(instrument, "instrument");
    this.owner = Objects.requireNonNull(owner, "owner");
    this.peerCheck = Objects.requireNonNull(peerCheck, "peerCheck");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.auditLog = Objects.requireNonNull(auditLog, "auditLog");
    this.timers = timers;
    this.codec = FrameCodec.withLimits(settings.frameLimits());
    this.io = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(settings.ioDispatcher()));
    ActorRef<Command> self = ctx.getSelf();
    BusSocket.Listener accepts = new BusSocket.Listener() {
      @Override
      public void accepted(BusConnection accepted) {
        // If this actor has stopped meanwhile the message goes to dead letters; junixsocket's cleaner then closes
        // the descriptor when the connection is collected.
        self.tell(new ConnectionAccepted(accepted));
      }

      @Override
      public void acceptFailed(Throwable cause) {
        self.tell(new AcceptFailed(cause));
      }
    };
    CompletableFuture<BusSocket> opened = CompletableFuture.supplyAsync(() -> {
      try {
        return BusSocket.open(settings.runtimeRoot(), instrument, owner, accepts, settings.acceptRetryDelay());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, io);
    ctx.pipeToSelf(opened, (s, error) -> error == null ? new SocketOpened(s) : new SocketFailed(unwrap(error)));
  }

  // ---- starting: the socket is being prepared; handlers return Behaviors.same() to stay here ----

  private Behavior<Command> starting() {
    return newReceiveBuilder()
        .onMessage(SocketOpened.class, this::onSocketOpened)
        .onMessage(SocketFailed.class, this::onSocketFailed)
        .onMessage(Outbound.class, this::onOutbound)
        .onMessage(OutboundAll.class, this::onOutboundAll)
        .onMessage(SetWelcomeConfig.class, this::onSetWelcomeConfig)
        .onMessage(Disconnect.class, this::onDisconnect)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(Stop.class, stop -> onStop(false))
        .onMessage(Delete.class, delete -> onStop(true))
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onSocketOpened(SocketOpened opened) {
    socket = opened.socket();
    if (stopping) {
      return Behaviors.stopped();
    }
    socket.startAccepting();
    getContext().getLog().info("instrument {}: control channel listening on {}", instrument, socket.socketPath());
    listener.tell(new Listening(instrument, socket.directory()));
    return this; // listening: createReceive
  }

  private Behavior<Command> onSocketFailed(SocketFailed failed) {
    String reason = "cannot open the control socket: " + failed.cause().getMessage();
    getContext().getLog().error("instrument {}: {}", instrument, reason, failed.cause());
    listener.tell(new Failed(instrument, reason));
    return Behaviors.stopped();
  }

  // ---- listening: the socket accepts; at most one connection ----

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ConnectionAccepted.class, this::onConnectionAccepted)
        .onMessage(AcceptFailed.class, this::onAcceptFailed)
        .onMessage(InboundReceived.class, this::onInboundReceived)
        .onMessage(InboundEnded.class, this::onInboundEnded)
        .onMessage(WriterFinished.class, this::onWriterFinished)
        .onMessage(HandshakeTimeout.class, this::onHandshakeTimeout)
        .onMessage(CloseTimeout.class, this::onCloseTimeout)
        .onMessage(DropSummaryDue.class, this::onDropSummaryDue)
        .onMessage(RefusalWritten.class, this::onRefusalWritten)
        .onMessage(Outbound.class, this::onOutbound)
        .onMessage(OutboundAll.class, this::onOutboundAll)
        .onMessage(SetWelcomeConfig.class, this::onSetWelcomeConfig)
        .onMessage(Disconnect.class, this::onDisconnect)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(Stop.class, stop -> onStop(false))
        .onMessage(Delete.class, delete -> onStop(true))
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onConnectionAccepted(ConnectionAccepted accepted) {
    BusConnection bus = accepted.connection();
    PeerIdentity peer = bus.peer();
    connections++;
    Optional<String> refusal = peerCheck.refusal(peer);
    if (refusal.isPresent()) {
      audit(AUDIT_CONNECTION_REFUSED, refusal.get() + "; " + peer.describe());
      refuse(bus, "identity-mismatch: " + refusal.get(), Frame.Error.of(ErrorCode.IDENTITY_MISMATCH,
          "this socket belongs to Instrument " + instrument + ", and the connecting process is not part of it",
          Optional.empty()));
    } else if (stopping) {
      refuse(bus, "the channel is stopping", bye("platform stopping"));
    } else if (connection != null) {
      refuse(bus, "already-connected", Frame.Error.of(ErrorCode.NOT_READY,
          "Instrument " + instrument + " already has an open connection", Optional.empty()));
    } else {
      open(bus);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onAcceptFailed(AcceptFailed failed) {
    getContext().getLog().warn("instrument {}: accept failed, retrying: {}", instrument, failed.cause().toString());
    return Behaviors.same();
  }

  private Behavior<Command> onInboundReceived(InboundReceived received) {
    Connection c = current(received.connection());
    for (InboundReader.Received item : received.items()) {
      if (c == null || c.closing) {
        break;  // what came after a fatal frame (or a bye) is not read
      }
      framesIn++;
      switch (item) {
        case InboundReader.Oversized oversized -> closeWith(c, Optional.of(Frame.Error.of(ErrorCode.FRAME_TOO_LARGE,
            "frame is longer than the limit of " + oversized.limit() + " bytes", Optional.empty())),
            ErrorCode.FRAME_TOO_LARGE.wireName());
        case InboundReader.Line(DecodeResult.Rejected rejected) when rejected.fatal() ->
            closeWith(c, Optional.of(rejected.toErrorFrame()), rejected.code().wireName());
        case InboundReader.Line(DecodeResult.Rejected rejected) -> answerError(c, rejected.toErrorFrame());
        case InboundReader.Line(DecodeResult.Decoded decoded) -> onFrame(c, decoded.frame());
      }
    }
    if (!busFrames.isEmpty()) {
      bus.tell(new PermissionGate.FromInstrument(instrument, List.copyOf(busFrames), getContext().getSelf()));
      busFrames.clear();
    }
    // Always acknowledged, even for a connection being closed, so its reader goes on until the socket closes.
    received.ack().complete(null);
    return Behaviors.same();
  }

  private void onFrame(Connection c, Frame frame) {
    if (frame instanceof Frame.Bye bye) {
      closeWith(c, Optional.empty(), bye.reason().isEmpty() ? "bye" : "bye: " + bye.reason());
    } else if (frame instanceof Frame.Error error) {
      // Never answered. Before the handshake there is nobody to tell; afterwards the parent sent what it refers to.
      if (c.phase == Phase.READY) {
        listener.tell(new Inbound(instrument, error));
      } else {
        getContext().getLog().debug("instrument {}: error before hello: {}", instrument, error);
      }
    } else if (c.phase == Phase.HANDSHAKE) {
      if (frame instanceof Frame.Hello hello) {
        handshake(c, hello);
      } else {
        answerError(c, Frame.Error.of(ErrorCode.NOT_READY, "send hello first", frame.correlationId()));
      }
    } else if (frame instanceof Frame.Hello hello) {
      answerError(c, Frame.Error.of(ErrorCode.UNEXPECTED_FRAME, "the handshake is done: a second hello is refused",
          hello.correlationId()));
    } else if (!frame.type().sentBy(Peer.INSTRUMENT)) {
      answerError(c, Frame.Error.of(ErrorCode.UNEXPECTED_FRAME,
          "'" + frame.type().wireName() + "' is sent by the platform only", frame.correlationId()));
    } else if (isBusFrame(frame)) {
      busFrames.add(frame);  // handed to the gate together at the end of this batch
    } else {
      listener.tell(new Inbound(instrument, frame));
    }
  }

  private static boolean isBusFrame(Frame frame) {
    return frame instanceof Frame.Send || frame instanceof Frame.Publish || frame instanceof Frame.Subscribe
        || frame instanceof Frame.Unsubscribe;
  }

  private void handshake(Connection c, Frame.Hello hello) {
    if (!hello.instrument().equals(instrument)) {
      audit(AUDIT_IDENTITY_CLAIMED, "hello claimed to be Instrument " + hello.instrument() + " on the socket of "
          + instrument + "; " + c.peer.describe());
      closeWith(c, Optional.of(Frame.Error.of(ErrorCode.IDENTITY_MISMATCH,
          "this socket belongs to Instrument " + instrument + ", not " + hello.instrument(), hello.correlationId())),
          ErrorCode.IDENTITY_MISMATCH.wireName() + ": hello claimed " + hello.instrument());
      return;
    }
    OptionalInt version = Handshake.negotiate(hello.versions(), Handshake.SUPPORTED_VERSIONS);
    if (version.isEmpty()) {
      closeWith(c, Optional.of(Handshake.unsupported(hello, Handshake.SUPPORTED_VERSIONS)),
          ErrorCode.UNSUPPORTED_VERSION.wireName() + ": hello offered " + hello.versions());
      return;
    }
    timers.cancel(HANDSHAKE_TIMER);
    c.phase = Phase.READY;
    c.version = version;
    enqueue(c, new Frame.Welcome(hello.id(), version.getAsInt(), instrument, welcomeConfig));
    getContext().getLog().info("instrument {}: connected, protocol {}, {}, {}", instrument, version.getAsInt(),
        hello.software(), c.peer.describe());
    listener.tell(new Connected(instrument, version.getAsInt(), c.peer, hello.software()));
    bus.tell(new PermissionGate.Attach(instrument, getContext().getSelf()));
  }

  private Behavior<Command> onInboundEnded(InboundEnded ended) {
    Connection c = current(ended.connection());
    if (c == null || c.closing) {
      return Behaviors.same(); // closing the socket ends the read: the writer decides when the connection is over
    }
    if (ended.failure().isEmpty()) {
      return finish(c, "the Instrument closed the connection");
    }
    Throwable cause = ended.failure().get();
    if (cause instanceof IOException) {
      // A reset when the Instrument dies with unread data: a disconnect, not an error (protocol section 7).
      return finish(c, "connection lost: " + cause.getMessage());
    }
    getContext().getLog().warn("instrument {}: the inbound stream failed", instrument, cause);
    return finish(c, "inbound stream failed: " + cause);
  }

  private Behavior<Command> onWriterFinished(WriterFinished finished) {
    Connection c = current(finished.connection());
    if (c == null) {
      return Behaviors.same();
    }
    if (c.closing) {
      return finish(c, c.closeReason);
    }
    String reason = finished.failure().map(cause -> "write failed: " + cause).orElse("the writer ended");
    getContext().getLog().warn("instrument {}: {}", instrument, reason);
    return finish(c, reason);
  }

  private Behavior<Command> onHandshakeTimeout(HandshakeTimeout timeout) {
    Connection c = current(timeout.connection());
    if (c != null && c.phase == Phase.HANDSHAKE && !c.closing) {
      closeWith(c, Optional.of(bye("no hello within " + settings.handshakeTimeout().toMillis() + " ms")),
          "handshake-timeout");
    }
    return Behaviors.same();
  }

  private Behavior<Command> onCloseTimeout(CloseTimeout timeout) {
    Connection c = current(timeout.connection());
    if (c == null) {
      return Behaviors.same();
    }
    getContext().getLog().info("instrument {}: the last frames were not flushed within {}; closing anyway",
        instrument, settings.closeTimeout());
    return finish(c, c.closeReason);
  }

  private Behavior<Command> onRefusalWritten(RefusalWritten written) {
    written.failure().ifPresent(cause ->
        getContext().getLog().debug("instrument {}: refusal not delivered: {}", instrument, cause.toString()));
    return Behaviors.same();
  }

  // ---- commands from the parent ----

  private Behavior<Command> onOutbound(Outbound outbound) {
    outbound(outbound.frame());
    flushCurrent();
    return Behaviors.same();
  }

  /** A batch (the gate's output for one of its inputs) is queued whole, then written in one gathering write. */
  private Behavior<Command> onOutboundAll(OutboundAll all) {
    all.frames().forEach(this::outbound);
    flushCurrent();
    return Behaviors.same();
  }

  private void flushCurrent() {
    if (connection != null) {
      flush(connection);
    }
  }

  /** Queues one frame from the parent or the gate, or drops and counts it; the caller flushes. */
  private void outbound(Frame frame) {
    Connection c = connection;
    if (c == null || c.phase != Phase.READY || c.closing) {
      outboundDropped++;
      getContext().getLog().debug("instrument {}: not connected, dropped {}", instrument, frame.type().wireName());
    } else if (!frame.type().sentBy(Peer.PLATFORM) || frame.type() == FrameType.WELCOME) {
      outboundDropped++;
      getContext().getLog().warn("instrument {}: the channel does not send '{}' for its parent", instrument,
          frame.type().wireName());
    } else if (frame instanceof Frame.Bye bye) {
      closeWith(c, Optional.of(bye), bye.reason().isEmpty() ? "bye" : "bye: " + bye.reason());
    } else {
      queue(c, frame);
    }
  }

  private Behavior<Command> onSetWelcomeConfig(SetWelcomeConfig set) {
    welcomeConfig = set.config();
    return Behaviors.same();
  }

  private Behavior<Command> onDisconnect(Disconnect disconnect) {
    Connection c = connection;
    if (c != null && !c.closing) {
      String reason = disconnect.reason() == null ? "" : disconnect.reason();
      closeWith(c, Optional.of(bye(reason)), reason.isEmpty() ? "disconnected by the platform" : reason);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onGetStatus(GetStatus query) {
    Connection c = connection;
    Phase phase = socket == null ? Phase.STARTING
        : c == null ? Phase.IDLE
        : c.closing ? Phase.CLOSING
        : c.phase;
    query.replyTo().tell(new Status(instrument, phase, Optional.ofNullable(socket).map(BusSocket::socketPath),
        Optional.ofNullable(c).map(x -> x.peer), c == null ? OptionalInt.empty() : c.version,
        framesIn, framesOut + (c == null ? 0 : c.writer.written()), errorsSent, outboundDropped, connections,
        refused));
    return Behaviors.same();
  }

  private Behavior<Command> onStop(boolean delete) {
    stopping = true;
    deleteOnStop |= delete;
    if (socket == null) {
      return Behaviors.same(); // still starting: stops once the socket is there, so it can be closed
    }
    Connection c = connection;
    if (c == null) {
      return Behaviors.stopped();
    }
    if (!c.closing) {
      closeWith(c, Optional.of(bye("platform stopping")), "platform stopping");
    }
    return Behaviors.same();
  }

  private Behavior<Command> onPostStop() {
    if (connection != null) {
      connection.writer.stop();
      connection.bus.close();
      connection = null;
    }
    if (socket != null) {
      // A few file-system calls while stopping: the socket must not outlive the actor.
      if (deleteOnStop) {
        try {
          socket.delete();
        } catch (IOException e) {
          getContext().getLog().warn("instrument {}: cannot remove {}: {}", instrument, socket.directory(),
              e.toString());
        }
      } else {
        socket.close();
      }
    }
    return Behaviors.same();
  }

  // ---- one connection ----

  /** Per-connection state; only this actor touches it. The handshake phase is data: it changes inside one message. */
  private static final class Connection {
    final long id;
    final BusConnection bus;
    final PeerIdentity peer;
    /** Writes what {@link #flush} hands it, on its own io thread; holds the bounded queue. */
    final OutboundWriter writer;
    /** Frames encoded while handling the current message, handed to the writer together by {@link #flush}. */
    final List<ByteString> staged = new ArrayList<>();
    final ArrayDeque<Long> errorTimes = new ArrayDeque<>();
    Phase phase = Phase.HANDSHAKE;
    OptionalInt version = OptionalInt.empty();
    boolean endSent;
    boolean closing;
    String closeReason = "";

    Connection(long id, BusConnection bus, OutboundWriter writer) {
      this.id = id;
      this.bus = bus;
      this.peer = bus.peer();
      this.writer = writer;
    }
  }

  private void open(BusConnection bus) {
    long id = ++connectionSeq;
    ActorRef<Command> self = getContext().getSelf();
    io.execute(new InboundReader(bus, codec, settings.inboundBytesPerSecond(), settings.inboundByteBurst(),
        settings.inboundFramesPerSecond(), settings.inboundFrameBurst(), settings.readChunkBytes(),
        new InboundReader.Owner() {
          @Override
          public void received(List<InboundReader.Received> items, CompletableFuture<Void> ack) {
            self.tell(new InboundReceived(id, items, ack));
          }

          @Override
          public void ended(Optional<Throwable> failure) {
            self.tell(new InboundEnded(id, failure));
          }
        }));
    OutboundWriter writer = new OutboundWriter(bus, settings.outboundQueueSize(), settings.outboundQueueBytes(),
        failure -> self.tell(new WriterFinished(id, failure)));
    io.execute(writer);
    connection = new Connection(id, bus, writer);
    timers.startSingleTimer(HANDSHAKE_TIMER, new HandshakeTimeout(id), settings.handshakeTimeout());
    getContext().getLog().debug("instrument {}: connection {} from {}", instrument, id, bus.peer().describe());
  }

  private Connection current(long id) {
    Connection c = connection;
    return c != null && c.id == id ? c : null;
  }

  /** Answers a bad frame, unless this connection has had its share of errors: then rate-limited, and close. */
  private void answerError(Connection c, Frame.Error error) {
    long now = System.nanoTime();
    long windowNanos = settings.errorWindow().toNanos();
    while (!c.errorTimes.isEmpty() && now - c.errorTimes.peekFirst() > windowNanos) {
      c.errorTimes.removeFirst();
    }
    if (c.errorTimes.size() >= settings.maxErrorFrames()) {
      closeWith(c, Optional.of(Frame.Error.of(ErrorCode.RATE_LIMITED, "more than " + settings.maxErrorFrames()
          + " errors within " + describe(settings.errorWindow()) + ": closing", error.re())),
          ErrorCode.RATE_LIMITED.wireName());
      return;
    }
    c.errorTimes.addLast(now);
    errorsSent++;
    enqueue(c, error);
  }

  /** Sends {@code last} (if any) after what is queued, then closes; frames from the Instrument are ignored. */
  private void closeWith(Connection c, Optional<Frame> last, String reason) {
    if (c.closing) {
      return;
    }
    last.ifPresent(frame -> {
      if (frame instanceof Frame.Error) {
        errorsSent++;
      }
      enqueue(c, frame);
    });
    c.closing = true;
    c.closeReason = reason;
    timers.cancel(HANDSHAKE_TIMER);
    timers.startSingleTimer(CLOSE_TIMER, new CloseTimeout(c.id), settings.closeTimeout());
    flush(c);
  }

  /** The connection is over: close it, tell the parent, and accept the next one (or stop). */
  private Behavior<Command> finish(Connection c, String reason) {
    outboundDropped += c.writer.stop() + c.staged.size();
    c.bus.close();  // a write in progress fails on the closed socket; the stopped writer does not answer
    framesOut += c.writer.written();
    timers.cancel(HANDSHAKE_TIMER);
    timers.cancel(CLOSE_TIMER);
    connection = null;
    if (c.phase == Phase.READY) {
      getContext().getLog().info("instrument {}: disconnected: {}", instrument, reason);
      listener.tell(new Disconnected(instrument, reason));
      bus.tell(new PermissionGate.Detach(instrument, getContext().getSelf()));
    } else {
      refused++;
      getContext().getLog().info("instrument {}: connection closed before the handshake completed: {}", instrument,
          reason);
      listener.tell(new ConnectionRefused(instrument, reason, c.peer));
    }
    return stopping ? Behaviors.stopped() : Behaviors.same();
  }

  /** Refuses a connection that never gets a stream: one frame, then closed, off this actor's thread. */
  private void refuse(BusConnection bus, String reason, Frame answer) {
    refused++;
    getContext().getLog().info("instrument {}: refused a connection ({}): {}", instrument, reason,
        bus.peer().describe());
    listener.tell(new ConnectionRefused(instrument, reason, bus.peer()));
    byte[] bytes = codec.encode(answer);
    CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
      try (bus) {
        bus.write(List.of(ByteBuffer.wrap(bytes)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, io);
    getContext().pipeToSelf(written, (ok, error) -> new RefusalWritten(Optional.ofNullable(error)));
  }

  private void enqueue(Connection c, Frame frame) {
    queue(c, frame);
    flush(c);
  }

  /** Encodes {@code frame} for the bounded outbound queue; the caller flushes. */
  private void queue(Connection c, Frame frame) {
    byte[] bytes;
    try {
      bytes = codec.encode(frame);
    } catch (IllegalArgumentException e) {
      outboundDropped++;
      getContext().getLog().warn("instrument {}: dropped an outbound '{}': {}", instrument, frame.type().wireName(),
          e.getMessage());
      return;
    }
    c.staged.add(ByteString.fromArrayUnsafe(bytes));
  }

  /**
   * Hands what was encoded to the connection's writer, whose queue drops the oldest frames over its bounds (counted
   * here); when closing, asks the writer to finish once everything is written (its {@link WriterFinished} ends the
   * connection).
   */
  private void flush(Connection c) {
    if (!c.staged.isEmpty()) {
      int dropped = c.writer.offer(c.staged);
      c.staged.clear();
      if (dropped > 0) {
        if (outboundDropped == 0) {
          getContext().getLog().warn("instrument {}: outbound queue full, dropping the oldest frames", instrument);
        }
        if (droppedSinceSummary == 0) {
          timers.startSingleTimer(DROP_SUMMARY_TIMER, new DropSummaryDue(), settings.dropSummaryInterval());
        }
        outboundDropped += dropped;
        droppedSinceSummary += dropped;
      }
    }
    if (c.closing && !c.endSent) {
      c.endSent = true;
      c.writer.end();
    }
  }

  private Behavior<Command> onDropSummaryDue(DropSummaryDue due) {
    auditLog.tell(new AuditLog.Record(AuditRequest.of(Principal.platform(), AUDIT_OUTBOUND_DROPPED,
            AuditKind.MESSAGE, Outcome.FAILED, droppedSinceSummary + " frames for " + instrument + " dropped in "
                + settings.dropSummaryInterval().toMillis() + " ms: it does not read as fast as it is sent to (slow consumer); "
                + outboundDropped + " since the channel opened").aboutInstrument(instrument),
        getContext().getSystem().ignoreRef()));
    droppedSinceSummary = 0;
    return Behaviors.same();
  }

  private void audit(String action, String detail) {
    auditLog.tell(new AuditLog.Record(
        AuditRequest.of(Principal.instrument(instrument), action, AuditKind.ACCESS, Outcome.DENIED, detail)
            .aboutInstrument(instrument),
        getContext().getSystem().ignoreRef()));
  }

  /** A bye whose reason fits the protocol's text rule, whatever the caller passed. */
  private static Frame.Bye bye(String reason) {
    try {
      return new Frame.Bye(reason);
    } catch (IllegalArgumentException e) {
      return new Frame.Bye("");
    }
  }

  private static String describe(Duration duration) {
    return duration.toSeconds() > 0 && duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return t instanceof UncheckedIOException && t.getCause() != null ? t.getCause() : t;
  }
}
