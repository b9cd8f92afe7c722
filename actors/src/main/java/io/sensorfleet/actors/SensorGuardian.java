package io.sensorfleet.actors;

import io.sensorfleet.actors.bus.PermissionGate;
import io.sensorfleet.actors.bus.PolicyStore;
import io.sensorfleet.actors.capture.CaptureControl;
import io.sensorfleet.actors.capture.CaptureSupervisor;
import io.sensorfleet.actors.capture.CaptureSupervisorSettings;
import io.sensorfleet.actors.channel.ChannelSettings;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.actors.instrument.InstrumentSettings;
import io.sensorfleet.actors.resource.ResourceDistributor;
import io.sensorfleet.actors.resource.ResourceSettings;
import io.sensorfleet.actors.user.UserDirectory;
import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditReadSide;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.JournalSchema;
import io.sensorfleet.core.network.NetworkProvisioner;
import io.sensorfleet.core.runtime.ContainerRuntime;
import io.sensorfleet.core.storage.InstrumentStorage;
import io.sensorfleet.events.UserEventLog;
import io.sensorfleet.events.UserEventStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * The root of the sensor's actor tree. It prepares the journal, owns the {@link AuditLog} and its read side,
 * the Instrument registry, the bus (permission gate, policy store, user-event log) and the Capture Engine's supervisor.
 *
 * <p>While the journal schema is being prepared the guardian is {@code starting} and stashes every command;
 * once it answers a {@link GetStatus}, everything below it is ready.
 */
public final class SensorGuardian extends AbstractBehavior<SensorGuardian.Command> {

  public sealed interface Command {}

  /** Asks for the sensor's status; answered once the sensor is running (stashed while starting). */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** Records an audit entry on behalf of a caller outside the actor tree (Main, HTTP); replies the stored entry. */
  public record RecordAudit(AuditRequest request, ActorRef<AuditEntry> replyTo) implements Command {}

  /** Lists every Instrument's latest status (answered by the registry). */
  public record GetInstruments(ActorRef<List<Instrument.Status>> replyTo) implements Command {}

  /** An operator command for the Instrument registry, passed through unchanged. */
  public record ToInstruments(InstrumentRegistry.Command command) implements Command {}

  /** A command for the bus permission policy (get, replace, grant, revoke), passed through unchanged. */
  public record ToPolicy(PolicyStore.Command command) implements Command {}

  /** A command for the network allowlist (get, set), passed through unchanged. */
  public record ToNetwork(io.sensorfleet.actors.network.NetworkStore.Command command) implements Command {}

  /** A command for the permission gate (check, stats), passed through unchanged. */
  public record ToBus(PermissionGate.Command command) implements Command {}

  /** A command for the Capture Engine's supervisor (stats), passed through unchanged. */
  public record ToCapture(CaptureSupervisor.Command command) implements Command {}

  /** A command for Fleet Management's user directory, passed through unchanged. */
  public record ToUsers(UserDirectory.Command command) implements Command {}

  /** The sensor's own view of itself, for the health endpoint. */
  public record Status(String name, Phase phase, Instant startedAt) {}

  public enum Phase { STARTING, RUNNING }

  private record SchemaReady() implements Command {}

  private record SchemaFailed(Throwable cause) implements Command {}

  private static final int STASH_CAPACITY = 1_000;
  private static final int USER_EVENT_BUFFER = 10_000;
  private static final Duration USER_EVENT_RETRY = Duration.ofSeconds(2);

  private final SensorSettings settings;
  private final Clock clock;
  private final StashBuffer<Command> stash;
  private final Instant startedAt;
  private final ContainerRuntime runtime;
  private final NetworkProvisioner network;
  private final InstrumentStorage storage;
  private final CaptureControl captureControl;
  private ActorRef<AuditLog.Command> auditLog;
  private ActorRef<CaptureSupervisor.Command> capture;
  private ActorRef<InstrumentRegistry.Command> instruments;
  private ActorRef<PermissionGate.Command> bus;
  private ActorRef<PolicyStore.Command> policy;
  private ActorRef<io.sensorfleet.actors.network.NetworkStore.Command> networkStore;
  private ActorRef<UserDirectory.Command> users;

  /**
   * Spawned once, as the actor system's guardian, by {@code Main} (and by tests).
   *
   * @param settings the {@code sensor} config
   * @param clock    stamps audit entries and the start time
   * @param runtime  the container manager every Instrument's container lives in (LXD in production)
   * @param network  gives Instruments the network their manifest asks for, within the sensor config's allowlist
   * @param storage  each Instrument's encrypted, size-limited persistent storage and its transient storage
   * @param capture  starts the Capture Engine's own process (the engine passive Instruments get their branch of)
   */
  public static Behavior<Command> create(SensorSettings settings, Clock clock, ContainerRuntime runtime,
                                        NetworkProvisioner network, InstrumentStorage storage,
                                        CaptureControl capture) {
    return Behaviors.withStash(STASH_CAPACITY, stash -> Behaviors.setup(ctx ->
        new SensorGuardian(ctx, settings, clock, runtime, network, storage, capture, stash)));
  }

