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
      @JsonSubTypes.Type(value = Remove.class, name = "remove")})
  public sealed interface Change {}

  public record Install(InstrumentManifest manifest, Principal by) implements Change {}

  public record Want(Desired desired, Principal by) implements Change {}

  public record Observe(Actual actual, String detail) implements Change {}

  public record Remove(boolean purge, Principal by) implements Change {}

  public sealed interface Event extends JsonSerializable {}

  public record Installed(InstrumentManifest manifest, Principal by, Instant at) implements Event {}

  public record DesiredStateSet(Desired desired, Principal by, Instant at) implements Event {}

  public record ActualStateObserved(Actual actual, String detail, Instant at) implements Event {}

  public record Removed(boolean purge, Principal by, Instant at) implements Event {}

  /** What an operator asked for. */
  public enum Desired { RUNNING, STOPPED }

  /** What the platform last saw. */
  public enum Actual { NOT_INSTALLED, INSTALLED, STARTING, RUNNING, STOPPING, STOPPED, FAILED, REMOVED }

  /** Immutable state: empty until installed, {@code removed} once removed (the journal is kept). */
  public record State(Optional<InstrumentManifest> manifest, Desired desired, Actual actual, String detail,
                      Optional<Instant> changedAt) implements JsonSerializable {

    static final State EMPTY = new State(Optional.empty(), Desired.STOPPED, Actual.NOT_INSTALLED, "",
        Optional.empty());

    public boolean installed() {
      return manifest.isPresent() && actual != Actual.REMOVED;
    }

    State apply(Event event) {
      return switch (event) {
        case Installed e -> new State(Optional.of(e.manifest()), Desired.STOPPED, Actual.INSTALLED, "",
            Optional.of(e.at()));
        case DesiredStateSet e -> new State(manifest, e.desired(), actual, detail, Optional.of(e.at()));
        case ActualStateObserved e -> new State(manifest, desired, e.actual(), e.detail(), Optional.of(e.at()));
        case Removed e -> new State(manifest, Desired.STOPPED, Actual.REMOVED, e.purge() ? "purged" : "removed",
            Optional.of(e.at()));
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
    };
    return Effect().persist(event).thenReply(append.replyTo(), s -> s);
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
