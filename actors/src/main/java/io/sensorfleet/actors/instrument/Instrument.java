package io.sensorfleet.actors.instrument;

import io.sensorfleet.actors.bus.PermissionGate;
import io.sensorfleet.actors.capture.CaptureSupervisor;
import io.sensorfleet.actors.channel.BusSocket;
import io.sensorfleet.actors.channel.ChannelSettings;
import io.sensorfleet.actors.channel.InstrumentChannel;
import io.sensorfleet.actors.channel.PeerCheck;
import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.actors.instrument.InstrumentJournal.Desired;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ControlChannel;
import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.ImageAlias;
import io.sensorfleet.core.network.NetworkProvisioner;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.runtime.ExecRequest;
import io.sensorfleet.core.storage.InstrumentStorage;
import io.sensorfleet.core.storage.StorageUsage;
import io.sensorfleet.core.runtime.ContainerInfo;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.ContainerRuntime;
import io.sensorfleet.core.runtime.ContainerState;
import io.sensorfleet.core.runtime.ContainerStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.ReceiveBuilder;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;

/**
 * One installed Instrument: the only owner of its LXD container and its control channel. A state machine over
 * the container's phases ({@code uninstalled → stopped ⇄ starting → running}); every transition is recorded in
 * its {@link InstrumentJournal} (so a restarted sensor knows what each Instrument should be doing) and in the
 * audit log.
 *
 * <p>Start order: the container exists (created at install), its uid base is known, so the bus directory is
 * prepared for that uid and bind-mounted at {@code /run/sensorfleet/}; then the container starts and the
 * Instrument must say {@code hello} within the hello timeout. Commands that arrive while a step is in flight
 * are stashed and handled once it ends.
 *
 * <p>What each step does to the host (LXD's calls, devices, network rules, storage mounts, the capture branch) is
 * {@link ContainerSetup}'s; this class decides when, and what comes next.
 */
public final class Instrument extends AbstractBehavior<Instrument.Command> {

  public sealed interface Command {}

  /** Installs from {@code manifest} (its id must be this Instrument's); replies the status. */
  public record Install(InstrumentManifest manifest, Principal by, ActorRef<StatusReply<Status>> replyTo)
      implements Command {}

  /** Starts the Instrument; replies once it said {@code hello}, or an error. */
  public record Start(Principal by, ActorRef<StatusReply<Status>> replyTo) implements Command {}

  /** Stops the Instrument gracefully ({@code bye}, then LXD's stop); replies once stopped. */
  public record Stop(Principal by, ActorRef<StatusReply<Status>> replyTo) implements Command {}

  /** Removes the container (stopping it first); persistent storage is deleted only with {@code purge}. */
  public record Remove(boolean purge, Principal by, ActorRef<StatusReply<Status>> replyTo) implements Command {}

  /**
   * Moves the Instrument to another image: its container is recreated (storage, config and journal are kept) and
   * started again if it was running. Replies once done.
   */
  /**
   * Sets how long the Instrument keeps data (its manifest's retention), from the next retention round on; answers
   * the new status once journaled (audited {@code retention set}). Refused when not installed.
   */
  public record SetRetention(Duration retention, Principal by, ActorRef<StatusReply<Status>> replyTo)
      implements Command {}

  private record RetentionJournaled(InstrumentJournal.State state, Duration from, SetRetention command)
      implements Command {}

  private record RetentionNotJournaled(SetRetention command, Throwable cause) implements Command {}

  public record ChangeImage(ImageAlias image, Principal by,
                            ActorRef<StatusReply<Status>> replyTo) implements Command {}

  /** Sets a new configuration version (a JSON object), delivered at once if the Instrument is connected. */
  public record SetConfig(String json, Principal by, ActorRef<StatusReply<InstrumentJournal.ConfigVersion>> replyTo)
      implements Command {}

  /** Sets a new version whose content is that of {@code version}. */
  public record RollbackConfig(long version, Principal by,
                               ActorRef<StatusReply<InstrumentJournal.ConfigVersion>> replyTo) implements Command {}

  /** Every configuration version, oldest first, with who set it and the Instrument's answer. */
  public record GetConfigHistory(ActorRef<StatusReply<List<InstrumentJournal.ConfigVersion>>> replyTo)
      implements Command {}

  /** Replies the current status at once, whatever the phase. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * What Fleet Management shows of one Instrument; {@code storage} is the newest measurement of its storage use
   * (absent until the first one, see {@link StorageMeter}).
   */
  public record Status(InstrumentId id, Optional<InstrumentManifest> manifest, Desired desired, Actual actual,
                       String detail, Optional<Instant> since, boolean connected, HealthTracker health,
                       Optional<RetentionCheck> retention, long blockedFrames, Optional<StorageUsage> storage) {}

  /**
   * From the {@code CaptureSupervisor}: a passive Instrument's ingress drop has stopped {@code frames} frames it
   * tried to send (since its interface was made), a number that just rose. Shown in its status.
   */
  public record CaptureBlocked(long frames) implements Command {}

  /** From this Instrument's {@link StorageMeter}: a new measurement of its storage use. */
  private record StorageMeasured(StorageUsage usage) implements Command {}

  /**
   * The last retention round: what the Instrument reported, and what the platform found itself afterwards.
   *
   * @param violations files older than the cutoff still present, counted by the platform (never by the report)
   * @param examples   up to five of their paths
   */
  public record RetentionCheck(Instant cutoff, long reportedDeletedFiles, long reportedDeletedBytes,
                               long violations, List<String> examples, Instant checkedAt) {}

  /** Everything an Instrument needs from the sensor, passed in once by the registry. */
  public record Deps(ContainerRuntime runtime, NetworkProvisioner network, InstrumentStorage storage,
                     InstrumentSettings settings, ChannelSettings channel, ActorRef<AuditLog.Command> audit,
                     ActorRef<PermissionGate.Command> bus, ActorRef<Status> statusListener, Clock clock,
                     ActorRef<CaptureSupervisor.Command> capture) {}

