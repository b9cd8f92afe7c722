package io.sensorfleet.actors.instrument;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.storage.InstrumentStorage;
import io.sensorfleet.core.storage.StorageException;
import io.sensorfleet.core.storage.StorageUsage;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Measures one Instrument's storage use ({@link InstrumentStorage#usage}) every {@code interval} and when asked
 * ({@link Refresh}, e.g. right after a start), and tells each measurement to {@code reportTo}. A child of the
 * {@link Instrument} actor, so the measurement (a host command, 8–14 ms) never blocks it. One measurement at a time:
 * a refresh asked while one is under way is done once, after it. A failed measurement reports nothing (the last
 * value stays); storage that is not prepared (yet, or any more) is not an error worth a warning.
 */
public final class StorageMeter extends AbstractBehavior<StorageMeter.Command> {

  public sealed interface Command {}

  /** Measure now (or right after the measurement under way). */
  public record Refresh() implements Command {}

  private record Tick() implements Command {}

  private record Measured(StorageUsage usage) implements Command {}

  private record Failed(Throwable cause) implements Command {}

  private final InstrumentId id;
  private final InstrumentStorage storage;
  private final ActorRef<StorageUsage> reportTo;
  private boolean measuring;
  private boolean again;

  public static Behavior<Command> create(InstrumentId id, InstrumentStorage storage, Duration interval,
                                         ActorRef<StorageUsage> reportTo) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), interval);
      return new StorageMeter(ctx, id, storage, reportTo);
    }));
  }

  private StorageMeter(ActorContext<Command> ctx, InstrumentId id, InstrumentStorage storage,
                       ActorRef<StorageUsage> reportTo) {
    super(ctx);
    this.id = id;
    this.storage = storage;
    this.reportTo = reportTo;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Refresh.class, r -> measure())
        .onMessage(Tick.class, t -> measure())
        .onMessage(Measured.class, m -> {
          reportTo.tell(m.usage());
          return done();
        })
        .onMessage(Failed.class, f -> {
          if (f.cause() instanceof StorageException.NotPrepared) {
            getContext().getLog().debug("instrument {}: no storage to measure", id);
          } else {
            getContext().getLog().warn("instrument {}: measuring its storage failed: {}", id, f.cause().toString());
          }
          return done();
        })
        .build();
  }

  private Behavior<Command> measure() {
    if (measuring) {
      again = true;
      return this;
    }
    measuring = true;
    getContext().pipeToSelf(storage.usage(id), (usage, error) -> error == null ? new Measured(usage)
        : new Failed(error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error));
    return this;
  }

  private Behavior<Command> done() {
    measuring = false;
    if (again) {
      again = false;
      return measure();
    }
    return this;
  }
}
