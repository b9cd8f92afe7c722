package io.sensorfleet.lxd.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;

/**
 * One {@link Selector} and the one thread that waits on it, per actor system (a Pekko extension, closed when the
 * system terminates): it tells non-blocking channels when they may read, write or finish connecting, and does
 * nothing else. Reads and writes themselves run where the channel's owner runs ({@link UnixConnectionStage}: on
 * its stream's dispatcher), so a request costs one hand-off to this thread and one back, and an idle connection
 * costs nothing but its file descriptor.
 *
 * <p>The selector's keys are touched on this thread only: {@link Registration#arm} and {@link Registration#close}
 * queue a task and wake the selector if it is waiting.
 */
public final class UnixSelector implements Extension, AutoCloseable {

  /** The extension's id: {@code UnixSelector.ID.get(system)}. */
  public static final Id ID = new Id();

  private final Selector selector;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** True while the thread is in (or about to enter) a blocking select: only then does a new task wake it. */
  private final AtomicBoolean selecting = new AtomicBoolean();
  private final AtomicBoolean open = new AtomicBoolean(true);
  private final LoggingAdapter log;
  private final Thread thread;

  UnixSelector(String name, LoggingAdapter log) {
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector", e);
    }
    this.log = log;
    this.thread = Thread.ofPlatform().name(name).daemon().start(this::loop);
  }

  /**
   * Registers {@code channel} (non-blocking), with no interest yet. {@code onReady} runs on the selector thread
   * with the ready operations, once per {@link Registration#arm}: keep it short (hand the event over).
   */
  public Registration register(SelectableChannel channel, IntConsumer onReady) {
    return new Registration(channel, onReady);
  }

  /** A channel on this selector. */
  public final class Registration {
    private final SelectableChannel channel;
    private final IntConsumer onReady;
    /** Selector thread only. */
    private SelectionKey key;

    private Registration(SelectableChannel channel, IntConsumer onReady) {
      this.channel = channel;
      this.onReady = onReady;
    }

    /** Asks to be told once when any of {@code ops} is ready (interest is dropped again when it is). */
    public void arm(int ops) {
      submit(() -> {
        try {
          if (key == null) {
            key = channel.register(selector, ops, this);
          } else {
            key.interestOps(key.interestOps() | ops);
          }
        } catch (ClosedChannelException | CancelledKeyException | ClosedSelectorException e) {
          // Closed meanwhile by its owner (or the system is terminating): nothing to wait for.
        }
      });
    }

    /** Closes the channel and forgets it. */
    public void close() {
      submit(() -> {
        if (key != null) {
          key.cancel();
        }
        try {
          channel.close();
        } catch (IOException e) {
          // Nothing left to release.
        }
      });
    }

    private void ready(SelectionKey selected) {
      int ops;
      try {
        ops = selected.readyOps();
        selected.interestOps(selected.interestOps() & ~ops);
      } catch (CancelledKeyException e) {
        return;
      }
      onReady.accept(ops);
    }
  }

  private void submit(Runnable task) {
    if (!open.get()) {
      task.run(); // the selector is gone: registering fails, closing still closes
      return;
    }
    tasks.add(task);
    if (selecting.get()) {
      selector.wakeup();
    }
  }

  private void loop() {
    while (open.get()) {
      try {
        runTasks();
        selecting.set(true);
        // A task added after runTasks either sees selecting and wakes us, or is seen here.
        if (tasks.isEmpty()) {
          selector.select(this::dispatch);
        } else {
          selector.selectNow(this::dispatch);
        }
        selecting.set(false);
      } catch (IOException | RuntimeException e) {
        if (open.get()) {
          log.error(e, "unix socket selector: {}", e.getMessage());
        }
      }
    }
    runTasks();
  }

  private void dispatch(SelectionKey selected) {
    try {
      ((Registration) selected.attachment()).ready(selected);
    } catch (RuntimeException e) {
      log.error(e, "unix socket selector: a ready callback failed: {}", e.getMessage());
    }
  }

  private void runTasks() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error(e, "unix socket selector: a task failed: {}", e.getMessage());
      }
    }
  }

  /** Stops the thread and closes the selector; registered channels are closed by their owners. */
  @Override
  public void close() {
    if (open.compareAndSet(true, false)) {
      selector.wakeup();
      try {
        thread.join();
        selector.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // Nothing left to release.
      }
    }
  }

  /** The extension id. */
  public static final class Id extends AbstractExtensionId<UnixSelector> {
    private Id() {}

    @Override
    public UnixSelector createExtension(ExtendedActorSystem system) {
      var selector = new UnixSelector(system.name() + "-unix-selector",
          Logging.getLogger(system, UnixSelector.class));
      system.registerOnTermination(selector::close);
      return selector;
    }
  }
}