  private record Recovered(InstrumentJournal.State state) implements Command {}

  private record Journaled(InstrumentJournal.State state) implements Command {}

  private record StepDone(String step) implements Command {}

  private record StepFailed(String step, Throwable cause) implements Command {}

  private record Inspected(ContainerInfo info) implements Command {}

  private record Probed(Optional<ContainerState> state) implements Command {}

  private record WrappedChannel(InstrumentChannel.Event event) implements Command {}

  private record HelloTimeout() implements Command {}

  private record JournalUpdated(InstrumentJournal.State state) implements Command {}

  private record ConfigJournaled(InstrumentJournal.State state,
                                 ActorRef<StatusReply<InstrumentJournal.ConfigVersion>> replyTo) implements Command {}

  private record HealthTick() implements Command {}

  private record HealthTimeout(String correlationId) implements Command {}

  private record RestartDue() implements Command {}

  private record RetentionTick() implements Command {}

  private record RetentionVerified(Instant cutoff, Optional<Frame.RetentionReport> report, List<String> stale)
      implements Command {}

  private record RetentionUnverified(String reason) implements Command {}

  /** A health query in flight. */
  private record PendingCheck(String correlationId, Instant sentAt) {}

  private static final int STASH = 100;

  private final InstrumentId id;
  private final Deps deps;
  private final TimerScheduler<Command> timers;
  private final StashBuffer<Command> stash;
  private final ActorRef<InstrumentJournal.Command> journal;
  private final ActorRef<InstrumentChannel.Event> channelEvents;
  private InstrumentJournal.State record = InstrumentJournal.State.EMPTY;
  private Optional<ActorRef<InstrumentChannel.Command>> channel = Optional.empty();
  private boolean connected;
  private final List<ActorRef<StatusReply<Status>>> waiting = new ArrayList<>();
  private Principal actingFor = Principal.platform();
  private HealthTracker health;
  private Optional<PendingCheck> pendingCheck = Optional.empty();
  private long checks;
  private Optional<Path> busDirectory = Optional.empty();
  private int channelIncarnation;
  private Optional<RetentionCheck> retention = Optional.empty();
  private long retentionRounds;
  private Optional<Instant> unansweredCutoff = Optional.empty();
  private long blockedFrames;
  private final ActorRef<Long> blockedAdapter;
  private final ActorRef<StorageMeter.Command> storageMeter;
  private Optional<StorageUsage> storageUse = Optional.empty();
  private final ContainerSetup setup;

  /** Spawned by the {@code InstrumentRegistry}, one per installed (or installing) Instrument. */
  public static Behavior<Command> create(InstrumentId id, Deps deps) {
    return Behaviors.withStash(STASH, stash -> Behaviors.withTimers(timers ->
        Behaviors.setup(ctx -> new Instrument(ctx, id, deps, timers, stash))));
  }

  private Instrument(ActorContext<Command> ctx, InstrumentId id, Deps deps, TimerScheduler<Command> timers,
                     StashBuffer<Command> stash) {
    super(ctx);
    this.id = id;
    this.deps = deps;
    this.timers = timers;
    this.stash = stash;
    this.journal = ctx.spawn(InstrumentJournal.create(id, deps.clock()), "journal");
    this.channelEvents = ctx.messageAdapter(InstrumentChannel.Event.class, WrappedChannel::new);
    this.blockedAdapter = ctx.messageAdapter(Long.class, CaptureBlocked::new);
    this.storageMeter = ctx.spawn(StorageMeter.create(id, deps.storage(), deps.settings().storageInterval(),
        ctx.messageAdapter(StorageUsage.class, StorageMeasured::new)), "storage-meter");
    this.setup = new ContainerSetup(id, deps, ctx.getSystem().scheduler(), ctx.getLog());
    this.health = HealthTracker.stopped(deps.settings().healthHistory());
    ctx.ask(InstrumentJournal.State.class, journal, deps.settings().helloTimeout(),
        InstrumentJournal.GetState::new,
        (state, error) -> state != null ? new Recovered(state) : new StepFailed("recover", error));
  }

  // ---- phases ------------------------------------------------------------------------------------------------

  @Override
  public Receive<Command> createReceive() {
    return busy().onMessage(Recovered.class, this::onRecovered).build();
  }

  /** While a step is in flight: status answers, everything else waits. */
  private ReceiveBuilder<Command> busy() {
    return withConfig(newReceiveBuilder())
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(WrappedChannel.class, this::onChannelEvent)
        .onMessage(Install.class, this::stashIt)
        .onMessage(Start.class, this::stashIt)
        .onMessage(Stop.class, this::stashIt)
        .onMessage(Remove.class, this::stashIt)
        .onMessage(ChangeImage.class, this::stashIt);
  }

  private Behavior<Command> uninstalled() {
    return newReceiveBuilder()
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(SetConfig.class, c -> refuseConfig(c.replyTo()))
        .onMessage(SetRetention.class, c -> refuse(c.replyTo(), "not installed"))
        .onMessage(RollbackConfig.class, c -> refuseConfig(c.replyTo()))
        .onMessage(GetConfigHistory.class, c -> {
          c.replyTo().tell(StatusReply.error(id + ": not installed"));
          return Behaviors.same();
        })
        .onMessage(Install.class, this::onInstall)
        .onMessage(Start.class, c -> refuse(c.replyTo(), "not installed"))
        .onMessage(Stop.class, c -> refuse(c.replyTo(), "not installed"))
        .onMessage(Remove.class, c -> refuse(c.replyTo(), "not installed"))
        .onMessage(ChangeImage.class, c -> refuse(c.replyTo(), "not installed"))
        .build();
  }

