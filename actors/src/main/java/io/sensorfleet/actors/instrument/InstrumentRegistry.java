package io.sensorfleet.actors.instrument;

import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.JsonSerializable;
import io.sensorfleet.core.manifest.InstrumentManifest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.pekko.actor.DeadLetterSuppression;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The parent of every {@link Instrument}: remembers (event-sourced) which Instruments are installed, spawns one
 * {@code Instrument} per id (again after a sensor restart, which then reconciles its container), routes
 * operator commands to them, and keeps their latest {@link Instrument.Status} for listing (each also published on
 * {@link #STATUS_TOPIC} for live viewers).
 *
 * <p>Installs run one at a time: LXD 5.0.2 hands out overlapping uid ranges when isolated containers are created
 * concurrently (docs/lxd-setup.md), and each Instrument's isolation rests on its own range.
 */
public final class InstrumentRegistry
    extends EventSourcedBehaviorWithEnforcedReplies<InstrumentRegistry.Command, InstrumentRegistry.Event,
        InstrumentRegistry.State> {

  public sealed interface Command {}

  /** Installs a new Instrument; replies its status once its container exists, or an error. */
  public record Install(InstrumentManifest manifest, Principal by, ActorRef<StatusReply<Instrument.Status>> replyTo)
      implements Command {}

  /** Starts an installed Instrument; replies once it said hello. */
  public record Start(InstrumentId id, Principal by, ActorRef<StatusReply<Instrument.Status>> replyTo)
      implements Command {}

  /** Stops an installed Instrument. */
  public record Stop(InstrumentId id, Principal by, ActorRef<StatusReply<Instrument.Status>> replyTo)
      implements Command {}

  /** Removes an Instrument; {@code purge} also deletes its persistent storage. */
  public record Remove(InstrumentId id, boolean purge, Principal by,
                       ActorRef<StatusReply<Instrument.Status>> replyTo) implements Command {}

  /** Moves an Instrument to another image, keeping its storage, configuration and record. */
  public record ChangeImage(InstrumentId id, io.sensorfleet.core.manifest.ImageAlias image, Principal by,
                            ActorRef<StatusReply<Instrument.Status>> replyTo) implements Command {}

  /** Sets an Instrument's retention period ({@link Instrument.SetRetention}). */
  public record SetRetention(InstrumentId id, java.time.Duration retention, Principal by,
                             ActorRef<StatusReply<Instrument.Status>> replyTo) implements Command {}

  /** Sets a new configuration version of an Instrument. */
  public record SetConfig(InstrumentId id, String json, Principal by,
                          ActorRef<StatusReply<InstrumentJournal.ConfigVersion>> replyTo) implements Command {}

  /** Sets a new configuration version with the content of an earlier one. */
  public record RollbackConfig(InstrumentId id, long version, Principal by,
                               ActorRef<StatusReply<InstrumentJournal.ConfigVersion>> replyTo) implements Command {}

  /** An Instrument's configuration history. */
  public record GetConfigHistory(InstrumentId id,
                                 ActorRef<StatusReply<List<InstrumentJournal.ConfigVersion>>> replyTo)
      implements Command {}

  /** Lists every Instrument's latest status, sorted by id. */
  public record GetInstruments(ActorRef<List<Instrument.Status>> replyTo) implements Command {}

  private record StatusChanged(Instrument.Status status) implements Command {}

  private record InstallFinished(InstrumentId id, StatusReply<Instrument.Status> result,
                                 ActorRef<StatusReply<Instrument.Status>> replyTo) implements Command {}

  private record InstrumentGone(InstrumentId id) implements Command {}

  public sealed interface Event extends JsonSerializable {}

  public record InstrumentAdded(InstrumentId id) implements Event {}

  public record InstrumentDropped(InstrumentId id) implements Event {}

  /** The ids of installed (or installing) Instruments. */
  public record State(SortedSet<InstrumentId> ids) implements JsonSerializable {
    public State {
      ids = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(ids));
    }

    State with(InstrumentId id) {
      var next = new TreeSet<>(ids);
      next.add(id);
      return new State(next);
    }

    State without(InstrumentId id) {
      var next = new TreeSet<>(ids);
      next.remove(id);
      return new State(next);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final Class<StatusReply<Instrument.Status>> STATUS_REPLY = (Class) StatusReply.class;

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("instrument-registry");

  /**
   * The Topic name of Instrument status changes, for live viewers (the API's Instrument stream): spawn a
   * {@code Topic.create(StatusPublished.class, STATUS_TOPIC)} of your own and subscribe to it; Topic instances of
   * one name find each other through the receptionist. Every status an Instrument reports is published.
   */
  public static final String STATUS_TOPIC = "sf-instrument-status";

  /**
   * One Instrument's new status, on {@link #STATUS_TOPIC}. With nobody watching (no console open) the Topic drops
   * it to dead letters, which is expected: {@link DeadLetterSuppression} keeps that out of the log.
   */
  public record StatusPublished(Instrument.Status status) implements DeadLetterSuppression {}

  private final ActorContext<Command> ctx;
  private final Instrument.Deps template;
  private final Duration installTimeout;
  private final ActorRef<Topic.Command<StatusPublished>> statusTopic;
  // Actor-local bookkeeping (not persisted): children, their latest status, the install queue.
  private final Map<InstrumentId, ActorRef<Instrument.Command>> children = new HashMap<>();
  private final Map<InstrumentId, Instrument.Status> statuses = new HashMap<>();
  private final Queue<Install> pendingInstalls = new ArrayDeque<>();
  private Optional<InstrumentId> installing = Optional.empty();

  /**
   * Spawned by the {@code SensorGuardian}.
   *
   * @param deps what each Instrument gets; its {@code statusListener} is replaced by the registry
   */
  public static Behavior<Command> create(Instrument.Deps deps) {
    return Behaviors.setup(ctx -> new InstrumentRegistry(ctx, deps));
  }

  private InstrumentRegistry(ActorContext<Command> ctx, Instrument.Deps deps) {
    super(PERSISTENCE_ID, SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.ctx = ctx;
    ActorRef<Instrument.Status> statusAdapter = ctx.messageAdapter(Instrument.Status.class, StatusChanged::new);
    this.template = new Instrument.Deps(deps.runtime(), deps.network(), deps.storage(), deps.settings(),
        deps.channel(), deps.audit(), deps.bus(), statusAdapter, deps.clock(), deps.capture());
    this.installTimeout = deps.settings().helloTimeout().multipliedBy(4);
    this.statusTopic = ctx.spawn(Topic.create(StatusPublished.class, STATUS_TOPIC), "status-topic");
  }

  @Override
  public State emptyState() {
    return new State(new TreeSet<>());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> state.ids().forEach(this::spawn))
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Install.class, this::onInstall)
        .onCommand(InstallFinished.class, this::onInstallFinished)
        .onCommand(Start.class, (state, c) -> forward(c.id(), c.replyTo(), new Instrument.Start(c.by(), c.replyTo())))
        .onCommand(Stop.class, (state, c) -> forward(c.id(), c.replyTo(), new Instrument.Stop(c.by(), c.replyTo())))
        .onCommand(Remove.class, (state, c) -> forward(c.id(), c.replyTo(),
            new Instrument.Remove(c.purge(), c.by(), c.replyTo())))
        .onCommand(ChangeImage.class, (state, c) -> forward(c.id(), c.replyTo(),
            new Instrument.ChangeImage(c.image(), c.by(), c.replyTo())))
        .onCommand(SetRetention.class, (state, c) -> forward(c.id(), c.replyTo(),
            new Instrument.SetRetention(c.retention(), c.by(), c.replyTo())))
        .onCommand(SetConfig.class, (state, c) -> forward(c.id(), c.replyTo(),
            new Instrument.SetConfig(c.json(), c.by(), c.replyTo())))
        .onCommand(RollbackConfig.class, (state, c) -> forward(c.id(), c.replyTo(),
            new Instrument.RollbackConfig(c.version(), c.by(), c.replyTo())))
        .onCommand(GetConfigHistory.class, (state, c) -> forward(c.id(), c.replyTo(),
            new Instrument.GetConfigHistory(c.replyTo())))
        .onCommand(GetInstruments.class, (state, c) -> Effect().reply(c.replyTo(), statuses.values().stream()
            .sorted(Comparator.comparing(Instrument.Status::id)).toList()))
        .onCommand(StatusChanged.class, (state, c) -> {
          statuses.put(c.status().id(), c.status());
          statusTopic.tell(Topic.publish(new StatusPublished(c.status())));
          return Effect().noReply();
        })
        .onCommand(InstrumentGone.class, this::onInstrumentGone)
        .build();
  }

  private ReplyEffect<Event, State> onInstall(State state, Install install) {
    InstrumentId id = install.manifest().id();
    boolean queued = pendingInstalls.stream().anyMatch(p -> p.manifest().id().equals(id));
    if (state.ids().contains(id) || queued) {
      return Effect().reply(install.replyTo(), StatusReply.error(id + " is already installed"));
    }
    if (id.equals(io.sensorfleet.actors.bus.PermissionGate.PLATFORM)) {
      return Effect().reply(install.replyTo(), StatusReply.error(
          "'" + id + "' is reserved: it is the platform's own address on the bus"));
    }
    if (installing.isPresent()) {
      pendingInstalls.add(install);
      return Effect().noReply();
    }
    // The sensor config says which bridges and interfaces Instruments may use; a dedicated one has one holder.
    var held = statuses.values().stream().filter(s -> !s.id().equals(id))
        .flatMap(s -> s.manifest().flatMap(m -> io.sensorfleet.core.network.NetworkClaim.of(s.id(), m.network()))
            .stream())
        .collect(java.util.stream.Collectors.toSet());
    if (template.network().allowlist().check(id, install.manifest().network(), held)
        instanceof io.sensorfleet.core.network.NetworkCheck.Refused refused) {
      template.audit().tell(new io.sensorfleet.audit.AuditLog.Record(io.sensorfleet.audit.AuditRequest.of(
          install.by(), "instrument install refused", io.sensorfleet.audit.AuditKind.NETWORK,
          io.sensorfleet.audit.Outcome.DENIED, refused.reason()).aboutInstrument(id), ctx.getSystem().ignoreRef()));
      return Effect().reply(install.replyTo(), StatusReply.error(id + ": " + refused.reason()));
    }
    if (install.manifest().network() instanceof io.sensorfleet.core.manifest.NetworkMode.Passive passive
        && !passive.filter().isBlank()) {
      // Compiled by libpcap now, so a filter it refuses never reaches a start; the message is libpcap's own.
      try {
        io.sensorfleet.capture.PacketFilter.compile(passive.filter());
      } catch (io.sensorfleet.capture.CaptureException e) {
        return Effect().reply(install.replyTo(), StatusReply.error(id + ": " + e.getMessage()));
      }
    }
    installing = Optional.of(id);
    return Effect().persist(new InstrumentAdded(id)).thenRun(s -> {
      ActorRef<Instrument.Command> child = spawn(id);
      ctx.ask(STATUS_REPLY, child, installTimeout,
          replyTo -> new Instrument.Install(install.manifest(), install.by(), replyTo),
          (result, error) -> new InstallFinished(id, result != null ? result
              : StatusReply.error("install timed out: " + error.getMessage()), install.replyTo()));
    }).thenNoReply();
  }

  private ReplyEffect<Event, State> onInstallFinished(State state, InstallFinished finished) {
    finished.replyTo().tell(finished.result());
    installing = Optional.empty();
    if (finished.result().isError()) {
      // Nothing was created: forget the id so it can be installed again.
      Optional.ofNullable(children.remove(finished.id())).ifPresent(ctx::stop);
      statuses.remove(finished.id());
      return Effect().persist(new InstrumentDropped(finished.id())).thenRun(s -> nextInstall()).thenNoReply();
    }
    nextInstall();
    return Effect().noReply();
  }

  private void nextInstall() {
    Install next = pendingInstalls.poll();
    if (next != null) {
      ctx.getSelf().tell(next);
    }
  }

  private ReplyEffect<Event, State> onInstrumentGone(State state, InstrumentGone gone) {
    children.remove(gone.id());
    statuses.remove(gone.id());
    if (!state.ids().contains(gone.id()) || installing.equals(Optional.of(gone.id()))) {
      return Effect().noReply();
    }
    return Effect().persist(new InstrumentDropped(gone.id())).thenNoReply();
  }

  private <T> ReplyEffect<Event, State> forward(InstrumentId id, ActorRef<StatusReply<T>> replyTo,
                                               Instrument.Command command) {
    ActorRef<Instrument.Command> child = children.get(id);
    if (child == null) {
      return Effect().reply(replyTo, StatusReply.error("unknown instrument " + id));
    }
    child.tell(command);
    return Effect().noReply();
  }

  private ActorRef<Instrument.Command> spawn(InstrumentId id) {
    ActorRef<Instrument.Command> child = ctx.spawn(
        Behaviors.supervise(Instrument.create(id, template))
            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofMinutes(1), 0.2)),
        "instrument-" + id.value());
    ctx.watchWith(child, new InstrumentGone(id));
    children.put(id, child);
    return child;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    var builder = newEventHandlerBuilder();
    builder.forAnyState()
        .onEvent(InstrumentAdded.class, (state, e) -> state.with(e.id()))
        .onEvent(InstrumentDropped.class, (state, e) -> state.without(e.id()));
    return builder.build();
  }
}
