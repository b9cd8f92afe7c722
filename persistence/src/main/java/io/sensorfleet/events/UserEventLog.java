package io.sensorfleet.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Writes {@code users}-audience events to the {@link UserEventStore} in batches: one write in flight at a time,
 * what arrives meanwhile waits in a bounded buffer. When the database falls behind by more than {@code maxBuffered}
 * events, new ones are dropped and counted (logged once per lapse), so a flooding Instrument costs memory only up
 * to that bound. Fire and forget: the publisher is never blocked.
 */
public final class UserEventLog extends AbstractBehavior<UserEventLog.Command> {

  public sealed interface Command {}

  /** Stores {@code event} (seq 0: the store assigns it). */
  public record Append(UserEvent event) implements Command {}

  private record Flush() implements Command {}

  private record Written(int count, Throwable failure) implements Command {}

  private final UserEventStore store;
  private final int maxBuffered;
  private final Duration retryDelay;
  private final TimerScheduler<Command> timers;
  private List<UserEvent> buffer = new ArrayList<>();
  private List<UserEvent> pendingBatch = List.of();
  private boolean writing;
  private long dropped;

  public static Behavior<Command> create(UserEventStore store, int maxBuffered, Duration retryDelay) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new UserEventLog(ctx, timers, store, maxBuffered, retryDelay)));
  }

  private UserEventLog(ActorContext<Command> ctx, TimerScheduler<Command> timers, UserEventStore store,
                       int maxBuffered, Duration retryDelay) {
    super(ctx);
    this.timers = timers;
    this.store = store;
    this.maxBuffered = maxBuffered;
    this.retryDelay = retryDelay;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Append.class, this::onAppend)
        .onMessage(Flush.class, flush -> write())
        .onMessage(Written.class, this::onWritten)
        .build();
  }

  private Behavior<Command> onAppend(Append append) {
    if (buffer.size() >= maxBuffered) {
      if (dropped++ == 0) {
        getContext().getLog().warn("user events: the database is {} events behind; dropping new ones", maxBuffered);
      }
      return this;
    }
    buffer.add(append.event());
    return write();
  }

  private Behavior<Command> write() {
    if (writing || buffer.isEmpty()) {
      return this;
    }
    List<UserEvent> batch = buffer;
    buffer = new ArrayList<>();
    writing = true;
    getContext().pipeToSelf(store.append(batch), (count, failure) -> failure == null
        ? new Written(count, null) : new Written(0, failure));
    // Kept until written: a failed batch goes back to the front of the buffer.
    pendingBatch = batch;
    return this;
  }

  private Behavior<Command> onWritten(Written written) {
    writing = false;
    if (written.failure() != null) {
      getContext().getLog().warn("user events: writing {} failed, retrying in {}: {}", pendingBatch.size(),
          retryDelay, written.failure().getMessage());
      List<UserEvent> retry = new ArrayList<>(pendingBatch);
      retry.addAll(buffer);
      buffer = retry;
      pendingBatch = List.of();
      timers.startSingleTimer(new Flush(), retryDelay);
      return this;
    }
    pendingBatch = List.of();
    if (dropped > 0) {
      getContext().getLog().warn("user events: {} dropped while the database was behind", dropped);
      dropped = 0;
    }
    return write();
  }
}