  private Behavior<Command> stopped() {
    return withConfig(newReceiveBuilder())
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(WrappedChannel.class, this::onChannelEvent)
        .onMessage(Install.class, c -> refuse(c.replyTo(), "already installed"))
        .onMessage(Start.class, this::onStart)
        .onMessage(Stop.class, c -> {
          c.replyTo().tell(StatusReply.success(status()));
          return Behaviors.same();
        })
        .onMessage(Remove.class, this::onRemove)
        .onMessage(ChangeImage.class, this::onChangeImage)
        .build();
  }

  private Behavior<Command> running() {
    return withConfig(newReceiveBuilder())
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(WrappedChannel.class, this::onChannelEvent)
        .onMessage(Install.class, c -> refuse(c.replyTo(), "already installed"))
        .onMessage(Start.class, c -> {
          c.replyTo().tell(StatusReply.success(status()));
          return Behaviors.same();
        })
        .onMessage(Stop.class, this::onStop)
        .onMessage(Remove.class, this::onRemove)
        .onMessage(ChangeImage.class, this::onChangeImage)
        .onMessage(HealthTick.class, this::onHealthTick)
        .onMessage(HealthTimeout.class, this::onHealthTimeout)
        .onMessage(RetentionTick.class, this::onRetentionTick)
        .onMessage(RetentionVerified.class, this::onRetentionVerified)
        .onMessage(RetentionUnverified.class, this::onRetentionUnverified)
        .build();
  }

  // ---- recovery and reconciliation -----------------------------------------------------------------------------

  private Behavior<Command> onRecovered(Recovered recovered) {
    record = recovered.state();
    publish();
    if (!record.installed()) {
      return stash.unstashAll(uninstalled());
    }
    storageMeter.tell(new StorageMeter.Refresh());
    // After a sensor restart: find the container as it is, then bring it to what the journal wants.
    pipe("probe", setup.probe(), Probed::new);
    return busy()
        .onMessage(Probed.class, this::onProbed)
        .onMessage(StepFailed.class, this::onStepFailed)
        .build();
  }

  private Behavior<Command> onProbed(Probed probed) {
    if (probed.state().isEmpty()) {
      getContext().getLog().warn("instrument {}: its container is gone; recreating it", id);
      audit("container missing", Outcome.FAILED, "recreating " + containerName());
      return createContainer(record.manifest().orElseThrow(), () -> afterRecreate());
    }
    boolean up = probed.state().get().status() == ContainerStatus.RUNNING;
    if (record.desired() == Desired.RUNNING) {
      // Adopt a running container (its Instrument reconnects with backoff) or start a stopped one.
      return up ? beginStart(true) : beginStart(false);
    }
    if (up) {
      return beginStop();
    }
    return stash.unstashAll(stopped());
  }

  private Behavior<Command> afterRecreate() {
    return record.desired() == Desired.RUNNING ? beginStart(false) : stash.unstashAll(stopped());
  }

  // ---- install -------------------------------------------------------------------------------------------------

  private Behavior<Command> onInstall(Install install) {
    if (!install.manifest().id().equals(id)) {
      return refuse(install.replyTo(), "manifest is for " + install.manifest().id() + ", not " + id);
    }
    actingFor = install.by();
    waiting.add(install.replyTo());
    InstrumentManifest manifest = install.manifest();
    return createContainer(manifest, () -> {
      journal(new InstrumentJournal.Install(manifest, actingFor));
      return awaitJournal(installed -> {
        journal(new InstrumentJournal.SetConfig(manifest.config().toString(), actingFor, "initial, from the manifest"));
        return awaitJournal(configured -> {
          audit("instrument installed", Outcome.OK, "image " + manifest.image());
          storageMeter.tell(new StorageMeter.Refresh());
          answerWaiting();
          return stash.unstashAll(stopped());
        });
      });
    });
  }

  private Behavior<Command> createContainer(InstrumentManifest manifest, Supplier<Behavior<Command>> then) {
    pipe("create", setup.create(manifest), v -> new StepDone("create"));
    return busy()
        .onMessage(StepDone.class, done -> then.get())
        .onMessage(StepFailed.class, this::onStepFailed)
        .build();
  }

  // ---- start ---------------------------------------------------------------------------------------------------

  private Behavior<Command> onStart(Start start) {
    actingFor = start.by();
    waiting.add(start.replyTo());
    journal(new InstrumentJournal.Want(Desired.RUNNING, actingFor));
    return awaitJournal(state -> beginStart(false));
  }

  private Behavior<Command> beginStart(boolean adopt) {
    pipe("inspect", deps.runtime().info(containerName()), Inspected::new);
    return busy()
        .onMessage(Inspected.class, inspected -> openChannel(inspected.info(), adopt))
        .onMessage(StepFailed.class, this::onStepFailed)
        .build();
  }