  private SensorGuardian(ActorContext<Command> ctx, SensorSettings settings, Clock clock, ContainerRuntime runtime,
                         NetworkProvisioner network, InstrumentStorage storage, CaptureControl capture,
                         StashBuffer<Command> stash) {
    super(ctx);
    this.captureControl = capture;
    this.runtime = runtime;
    this.network = network;
    this.storage = storage;
    this.settings = settings;
    this.clock = clock;
    this.stash = stash;
    this.startedAt = clock.instant();
    ctx.pipeToSelf(JournalSchema.ensure(ctx.getSystem()),
        (done, error) -> error == null ? new SchemaReady() : new SchemaFailed(error));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(SchemaReady.class, this::onSchemaReady)
        .onMessage(SchemaFailed.class, this::onSchemaFailed)
        .onAnyMessage(this::stashWhileStarting)
        .build();
  }

  private Behavior<Command> stashWhileStarting(Command command) {
    if (stash.isFull()) {
      getContext().getLog().warn("sensor still starting: dropped {}", command.getClass().getSimpleName());
    } else {
      stash.stash(command);
    }
    return this;
  }

  private Behavior<Command> onSchemaReady(SchemaReady ready) {
    auditLog = getContext().spawn(AuditLog.create(clock), "audit-log");
    getContext().spawn(AuditReadSide.create(), "audit-read-side");
    var config = getContext().getSystem().settings().config();
    var userEvents = getContext().spawn(UserEventLog.create(UserEventStore.create(getContext().getSystem()),
        USER_EVENT_BUFFER, USER_EVENT_RETRY), "user-events");
    bus = getContext().spawn(PermissionGate.create(auditLog, userEvents, clock), "bus",
        DispatcherSelector.fromConfig(ChannelSettings.BUS_DISPATCHER));
    policy = getContext().spawn(PolicyStore.create(bus, auditLog, clock), "permission-policy");
    capture = getContext().spawn(CaptureSupervisor.create(CaptureSupervisorSettings.from(config), captureControl,
        network, auditLog, clock), "capture");
    networkStore = getContext().spawn(io.sensorfleet.actors.network.NetworkStore.create(network, auditLog, clock),
        "network-allowlist");
    instruments = getContext().spawn(InstrumentRegistry.create(new Instrument.Deps(runtime, network, storage,
        InstrumentSettings.from(config), ChannelSettings.from(config), auditLog, bus,
        getContext().getSystem().ignoreRef(), clock, capture)), "instruments");
    users = getContext().spawn(UserDirectory.create(auditLog, clock), "users");
    getContext().spawn(ResourceDistributor.create(ResourceSettings.from(config), instruments, bus, runtime, auditLog),
        "resources");
    getContext().getLog().info("sensor '{}' running", settings.name());
    return stash.unstashAll(running());
  }

  private Behavior<Command> onSchemaFailed(SchemaFailed failed) {
    // Without a journal the sensor cannot record what it does: stopping is the only safe answer.
    throw new IllegalStateException("cannot prepare the audit journal: " + failed.cause().getMessage(), failed.cause());
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(RecordAudit.class, this::onRecordAudit)
        .onMessage(GetInstruments.class, query -> {
          instruments.tell(new InstrumentRegistry.GetInstruments(query.replyTo()));
          return Behaviors.same();
        })
        .onMessage(ToInstruments.class, command -> {
          instruments.tell(command.command());
          return Behaviors.same();
        })
        .onMessage(ToPolicy.class, command -> {
          policy.tell(command.command());
          return Behaviors.same();
        })
        .onMessage(ToNetwork.class, command -> {
          networkStore.tell(command.command());
          return Behaviors.same();
        })
        .onMessage(ToBus.class, command -> {
          bus.tell(command.command());
          return Behaviors.same();
        })
        .onMessage(ToCapture.class, command -> {
          capture.tell(command.command());
          return Behaviors.same();
        })
        .onMessage(ToUsers.class, command -> {
          users.tell(command.command());
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onGetStatus(GetStatus query) {
    query.replyTo().tell(new Status(settings.name(), Phase.RUNNING, startedAt));
    return Behaviors.same();
  }

  private Behavior<Command> onRecordAudit(RecordAudit command) {
    auditLog.tell(new AuditLog.Record(command.request(), command.replyTo()));
    return Behaviors.same();
  }
}
