package io.sensorfleet.sdk.internal;

import java.lang.System.Logger.Level;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the app's callbacks one at a time, in the order the frames arrived, on one thread of their own. The reader
 * thread only queues them, so it keeps reading while a callback runs: {@code ack} and {@code error} answers still
 * arrive, and a callback may wait for one. The queue is bounded: when callbacks fall that far behind, the reader
 * stops reading and the socket pushes back on the platform.
 */
public final class Dispatcher {

  private static final System.Logger LOG = System.getLogger("io.sensorfleet.sdk");

  private record Task(String what, Runnable body, CompletableFuture<Void> done) {}

  private final BlockingQueue<Task> queue;
  private final Thread thread;
  private volatile boolean closed;

  public Dispatcher(int capacity) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = Thread.ofVirtual().name("sensorfleet-sdk-callbacks").start(this::run);
  }

  /**
   * Queues {@code body}, waiting for room. The result completes once it ran (whether or not it threw), or is
   * cancelled if the dispatcher closes first.
   *
   * @param what names the callback in a log line if it throws
   */
  public CompletableFuture<Void> submit(String what, Runnable body) {
    Task task = new Task(what, body, new CompletableFuture<>());
    if (closed) {
      task.done().cancel(false);
      return task.done();
    }
    try {
      queue.put(task);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      task.done().cancel(false);
    }
    if (closed) {
      cancelQueued();
    }
    return task.done();
  }

  /** True when the caller is running a callback. */
  public boolean onCallbackThread() {
    return Thread.currentThread() == thread;
  }

  /**
   * Stops after the callback that is running, if any (it is not interrupted); queued ones are cancelled. Does not
   * wait, so a callback may close the client.
   */
  public void close() {
    closed = true;
    // Wakes a take() on an empty queue; never an interrupt, which would reach a running callback. If the queue is
    // full the thread is not waiting and sees the flag after its current task.
    queue.offer(new Task("close", () -> {}, new CompletableFuture<>()));
  }

  private void run() {
    while (!closed) {
      Task task;
      try {
        task = queue.take();
      } catch (InterruptedException e) {
        break;
      }
      if (closed) {
        task.done().cancel(false);
        break;
      }
      try {
        task.body().run();
      } catch (Throwable t) {
        LOG.log(Level.WARNING, () -> "the " + task.what() + " callback failed: " + Texts.describe(t), t);
      } finally {
        task.done().complete(null);
      }
    }
    cancelQueued();
  }

  private void cancelQueued() {
    Task task;
    while ((task = queue.poll()) != null) {
      task.done().completeExceptionally(new CancellationException("the client closed"));
    }
  }
}