  private Behavior<Command> openChannel(ContainerInfo info, boolean adopt) {
    long base = info.rootHostUid().orElse(-1);
    if (base < 0) {
      return failStart("LXD did not report the container's uid base");
    }
    if (channel.isPresent() && busDirectory.isPresent()) {
      // A restart after failed health checks: the socket is still listening.
      return startContainer(info, busDirectory.get(), adopt);
    }
    var owner = new BusSocket.Owner((int) base + ContainerSetup.INSTRUMENT_UID,
        (int) base + ContainerSetup.INSTRUMENT_UID);
    // A `control: tcp` Instrument's frames arrive through LXD's forkproxy (127.0.0.1:7070 inside → bus.sock).
    PeerCheck peers = record.manifest().orElseThrow().control() == ControlChannel.TCP
        ? PeerCheck.lxdContainer(containerName()).or(PeerCheck.lxdProxy(containerName()))
        : PeerCheck.lxdContainer(containerName());
    channel = Optional.of(getContext().spawn(InstrumentChannel.create(id, owner, peers, deps.channel(),
        channelEvents, deps.audit(), deps.bus()),
        "channel-" + (++channelIncarnation), DispatcherSelector.fromConfig(ChannelSettings.BUS_DISPATCHER)));
    updateWelcome();
    return withConfig(newReceiveBuilder())
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(Install.class, this::stashIt)
        .onMessage(Start.class, this::stashIt)
        .onMessage(Stop.class, this::stashIt)
        .onMessage(Remove.class, this::stashIt)
        .onMessage(ChangeImage.class, this::stashIt)
        .onMessage(StepFailed.class, this::onStepFailed)
        .onMessage(WrappedChannel.class, wrapped -> switch (wrapped.event()) {
          case InstrumentChannel.Listening listening -> {
            busDirectory = Optional.of(listening.directory());
            yield startContainer(info, listening.directory(), adopt);
          }
          case InstrumentChannel.Failed failed -> failStart("control channel failed: " + failed.reason());
          default -> onChannelEvent(wrapped);
        })
        .build();
  }

  private Behavior<Command> startContainer(ContainerInfo info, Path busDir, boolean adopt) {
    pipe("start", setup.start(record.manifest().orElseThrow(), info, busDir, adopt, blockedAdapter),
        v -> new StepDone("start"));
    return busy()
        .onMessage(StepDone.class, done -> awaitHello(adopt))
        .onMessage(StepFailed.class, this::onStepFailed)
        .build();
  }

  /**
   * The host socket reaching {@code id}'s UI port inside its container: {@code <runtime-root>/ui/<id>.sock}, in a
   * directory only root may enter (not the bus directory, which is mounted into the container).
   */
  public static Path uiSocket(Path runtimeRoot, InstrumentId id) {
    return runtimeRoot.resolve("ui").resolve(id.value() + ".sock");
  }

  private Behavior<Command> awaitHello(boolean adopt) {
    observe(Actual.STARTING, adopt ? "adopting the running container" : "container started, waiting for hello");
    if (connected) {
      return started("connected");
    }
    timers.startSingleTimer(new HelloTimeout(), adopt ? deps.settings().adoptTimeout() : deps.settings().helloTimeout());
    return busy()
        .onMessage(HelloTimeout.class, t -> adopt ? beginStart(false) : failStart("no hello within "
            + deps.settings().helloTimeout().toSeconds() + " s"))
        .onMessage(StepFailed.class, this::onStepFailed)
        .build();
  }

  private Behavior<Command> started(String detail) {
    timers.cancel(new HelloTimeout());
    var healthSpec = record.manifest().orElseThrow().health();
    health = health.starting(deps.clock().instant().plus(healthSpec.startPeriod()));
    pendingCheck = Optional.empty();
    var interval = healthSpec.interval();
    timers.startTimerWithFixedDelay(new HealthTick(), interval);
    timers.startTimerWithFixedDelay(new RetentionTick(), deps.settings().retentionInterval());
    observe(Actual.RUNNING, detail);
    audit("instrument started", Outcome.OK, detail);
    answerWaiting();
    return stash.unstashAll(running());
  }

  private Behavior<Command> failStart(String reason) {
    timers.cancel(new HelloTimeout());
    stopHealthChecks(HealthTracker.State.FAILED);
    getContext().getLog().warn("instrument {} failed to start: {}", id, reason);
    audit("instrument start failed", Outcome.FAILED, reason);
    observe(Actual.FAILED, reason);
    answerWaitingWithError(reason);
    // Leave nothing half-running: the container is stopped; desired state stays as asked, for the operator.
    pipe("stop", setup.stop(Duration.ZERO, record.manifest(), true), v -> new StepDone("stop"));
    return busy()
        .onMessage(StepDone.class, d -> stash.unstashAll(stopped()))
        .onMessage(StepFailed.class, f -> stash.unstashAll(stopped()))
        .build();
  }

  // ---- change image ------------------------------------------------------------------------------------------

  private Behavior<Command> onChangeImage(ChangeImage change) {
    actingFor = change.by();
    waiting.add(change.replyTo());
    var manifest = record.manifest().orElseThrow().withImage(change.image());
    boolean wasRunning = record.actual() == Actual.RUNNING;
    String from = record.manifest().orElseThrow().image().value();
    stopHealthChecks(HealthTracker.State.STOPPED);
    channel.ifPresent(c -> c.tell(new InstrumentChannel.Disconnect("changing image")));
    // Stop, release, delete the container; storage (outside it) and the journal stay.
    pipe("change image", setup.replace(record.manifest()), v -> new StepDone("delete"));
    return busy()
        .onMessage(StepDone.class, deleted -> {
          closeChannel();
          return createContainer(manifest, () -> {
            journal(new InstrumentJournal.ChangeManifest(record.manifest().orElseThrow().withImage(change.image()),
                actingFor));
            return awaitJournal(state -> {
              audit("instrument image changed", Outcome.OK, from + " -> " + manifest.image());
              if (wasRunning) {
                return beginStart(false);  // answers the waiting caller once it said hello again
              }
              observe(Actual.STOPPED, "image changed");
              answerWaiting();
              return stash.unstashAll(stopped());
            });
          });
        })
        .onMessage(StepFailed.class, this::onStepFailed)
        .build();
  }

  // ---- stop and remove ------------------------------------------------------------------------------------------

  private Behavior<Command> onStop(Stop stop) {
    actingFor = stop.by();
    waiting.add(stop.replyTo());
    journal(new InstrumentJournal.Want(Desired.STOPPED, actingFor));
    return awaitJournal(state -> beginStop());
  }

