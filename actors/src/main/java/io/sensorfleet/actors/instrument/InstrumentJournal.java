package io.sensorfleet.actors.instrument;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.JsonSerializable;
import io.sensorfleet.core.manifest.InstrumentManifest;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The event-sourced record of one Instrument: its manifest, what operators want it to be doing (desired) and
 * what it was last seen doing (actual). The {@code Instrument} actor is its only writer; after a sensor restart it
 * reads the recovered {@link State} and reconciles the container with it.
 *
 * <p>Kept apart from the {@code Instrument} actor so that actor can be a plain state machine over container
 * phases while this one stays a pure record: event handlers here have no I/O.
 */
public final class InstrumentJournal
    extends EventSourcedBehaviorWithEnforcedReplies<InstrumentJournal.Command, InstrumentJournal.Event,
        InstrumentJournal.State> {

  public sealed interface Command extends JsonSerializable {}

  /** Persists {@code change}, stamped with the journal's clock; replies the new state. */
  public record Append(Change change, ActorRef<State> replyTo) implements Command {}

  /** Replies the current (recovered) state. */
  public record GetState(ActorRef<State> replyTo) implements Command {}

  /** What the Instrument actor records; the journal adds the time. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  @JsonSubTypes({
      @JsonSubTypes.Type(value = Install.class, name = "install"),
      @JsonSubTypes.Type(value = Want.class, name = "want"),
      @JsonSubTypes.Type(value = Observe.class, name = "observe"),
      @JsonSubTypes.Type(value = Remove.class, name = "remove"),
      @JsonSubTypes.Type(value = SetConfig.class, name = "set-config"),
      @JsonSubTypes.Type(value = ChangeManifest.class, name = "change-manifest"),
      @JsonSubTypes.Type(value = AcknowledgeConfig.class, name = "ack-config"),
      @JsonSubTypes.Type(value = RejectConfig.class, name = "reject-config")})
  public sealed interface Change {}

  public record Install(InstrumentManifest manifest, Principal by) implements Change {}

  public record Want(Desired desired, Principal by) implements Change {}

  public record Observe(Actual actual, String detail) implements Change {}

  public record Remove(boolean purge, Principal by) implements Change {}

  /** The Instrument now runs from {@code manifest} (e.g. another image); desired and actual state are kept. */
  public record ChangeManifest(InstrumentManifest manifest, Principal by) implements Change {}

  /** A new configuration version (the next number), as JSON text; {@code note} says e.g. "rollback to 3". */
  public record SetConfig(String json, Principal by, String note) implements Change {}

  public record AcknowledgeConfig(long version) implements Change {}

  public record RejectConfig(long version, String reason) implements Change {}

  public sealed interface Event extends JsonSerializable {}

  public record Installed(InstrumentManifest manifest, Principal by, Instant at) implements Event {}

  public record DesiredStateSet(Desired desired, Principal by, Instant at) implements Event {}

  public record ActualStateObserved(Actual actual, String detail, Instant at) implements Event {}

  public record Removed(boolean purge, Principal by, Instant at) implements Event {}

  public record ManifestChanged(InstrumentManifest manifest, Principal by, Instant at) implements Event {}

  public record ConfigSet(long version, String json, Principal by, String note, Instant at) implements Event {}

  public record ConfigAcknowledged(long version, Instant at) implements Event {}

  public record ConfigRejected(long version, String reason, Instant at) implements Event {}

  /** Where a configuration version stands with the Instrument. */
  public enum ConfigState { PENDING, ACCEPTED, REJECTED }

  /** One version of an Instrument's configuration, with who set it, when, and the Instrument's answer. */
  public record ConfigVersion(long version, String json, Principal by, Instant at, String note, ConfigState state,
                              String reason, Optional<Instant> answeredAt) {
    ConfigVersion answered(ConfigState newState, String why, Instant when) {
      return new ConfigVersion(version, json, by, at, note, newState, why, Optional.of(when));
    }
  }

  /** What an operator asked for. */
  public enum Desired { RUNNING, STOPPED }

  /** What the platform last saw. */
  public enum Actual { NOT_INSTALLED, INSTALLED, STARTING, RUNNING, STOPPING, STOPPED, FAILED, REMOVED }

  /** Immutable state: empty until installed, {@code removed} once removed (the journal is kept). */
  public record State(Optional<InstrumentManifest> manifest, Desired desired, Actual actual, String detail,
                      Optional<Instant> changedAt, java.util.List<ConfigVersion> configs) implements JsonSerializable {

    static final State EMPTY = new State(Optional.empty(), Desired.STOPPED, Actual.NOT_INSTALLED, "",
        Optional.empty(), java.util.List.of());

    public State {
      configs = configs == null ? java.util.List.of() : java.util.List.copyOf(configs);
    }

    public boolean installed() {
      return manifest.isPresent() && actual != Actual.REMOVED;
    }

    /** The newest version the Instrument accepted, which a (re)connecting Instrument gets in its welcome. */
    public Optional<ConfigVersion> latestAccepted() {
      return configs.reversed().stream().filter(c -> c.state() == ConfigState.ACCEPTED).findFirst();
    }

    /** The newest version, whatever its state. */
    public Optional<ConfigVersion> latest() {
      return configs.isEmpty() ? Optional.empty() : Optional.of(configs.getLast());
    }

    public Optional<ConfigVersion> config(long version) {
      return configs.stream().filter(c -> c.version() == version).findFirst();
    }

    State withActual(Actual newActual, String newDetail, Instant at) {
      return new State(manifest, desired, newActual, newDetail, Optional.of(at), configs);
    }

    private State answered(long version, ConfigState state, String reason, Instant at) {
      return new State(manifest, desired, actual, detail, changedAt, configs.stream()
          .map(c -> c.version() == version ? c.answered(state, reason, at) : c).toList());
    }

    State apply(Event event) {
      return switch (event) {
        case Installed e -> new State(Optional.of(e.manifest()), Desired.STOPPED, Actual.INSTALLED, "",
            Optional.of(e.at()), configs);
        case DesiredStateSet e -> new State(manifest, e.desired(), actual, detail, Optional.of(e.at()), configs);
        case ActualStateObserved e -> withActual(e.actual(), e.detail(), e.at());
        case Removed e -> new State(manifest, Desired.STOPPED, Actual.REMOVED, e.purge() ? "purged" : "removed",
            Optional.of(e.at()), configs);
        case ConfigSet e -> {
          var next = new java.util.ArrayList<>(configs);
          next.add(new ConfigVersion(e.version(), e.json(), e.by(), e.at(), e.note(), ConfigState.PENDING, "",
              Optional.empty()));
          yield new State(manifest, desired, actual, detail, changedAt, next);
        }
        case ManifestChanged e -> new State(Optional.of(e.manifest()), desired, actual, detail, Optional.of(e.at()),
            configs);
        case ConfigAcknowledged e -> answered(e.version(), ConfigState.ACCEPTED, "", e.at());
        case ConfigRejected e -> answered(e.version(), ConfigState.REJECTED, e.reason(), e.at());
      };
    }
  }

  /** Persistence id of one Instrument's journal: {@code instrument|<id>}. */
  public static PersistenceId persistenceId(InstrumentId id) {
    return PersistenceId.of("instrument", id.value(), "|");
  }

  private final Clock clock;

  /** Spawned by the {@code Instrument} actor as its child. */
  public static Behavior<Command> create(InstrumentId id, Clock clock) {
    return new InstrumentJournal(id, clock);
  }

  private InstrumentJournal(InstrumentId id, Clock clock) {
    super(persistenceId(id), SupervisorStrategy.restartWithBackoff(
        java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(10), 0.2));
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Append.class, this::onAppend)
        .onCommand(GetState.class, (state, query) -> Effect().reply(query.replyTo(), state))
        .build();
  }

  private ReplyEffect<Event, State> onAppend(State state, Append append) {
    Instant now = clock.instant();
    Event event = switch (append.change()) {
      case Install c -> new Installed(c.manifest(), c.by(), now);
      case Want c -> new DesiredStateSet(c.desired(), c.by(), now);
      case Observe c -> new ActualStateObserved(c.actual(), c.detail(), now);
      case Remove c -> new Removed(c.purge(), c.by(), now);
      case SetConfig c -> new ConfigSet(state.latest().map(v -> v.version() + 1).orElse(1L), c.json(), c.by(),
          c.note(), now);
      case ChangeManifest c -> new ManifestChanged(c.manifest(), c.by(), now);
      case AcknowledgeConfig c -> new ConfigAcknowledged(c.version(), now);
      case RejectConfig c -> new ConfigRejected(c.version(), c.reason(), now);
    };
    if ((event instanceof ConfigAcknowledged || event instanceof ConfigRejected)
        && state.config(versionOf(event)).map(v -> v.state() != ConfigState.PENDING).orElse(true)) {
      return Effect().reply(append.replyTo(), state);  // an answer for no pending version changes nothing
    }
    return Effect().persist(event).thenReply(append.replyTo(), s -> s);
  }

  private static long versionOf(Event event) {
    return switch (event) {
      case ConfigAcknowledged e -> e.version();
      case ConfigRejected e -> e.version();
      default -> -1;
    };
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Snapshots keep recovery short; events are never deleted (they are part of the record).
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