  private Behavior<Command> beginStop() {
    stopHealthChecks(HealthTracker.State.STOPPED);
    observe(Actual.STOPPING, "");
    channel.ifPresent(c -> c.tell(new InstrumentChannel.Disconnect("stopping")));
    pipe("stop", setup.stop(deps.settings().stopGrace(), record.manifest(), false), v -> new StepDone("stop"));
    return busy()
        .onMessage(StepDone.class, done -> {
          closeChannel();
          observe(Actual.STOPPED, "");
          audit("instrument stopped", Outcome.OK, "");
          answerWaiting();
          return stash.unstashAll(stopped());
        })
        .onMessage(StepFailed.class, this::onStepFailed)
        .build();
  }

  private Behavior<Command> onRemove(Remove remove) {
    actingFor = remove.by();
    stopHealthChecks(HealthTracker.State.STOPPED);
    waiting.add(remove.replyTo());
    CompletionStage<Void> gone = setup.remove(record.manifest(), remove.purge());
    pipe("remove", gone, v -> new StepDone("remove"));
    return busy()
        .onMessage(StepDone.class, done -> {
          channel.ifPresent(c -> c.tell(new InstrumentChannel.Delete()));
          channel = Optional.empty();
          busDirectory = Optional.empty();
          connected = false;
          journal(new InstrumentJournal.Remove(remove.purge(), actingFor));
          return awaitJournal(state -> {
            audit(remove.purge() ? "instrument purged" : "instrument removed", Outcome.OK, "");
            answerWaiting();
            return Behaviors.stopped();
          });
        })
        .onMessage(StepFailed.class, this::onStepFailed)
        .build();
  }

  private void closeChannel() {
    channel.ifPresent(c -> c.tell(new InstrumentChannel.Stop()));
    channel = Optional.empty();
    busDirectory = Optional.empty();
    connected = false;
  }

  // ---- capture ---------------------------------------------------------------------------------------------

  private Behavior<Command> onCaptureBlocked(CaptureBlocked blocked) {
    if (blocked.frames() != blockedFrames) {
      blockedFrames = blocked.frames();
      publish();
    }
    return Behaviors.same();
  }

  // ---- storage use ---------------------------------------------------------------------------------------------

  private Behavior<Command> onStorageMeasured(StorageMeasured measured) {
    if (!storageUse.equals(Optional.of(measured.usage()))) {
      storageUse = Optional.of(measured.usage());
      publish();
    }
    return Behaviors.same();
  }

  // ---- configuration -----------------------------------------------------------------------------------------

  private ReceiveBuilder<Command> withConfig(
      ReceiveBuilder<Command> builder) {
    return builder
        .onMessage(CaptureBlocked.class, this::onCaptureBlocked)
        .onMessage(StorageMeasured.class, this::onStorageMeasured)
        .onMessage(SetConfig.class, this::onSetConfig)
        .onMessage(SetRetention.class, this::onSetRetention)
        .onMessage(RetentionJournaled.class, this::onRetentionJournaled)
        .onMessage(RetentionNotJournaled.class, failed -> {
          failed.command().replyTo().tell(StatusReply.error(new io.sensorfleet.actors.JournalUnavailable(failed.cause())));
          return Behaviors.same();
        })
        .onMessage(RollbackConfig.class, this::onRollbackConfig)
        .onMessage(GetConfigHistory.class, this::onGetConfigHistory)
        .onMessage(ConfigJournaled.class, this::onConfigJournaled)
        .onMessage(JournalUpdated.class, this::onJournalUpdated);
  }

  private Behavior<Command> onSetRetention(SetRetention command) {
    if (record.manifest().isEmpty()) {
      // Still recovering or installing: nothing to change yet.
      return refuse(command.replyTo(), "not installed");
    }
    var current = record.manifest().get();
    var manifest = current.withRetention(command.retention());
    getContext().ask(InstrumentJournal.State.class, journal, deps.settings().helloTimeout(),
        r -> new InstrumentJournal.Append(new InstrumentJournal.ChangeManifest(manifest, command.by()), r),
        (state, error) -> state != null ? new RetentionJournaled(state, current.retention(), command)
            : new RetentionNotJournaled(command, error));
    return Behaviors.same();
  }

  private Behavior<Command> onRetentionJournaled(RetentionJournaled journaled) {
    record = journaled.state();
    deps.audit().tell(new AuditLog.Record(AuditRequest.of(journaled.command().by(), "retention set",
        AuditKind.RETENTION, Outcome.OK, io.sensorfleet.core.manifest.Durations.format(journaled.from()) + " -> "
            + io.sensorfleet.core.manifest.Durations.format(journaled.command().retention())).aboutInstrument(id),
        getContext().getSystem().ignoreRef()));
    journaled.command().replyTo().tell(StatusReply.success(status()));
    publish();
    return Behaviors.same();
  }

  private Behavior<Command> onSetConfig(SetConfig command) {
    RawJson json;
    try {
      json = RawJson.of(command.json());
    } catch (IllegalArgumentException e) {
      return refuseConfig(command.replyTo(), "the configuration is not valid JSON: " + e.getMessage());
    }
    if (!json.isObject()) {
      return refuseConfig(command.replyTo(), "the configuration must be a JSON object");
    }
    return setConfig(json.asString(), command.by(), "", command.replyTo());
  }

  private Behavior<Command> onRollbackConfig(RollbackConfig command) {
    return record.config(command.version())
        .map(v -> setConfig(v.json(), command.by(), "rollback to version " + v.version(), command.replyTo()))
        .orElseGet(() -> refuseConfig(command.replyTo(), "no configuration version " + command.version()));
  }

  private Behavior<Command> setConfig(String json, Principal by,  String note,
                                      ActorRef<StatusReply<InstrumentJournal.ConfigVersion>> replyTo) {
    getContext().ask(InstrumentJournal.State.class, journal, deps.settings().helloTimeout(),
        r -> new InstrumentJournal.Append(new InstrumentJournal.SetConfig(json, by, note), r),
        (state, error) -> state != null ? new ConfigJournaled(state, replyTo) : new StepFailed("journal", error));
    return Behaviors.same();
  }

  private Behavior<Command> onConfigJournaled(ConfigJournaled journaled) {
    record = journaled.state();
    var version = record.latest().orElseThrow();
    deps.audit().tell(new AuditLog.Record(AuditRequest.of(version.by(), "config set", AuditKind.CONFIG, Outcome.OK,
        "version " + version.version() + (version.note().isEmpty() ? "" : ", " + version.note())).aboutInstrument(id),
        getContext().getSystem().ignoreRef()));
    deliverPendingConfig();
    journaled.replyTo().tell(StatusReply.success(version));
    publish();
    return Behaviors.same();
  }

  private Behavior<Command> onGetConfigHistory(GetConfigHistory query) {
    query.replyTo().tell(StatusReply.success(record.configs()));
    return Behaviors.same();
  }

  private Behavior<Command> onJournalUpdated(JournalUpdated updated) {
    record = updated.state();
    updateWelcome();
    publish();
    return Behaviors.same();
  }

  private void answerConfig(InstrumentJournal.Change answer, String action, Outcome outcome, String detail) {
    deps.audit().tell(new AuditLog.Record(AuditRequest.of(Principal.instrument(id), action, AuditKind.CONFIG,
        outcome, detail).aboutInstrument(id), getContext().getSystem().ignoreRef()));
    getContext().ask(InstrumentJournal.State.class, journal, deps.settings().helloTimeout(),
        r -> new InstrumentJournal.Append(answer, r),
        (state, error) -> state != null ? new JournalUpdated(state) : new StepFailed("journal", error));
  }

  /** Sends the newest version if the Instrument has not answered it yet. */
  private void deliverPendingConfig() {
    record.latest().filter(v -> v.state() == InstrumentJournal.ConfigState.PENDING).filter(v -> connected)
        .ifPresent(v -> channel.ifPresent(c -> c.tell(new InstrumentChannel.Outbound(
            new Frame.Config("c" + v.version(), v.version(),
                RawJson.of(v.json()))))));
  }

  /** A (re)connecting Instrument gets the newest accepted version in its welcome. */
  private void updateWelcome() {
    channel.ifPresent(c -> c.tell(record.latestAccepted()
        .map(v -> InstrumentChannel.SetWelcomeConfig.of(v.version(), RawJson.of(v.json())))
        .orElse(InstrumentChannel.SetWelcomeConfig.none())));
  }

  private Behavior<Command> refuseConfig(ActorRef<StatusReply<InstrumentJournal.ConfigVersion>> replyTo) {
    return refuseConfig(replyTo, "not installed");
  }

  private Behavior<Command> refuseConfig(ActorRef<StatusReply<InstrumentJournal.ConfigVersion>> replyTo,
                                         String reason) {
    replyTo.tell(StatusReply.error(id + ": " + reason));
    return Behaviors.same();
  }

  // ---- retention ---------------------------------------------------------------------------------------------

  private Behavior<Command> onRetentionTick(RetentionTick tick) {
    // No report since the last round: the volume is checked all the same.
    unansweredCutoff.ifPresent(cutoff -> verifyRetention(cutoff, Optional.empty()));
    unansweredCutoff = Optional.empty();
    if (connected) {
      Instant cutoff = deps.clock().instant().minus(record.manifest().orElseThrow().retention());
      channel.ifPresent(c -> c.tell(new InstrumentChannel.Outbound(
          new Frame.RetentionEnforce("r" + (++retentionRounds), cutoff))));
      unansweredCutoff = Optional.of(cutoff);
    }
    return Behaviors.same();
  }

  /**
   * Checks the report against the volume itself: LXD runs the image's root-owned busybox {@code find} as root in
   * the container, so what the Instrument claims is never what the status shows.
   */
  private void verifyRetention(Instant cutoff, Optional<Frame.RetentionReport> report) {
    long minutes = Math.max(1, (Duration.between(cutoff, deps.clock().instant()).toSeconds() + 59) / 60);
    var find = new ExecRequest(List.of("find", "/var/lib/instrument", "-xdev",
        "-type", "f", "-mmin", "+" + minutes), Map.of(), "/", 0, 0);
    getContext().pipeToSelf(deps.runtime().exec(containerName(), find), (result, error) -> {
      if (error != null) {
        return new RetentionUnverified(error.getMessage());
      }
      return new RetentionVerified(cutoff, report, result.stdout().lines().filter(l -> !l.isBlank()).toList());
    });
  }

  private Behavior<Command> onRetentionVerified(RetentionVerified verified) {
    var stale = verified.stale();
    retention = Optional.of(new RetentionCheck(verified.cutoff(),
        verified.report().map(Frame.RetentionReport::deletedFiles).orElse(-1L),
        verified.report().map(Frame.RetentionReport::deletedBytes).orElse(-1L),
        stale.size(), stale.stream().limit(5).toList(), deps.clock().instant()));
    String reported = verified.report().map(r -> "reported " + r.deletedFiles() + " files, " + r.deletedBytes()
        + " bytes deleted").orElse("no report");
    deps.audit().tell(new AuditLog.Record(AuditRequest.of(Principal.instrument(id), "retention enforced",
        AuditKind.RETENTION, verified.report().isPresent() ? Outcome.OK : Outcome.FAILED,
        "cutoff " + verified.cutoff() + ": " + reported).aboutInstrument(id), getContext().getSystem().ignoreRef()));
    if (!stale.isEmpty()) {
      deps.audit().tell(new AuditLog.Record(AuditRequest.of(Principal.platform(), "retention violated",
          AuditKind.RETENTION, Outcome.FAILED, stale.size() + " files older than " + verified.cutoff()
              + " still present, e.g. " + String.join(", ", stale.stream().limit(5).toList())).aboutInstrument(id),
          getContext().getSystem().ignoreRef()));
    }
    publish();
    return Behaviors.same();
  }

  private Behavior<Command> onRetentionUnverified(RetentionUnverified unverified) {
    getContext().getLog().warn("instrument {}: could not verify retention: {}", id, unverified.reason());
    return Behaviors.same();
  }

  // ---- health ------------------------------------------------------------------------------------------------

  private Behavior<Command> onHealthTick(HealthTick tick) {
    if (pendingCheck.isPresent()) {
      return Behaviors.same();  // the previous query is still within its timeout
    }
    Instant now = deps.clock().instant();
    if (!connected) {
      return recordCheck(new HealthTracker.Check(now, HealthTracker.Result.NOT_CONNECTED, Optional.empty(),
          "not connected to its bus socket"));
    }
    String correlationId = "h" + (++checks);
    pendingCheck = Optional.of(new PendingCheck(correlationId, now));
    channel.ifPresent(c -> c.tell(new InstrumentChannel.Outbound(new Frame.HealthQuery(
        correlationId))));
    timers.startSingleTimer(new HealthTimeout(correlationId), record.manifest().orElseThrow().health().timeout());
    return Behaviors.same();
  }

  private Behavior<Command> onHealthTimeout(HealthTimeout timeout) {
    if (pendingCheck.map(p -> p.correlationId().equals(timeout.correlationId())).orElse(false)) {
      pendingCheck = Optional.empty();
      return recordCheck(new HealthTracker.Check(deps.clock().instant(), HealthTracker.Result.TIMEOUT,
          Optional.empty(), "no health report within " + record.manifest().orElseThrow().health().timeout()));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onHealthReport(Frame.HealthReport report) {
    var pending = pendingCheck.filter(p -> report.re().map(p.correlationId()::equals).orElse(false));
    if (pending.isEmpty()) {
      return Behaviors.same();  // unsolicited or late: the check it answers already timed out
    }
    pendingCheck = Optional.empty();
    timers.cancel(new HealthTimeout(pending.get().correlationId()));
    Instant now = deps.clock().instant();
    var result = switch (report.status()) {
      case HEALTHY -> HealthTracker.Result.HEALTHY;
      case DEGRADED -> HealthTracker.Result.DEGRADED;
      case FAILED -> HealthTracker.Result.FAILED;
    };
    return recordCheck(new HealthTracker.Check(now, result,
        Optional.of(Duration.between(pending.get().sentAt(), now)), report.detail()));
  }

  private Behavior<Command> recordCheck(HealthTracker.Check check) {
    var before = health.state();
    health = health.record(check);
    if (health.state() != before) {
      audit("instrument " + health.state().name().toLowerCase(Locale.ROOT),
          check.failed() ? Outcome.FAILED : Outcome.OK, check.result() + ": " + check.detail());
    }
    publish();
    int allowed = record.manifest().orElseThrow().health().failuresBeforeRestart();
    return health.restartDue(allowed) ? restartUnhealthy(allowed) : Behaviors.same();
  }

  private Behavior<Command> restartUnhealthy(int failures) {
    stopHealthChecks(HealthTracker.State.UNHEALTHY);
    health = health.restarted();
    var delay = HealthTracker.backoff(health.restarts(), deps.settings().restartBackoffMin(),
        deps.settings().restartBackoffMax());
    String reason = failures + " failed health checks in a row; restart #" + health.restarts() + " in "
        + delay.toMillis() + " ms";
    getContext().getLog().warn("instrument {}: {}", id, reason);
    actingFor = Principal.platform();
    audit("instrument restarted", Outcome.FAILED, reason);
    observe(Actual.STARTING, reason);
    pipe("stop", setup.stop(Duration.ZERO, record.manifest(), true), v -> new StepDone("stop"));
    return busy()
        .onMessage(StepDone.class, done -> restartPending(delay))
        .onMessage(StepFailed.class, this::onStepFailed)
        .build();
  }

  /** The container is down and the restart waits out its backoff: a stop or remove cancels it, at once. */
  private Behavior<Command> restartPending(Duration delay) {
    timers.startSingleTimer(new RestartDue(), delay);
    // A stop or remove that came while the container went down waited in the stash: it is handled now.
    return stash.unstashAll(withConfig(newReceiveBuilder())
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(WrappedChannel.class, this::onChannelEvent)
        .onMessage(RestartDue.class, due -> beginStart(false))
        .onMessage(Stop.class, this::cancelRestartAndStop)
        .onMessage(Remove.class, remove -> {
          timers.cancel(new RestartDue());
          return onRemove(remove);
        })
        .onMessage(Install.class, c -> refuse(c.replyTo(), "already installed"))
        .onMessage(Start.class, this::stashIt)
        .onMessage(ChangeImage.class, this::stashIt)
        .build());
  }

  private Behavior<Command> cancelRestartAndStop(Stop stop) {
    timers.cancel(new RestartDue());
    actingFor = stop.by();
    waiting.add(stop.replyTo());
    closeChannel();
    health = health.with(HealthTracker.State.STOPPED);
    journal(new InstrumentJournal.Want(Desired.STOPPED, actingFor));
    return awaitJournal(state -> {
      observe(Actual.STOPPED, "stopped while waiting to restart");
      audit("instrument stopped", Outcome.OK, "the pending restart was cancelled");
      answerWaiting();
      return stash.unstashAll(stopped());
    });
  }

  private void stopHealthChecks(HealthTracker.State state) {
    timers.cancel(new HealthTick());
    timers.cancel(new RetentionTick());
    pendingCheck.ifPresent(p -> timers.cancel(new HealthTimeout(p.correlationId())));
    pendingCheck = Optional.empty();
    health = health.with(state);
  }

  // ---- shared handlers -----------------------------------------------------------------------------------------

  private Behavior<Command> onChannelEvent(WrappedChannel wrapped) {
    switch (wrapped.event()) {
      case InstrumentChannel.Connected c -> {
        connected = true;
        publish();
        deliverPendingConfig();
        // A Connected during a start ends the wait for hello.
        if (record.actual() == Actual.STARTING) {
          return started("hello from " + c.software() + ", protocol " + c.version());
        }
      }
      case InstrumentChannel.Inbound in when in.frame() instanceof Frame.ConfigAck ack -> {
        answerConfig(new InstrumentJournal.AcknowledgeConfig(ack.version()), "config accepted", Outcome.OK,
            "version " + ack.version());
      }
      case InstrumentChannel.Inbound in when in.frame() instanceof Frame.ConfigReject rej -> {
        answerConfig(new InstrumentJournal.RejectConfig(rej.version(), rej.reason()), "config rejected",
            Outcome.FAILED, "version " + rej.version() + ": " + rej.reason());
      }
      case InstrumentChannel.Inbound in when in.frame() instanceof Frame.HealthReport r
          && record.actual() == Actual.RUNNING -> {
        return onHealthReport(r);
      }
      case InstrumentChannel.Inbound in when in.frame() instanceof Frame.RetentionReport report
          && record.actual() == Actual.RUNNING -> {
        unansweredCutoff = Optional.empty();
        verifyRetention(report.cutoff(), Optional.of(report));
      }
      case InstrumentChannel.Disconnected d -> {
        connected = false;
        publish();
        if (record.actual() == Actual.RUNNING) {
          // Health and restarts with backoff act on this (issue 4, health); until then it is visible.
          observe(Actual.RUNNING, "disconnected: " + d.reason());
        }
      }
      default -> { }
    }
    return Behaviors.same();
  }

  private Behavior<Command> onStepFailed(StepFailed failed) {
    Throwable cause = ContainerRuntimeException.of(failed.cause()).<Throwable>map(c -> c).orElse(failed.cause());
    String reason = failed.step() + " failed: " + (cause.getMessage() != null ? cause.getMessage() : cause.toString());
    getContext().getLog().warn("instrument {}: {}", id, reason);
    if (failed.step().equals("recover") || failed.step().equals("probe")) {
      throw new IllegalStateException("instrument " + id + ": " + reason, cause);  // supervision restarts us
    }
    if (failed.step().equals("start") || failed.step().equals("inspect")) {
      return failStart(reason);
    }
    audit("instrument " + failed.step() + " failed", Outcome.FAILED, reason);
    answerWaitingWithError(reason);
    return stash.unstashAll(record.installed() ? stopped() : uninstalled());
  }

  private Behavior<Command> onGetStatus(GetStatus query) {
    query.replyTo().tell(status());
    return Behaviors.same();
  }

  private Behavior<Command> stashIt(Command command) {
    if (stash.isFull()) {
      getContext().getLog().warn("instrument {}: too many commands while busy, dropped {}", id,
          command.getClass().getSimpleName());
    } else {
      stash.stash(command);
    }
    return Behaviors.same();
  }

  private Behavior<Command> refuse(ActorRef<StatusReply<Status>> replyTo, String reason) {
    replyTo.tell(StatusReply.error(id + ": " + reason));
    return Behaviors.same();
  }

  // ---- journal, audit, status ----------------------------------------------------------------------------------

  private void journal(InstrumentJournal.Change change) {
    getContext().ask(InstrumentJournal.State.class, journal, deps.settings().helloTimeout(),
        replyTo -> new InstrumentJournal.Append(change, replyTo),
        (state, error) -> state != null ? new Journaled(state) : new StepFailed("journal", error));
  }

  private Behavior<Command> awaitJournal(Function<InstrumentJournal.State, Behavior<Command>> then) {
    return busy()
        .onMessage(Journaled.class, j -> {
          record = j.state();
          publish();
          return then.apply(j.state());
        })
        .onMessage(StepFailed.class, this::onStepFailed)
        .build();
  }

  /** Records an actual-state change (fire and forget: the journal is local and ordered). */
  private void observe(Actual actual, String detail) {
    record = record.withActual(actual, detail, deps.clock().instant());
    journal.tell(new InstrumentJournal.Append(new InstrumentJournal.Observe(actual, detail),
        getContext().getSystem().ignoreRef()));
    publish();
    if (actual == Actual.RUNNING || actual == Actual.STOPPED) {
      // Started or stopped: the transient directory was just mounted or wiped; measure again now.
      storageMeter.tell(new StorageMeter.Refresh());
    }
  }

  private void audit(String action, Outcome outcome, String detail) {
    deps.audit().tell(new AuditLog.Record(AuditRequest.of(actingFor, action, AuditKind.LIFECYCLE, outcome, detail)
        .aboutInstrument(id), getContext().getSystem().ignoreRef()));
  }

  private Status status() {
    return new Status(id, record.manifest(), record.desired(), record.actual(), record.detail(), record.changedAt(),
        connected, health, retention, blockedFrames, storageUse);
  }

  private void publish() {
    deps.statusListener().tell(status());
  }

  private void answerWaiting() {
    Status now = status();
    waiting.forEach(r -> r.tell(StatusReply.success(now)));
    waiting.clear();
  }

  private void answerWaitingWithError(String reason) {
    waiting.forEach(r -> r.tell(StatusReply.error(id + ": " + reason)));
    waiting.clear();
  }

  private String containerName() {
    return id.containerName();
  }

  private <T> void pipe(String step, CompletionStage<T> stage, Function<T, Command> onSuccess) {
    getContext().pipeToSelf(stage, (value, error) -> error == null ? onSuccess.apply(value)
        : new StepFailed(step, error));
  }
}
